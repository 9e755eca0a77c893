"""Gamma-Gamma: parity, recovery, gradient, the independence warning and refusals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from model_helpers import assert_truth_in_intervals
from scipy.optimize import approx_fprime

from cvm._exceptions import DataError
from cvm.datasets import simulate_gamma_gamma_spend
from cvm.models import GammaGammaModel
from cvm.models.gamma_gamma import _Prepared


@pytest.fixture(scope="module")
def repeat(cdnow: pd.DataFrame) -> pd.DataFrame:
    return cdnow[cdnow["x"] > 0]


def test_parity_with_fader_hardie_lee_rfm_clv(repeat: pd.DataFrame) -> None:
    # Fader, Hardie and Lee (2005), "RFM and CLV", JMR 42(4), and Fader and Hardie (2013),
    # "The Gamma-Gamma Model of Monetary Value": the 946 CDNOW repeat buyers give
    # p = 6.25, q = 3.74, gamma = 15.44.
    assert len(repeat) == 946
    p = GammaGammaModel().fit(repeat["x"], repeat["zbar"]).params_
    assert p["p"] == pytest.approx(6.25, abs=5e-3)
    assert p["q"] == pytest.approx(3.74, abs=5e-3)
    assert p["gamma"] == pytest.approx(15.44, abs=1e-2)  # the exact optimum is 15.448


def test_analytic_gradient_matches_numeric(repeat: pd.DataFrame) -> None:
    data = {"x": repeat["x"].to_numpy(float), "m": repeat["zbar"].to_numpy(float)}
    prepared = _Prepared(data, np.ones(len(repeat)))
    params = np.array([5.0, 3.0, 12.0])
    ll, grad = prepared.evaluate(params)
    assert ll == pytest.approx(GammaGammaModel()._row_log_likelihood(params, data).sum())
    numeric = approx_fprime(params, lambda p: prepared.evaluate(p)[0], 1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4)


def test_recovery_on_simulated_data() -> None:
    rng = np.random.default_rng(5)
    x = rng.poisson(2.0, 20_000) + 1
    d = simulate_gamma_gamma_spend(x, p=6.0, q=4.0, gamma=15.0, seed=6)
    model = GammaGammaModel().fit(x, d["monetary_value"])
    assert_truth_in_intervals(model, {"p": 6.0, "q": 4.0, "gamma": 15.0})


def test_conditional_spend_shrinks_towards_the_mean(repeat: pd.DataFrame) -> None:
    model = GammaGammaModel().fit(repeat["x"], repeat["zbar"])
    mean = model.expected_average_spend()
    spend = model.conditional_expected_average_profit([0, 1, 50, 500], [0, 100, 100, 100])
    assert spend[0] == pytest.approx(mean)
    assert mean < spend[1] < spend[2] < spend[3] < 100  # more purchases, closer to own mean
    assert np.isfinite(spend).all()


def test_warns_when_spend_follows_frequency() -> None:
    rng = np.random.default_rng(2)
    x = rng.integers(1, 11, 300).astype(float)
    m = 10 + 2 * x + rng.gamma(2.0, 4.0, 300)
    with pytest.warns(UserWarning, match=r"correlated \(Pearson r = 0\.\d\d\)") as caught:
        model = GammaGammaModel().fit(x, m)
    assert model.correlation_ > 0.3
    assert f"{model.correlation_:.2f}" in str(caught[0].message)


def test_no_warning_when_independent(repeat: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GammaGammaModel().fit(repeat["x"], repeat["zbar"])
    assert abs(model.correlation_) < 0.3


@pytest.mark.parametrize(
    ("frequency", "monetary", "message"),
    [
        ([1] * 11 + [0], [5.0] * 12, "repeat buyers only.*row 11"),
        ([1] * 12, [5.0] * 11 + [-1.0], "monetary_value must be > 0.*row 11"),
        ([1, 2], [5.0, 6.0], "at least 10 repeat buyers"),
    ],
)
def test_refuses_unusable_rows(frequency, monetary, message) -> None:
    with pytest.raises(DataError, match=message):
        GammaGammaModel().fit(frequency, monetary)


def test_covariate_recovers_a_known_effect() -> None:
    rng = np.random.default_rng(8)
    n = 20_000
    group = rng.integers(0, 2, n)
    x = rng.poisson(2.0, n) + 1
    # gamma_i = 15 exp(0.5 group): the second group spends more (mean p gamma / (q - 1))
    low = simulate_gamma_gamma_spend(x, 6.0, 4.0, 15.0 * np.exp(0.5), seed=9)["monetary_value"]
    high = simulate_gamma_gamma_spend(x, 6.0, 4.0, 15.0, seed=10)["monetary_value"]
    m = np.where(group == 1, low, high)
    model = GammaGammaModel().fit(x, m, covariates=pd.DataFrame({"g": group}))
    table = model.summary()
    assert table.loc["gamma:g", "lower 95%"] < 0.5 < table.loc["gamma:g", "upper 95%"]
    spend = model.conditional_expected_average_profit(
        [0, 0], [0, 0], covariates=pd.DataFrame({"g": [0, 1]})
    )
    assert spend[1] == pytest.approx(spend[0] * np.exp(model.params_["gamma:g"]))
