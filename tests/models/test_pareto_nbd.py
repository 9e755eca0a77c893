"""Pareto/NBD: parity with published values, recovery and numerical stability."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from model_helpers import assert_truth_in_intervals
from scipy.integrate import IntegrationWarning, quad

from cvm.datasets import simulate_paretonbd_summary
from cvm.models import ParetoNBDModel
from cvm.models.pareto_nbd import _log_hyp2f1_shifted, _Prepared


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_parity_with_fader_hardie_cdnow(fitted: ParetoNBDModel) -> None:
    # Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way", Marketing Science
    # 24(2), table 1 (Pareto/NBD on the CDNOW sample, weeks): r = 0.553, alpha = 10.578,
    # s = 0.606, beta = 11.669, LL = -9595.0.
    p = fitted.params_
    assert p["r"] == pytest.approx(0.553, abs=5e-4)
    assert p["alpha"] == pytest.approx(10.578, abs=5e-4)
    assert p["s"] == pytest.approx(0.606, abs=5e-4)
    assert p["beta"] == pytest.approx(11.669, abs=2e-3)  # flat direction: 11.668 here
    assert fitted.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)


def test_fast_likelihood_equals_row_sum(cdnow: pd.DataFrame) -> None:
    data = {k: cdnow[k].to_numpy(float) for k in ("x", "t_x", "T")}
    for params in ([0.55, 10.5, 0.6, 11.7], [0.55, 14.0, 0.6, 11.7], [2.0, 3.0, 1.5, 30.0]):
        p = np.array(params)
        fast = _Prepared(data, np.ones(len(cdnow))).evaluate(p)
        assert fast == pytest.approx(ParetoNBDModel()._row_log_likelihood(p, data).sum(), rel=1e-12)


@pytest.mark.slow
def test_recovery_on_simulated_data() -> None:
    truth = {"r": 0.7, "alpha": 10.0, "s": 0.9, "beta": 40.0}
    d = simulate_paretonbd_summary(30_000, **truth, T=np.linspace(30, 100, 30_000), seed=11)
    assert_truth_in_intervals(ParetoNBDModel().fit(d["frequency"], d["recency"], d["T"]), truth)


def test_extreme_histories_stay_finite(fitted: ParetoNBDModel) -> None:
    # x = 0, x = 500, recency = T, T = 5000 (days-like long histories)
    x = np.array([0, 500, 500, 500, 1, 0])
    t_x = np.array([0, 5000, 10, 4999.5, 5000, 0])
    T = np.array([5000.0] * 5 + [0.01])
    rows = fitted._row_log_likelihood(fitted.params_.to_numpy(), {"x": x, "t_x": t_x, "T": T})
    assert np.isfinite(rows).all()
    p = fitted.conditional_probability_alive(x, t_x, T)
    e = fitted.conditional_expected_number_of_purchases_up_to_time(365, x, t_x, T)
    assert np.isfinite(p).all() and np.isfinite(e).all()
    assert p[2] < 1e-10 and p[1] > 0.99 and p[5] > 0.99
    assert np.isfinite(fitted.expected_number_of_purchases_up_to_time([1, 5000, 1e6])).all()


def _reference_log_hyp2f1(a: float, b: float, z: float) -> float:
    """log 2F1(a, b; a+1; z) from its Euler integral by adaptive quadrature, scaled."""
    g0 = -b * np.log1p(-z)
    lam = a + b * z / (1 - z)

    def scaled(s: float) -> float:
        return float(np.exp(-a * s / lam - b * np.log1p(-z * np.exp(-s / lam)) - g0))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)  # its error estimate is pessimistic
        value, _ = quad(scaled, 0, np.inf, limit=500, epsrel=1e-9)
    return float(np.log(a) + g0 - np.log(lam) + np.log(value))


@pytest.mark.parametrize(
    ("a", "b", "z"),
    [
        (3.2, 1.6, 0.3),
        (50.0, 40.0, 0.9),
        (501.2, 1.6, 0.05),
        (1000.5, 1000.0, 0.999),
        (1.5, 3000.0, 0.999999),
    ],
)
def test_log_hypergeometric_is_finite_and_accurate(a: float, b: float, z: float) -> None:
    # the last two overflow both the direct series and Pfaff's transformation in scipy
    out = _log_hyp2f1_shifted(np.array([a]), np.array([b]), np.array([z]))
    assert np.isfinite(out).all()
    assert out[0] == pytest.approx(_reference_log_hyp2f1(a, b, z), rel=1e-9)


def test_p_alive_decreases_with_time_since_last_purchase(fitted: ParetoNBDModel) -> None:
    p = fitted.conditional_probability_alive([3, 3, 3], [38, 20, 5], [39, 39, 39])
    assert p[0] > p[1] > p[2]
