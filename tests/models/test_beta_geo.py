"""BG/NBD: parity with the paper, recovery, stability, gradients and covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from model_helpers import assert_truth_in_intervals
from scipy.optimize import approx_fprime

from cvm._exceptions import ConvergenceError, DataError, NotFittedError
from cvm.datasets import simulate_bgnbd_summary
from cvm.models import BetaGeoModel
from cvm.models.beta_geo import _Prepared


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_parity_with_fader_hardie_lee_2005(fitted: BetaGeoModel) -> None:
    # Fader, Hardie and Lee (2005), Marketing Science 24(2), section 5 (CDNOW sample, weeks):
    # r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    paper = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert fitted.params_.to_dict() == pytest.approx(paper, abs=5e-4)
    assert fitted.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)


def test_conditional_expectation_matches_paper(fitted: BetaGeoModel) -> None:
    # Same paper, section 5: E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226.
    value = fitted.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)
    assert value[0] == pytest.approx(1.226, abs=5e-4)


def test_summary_and_criteria(fitted: BetaGeoModel) -> None:
    table = fitted.summary()
    assert list(table.index) == ["r", "alpha", "a", "b"]
    assert list(table.columns) == ["coef", "se", "lower 95%", "upper 95%"]
    assert (table["lower 95%"] < table["coef"]).all() and (table["coef"] < table["upper 95%"]).all()
    assert (table["se"] > 0).all()
    assert fitted.n_obs_ == 2357
    assert pytest.approx(8 - 2 * fitted.log_likelihood_) == fitted.AIC_
    assert pytest.approx(4 * np.log(2357) - 2 * fitted.log_likelihood_) == fitted.BIC_


def test_weights_equal_repeated_rows(cdnow: pd.DataFrame) -> None:
    head = cdnow.head(400)
    doubled = pd.concat([head, head])
    a = BetaGeoModel().fit(doubled["x"], doubled["t_x"], doubled["T"])
    b = BetaGeoModel().fit(head["x"], head["t_x"], head["T"], weights=np.full(len(head), 2.0))
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-5)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_)


def test_recovery_on_simulated_data() -> None:
    truth = {"r": 0.6, "alpha": 8.0, "a": 0.9, "b": 3.0}
    d = simulate_bgnbd_summary(30_000, **truth, T=np.linspace(20, 80, 30_000), seed=7)
    model = BetaGeoModel().fit(d["frequency"], d["recency"], d["T"])
    assert_truth_in_intervals(model, truth)


def test_analytic_gradient_matches_numeric(cdnow: pd.DataFrame) -> None:
    data = {k: cdnow[c].to_numpy(float) for k, c in [("x", "x"), ("t_x", "t_x"), ("T", "T")]}
    w = np.ones(len(cdnow))
    prepared = _Prepared(data, w)
    model = BetaGeoModel()
    params = np.array([0.3, 5.0, 0.7, 2.0])
    ll, grad = prepared.evaluate(params)
    rows = model._row_log_likelihood(params, data)
    assert ll == pytest.approx(rows.sum(), rel=1e-12)
    numeric = approx_fprime(params, lambda p: prepared.evaluate(p)[0], 1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4)


def test_p_alive_is_one_without_repeat_purchases(fitted: BetaGeoModel) -> None:
    p = fitted.conditional_probability_alive([0, 0], [0, 0], [1.0, 500.0])
    np.testing.assert_array_equal(p, [1.0, 1.0])
    p = fitted.conditional_probability_alive([3, 3], [5.0, 30.0], [38.0, 38.0])
    assert p[0] < p[1] <= 1  # a recent buyer is more likely alive


def test_extreme_histories_stay_finite() -> None:
    # x = 0, x = 500, recency = T, T = 5000 days
    model = BetaGeoModel()
    d = simulate_bgnbd_summary(5_000, 0.5, 30.0, 0.8, 2.5, T=5000.0, seed=1)
    model.fit(d["frequency"], d["recency"], d["T"])
    x = np.array([0, 500, 500, 500, 1])
    t_x = np.array([0, 5000, 10, 4999.5, 5000])
    T = np.full(5, 5000.0)
    rows = model._row_log_likelihood(model.params_.to_numpy(), {"x": x, "t_x": t_x, "T": T})
    assert np.isfinite(rows).all()
    for values in (
        model.conditional_probability_alive(x, t_x, T),
        model.conditional_expected_number_of_purchases_up_to_time(365, x, t_x, T),
        model.expected_number_of_purchases_up_to_time([1, 5000, 1e6]),
    ):
        assert np.isfinite(values).all()
    # a customer with 500 purchases and none for 4,990 days is gone; one buying now is not
    p = model.conditional_probability_alive(x, t_x, T)
    assert p[2] < 1e-10 and p[1] > 0.9


def test_probability_of_n_purchases_sums_to_one(fitted: BetaGeoModel) -> None:
    probs = fitted.probability_of_n_purchases_up_to_time(39, np.arange(3000))
    assert probs.sum() == pytest.approx(1.0, abs=1e-6)
    mean = (np.arange(3000) * probs).sum()
    assert mean == pytest.approx(fitted.expected_number_of_purchases_up_to_time(39)[0], rel=1e-4)


def test_not_fitted_raises() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        BetaGeoModel().conditional_probability_alive([1], [1], [2])
    with pytest.raises(NotFittedError):
        BetaGeoModel().summary()


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1, 2, 1], [1, 5, 3], [2, 4, 5], "recency must be <= T.*row 1"),
        ([1, -1], [1, 1], [2, 2], "frequency must be >= 0.*row 1"),
        ([1, 1.5], [1, 1], [2, 2], "whole number.*row 1"),
        ([1, 1], [1, np.nan], [2, 2], "recency has missing.*row 1"),
        ([0, 1], [1, 1], [2, 2], "frequency is 0 but recency > 0.*row 0"),
        ([], [], [], "empty"),
        ([0, 0], [0, 0], [2, 2], "no customer has a repeat purchase"),
    ],
)
def test_bad_input_names_rows(frequency, recency, T, message) -> None:
    with pytest.raises(DataError, match=message):
        BetaGeoModel().fit(frequency, recency, T)


def test_degenerate_data_raises_convergence_error() -> None:
    # one repeat buyer among many: the drop-out process is not identified
    x = np.r_[1.0, np.zeros(50)]
    t_x = np.r_[1.0, np.zeros(50)]
    with pytest.raises(ConvergenceError, match="penalizer"):
        BetaGeoModel().fit(x, t_x, np.full(51, 10.0))


@pytest.mark.slow
def test_covariates_recover_a_known_effect() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    group = rng.integers(0, 2, n).astype(float)
    # the second group buys twice as fast: alpha_i = alpha * exp(-log(2) * group)
    cols = ["frequency", "recency", "T"]
    d0 = simulate_bgnbd_summary(n, 0.8, 10.0, 0.8, 3.0, T=52.0, seed=4)[cols]
    d1 = simulate_bgnbd_summary(n, 0.8, 5.0, 0.8, 3.0, T=52.0, seed=5)[cols]
    d = d0.where(np.repeat(group[:, None] == 0, 3, axis=1), d1)
    model = BetaGeoModel().fit(
        d["frequency"], d["recency"], d["T"], covariates=pd.DataFrame({"vip": group})
    )
    table = model.summary()
    assert table.loc["alpha:vip", "lower 95%"] < np.log(2) < table.loc["alpha:vip", "upper 95%"]
    assert table.loc["a:vip", "lower 95%"] < 0 < table.loc["a:vip", "upper 95%"]
    with pytest.raises(DataError, match="covariates"):
        model.conditional_probability_alive([1], [1], [2])
    p = model.conditional_probability_alive(
        [1, 1], [1, 1], [2, 2], covariates=pd.DataFrame({"vip": [0, 1]})
    )
    assert np.isfinite(p).all()


def test_covariate_gradient_matches_numeric() -> None:
    rng = np.random.default_rng(0)
    d = simulate_bgnbd_summary(500, 0.8, 10.0, 0.8, 3.0, T=52.0, seed=1)
    X = rng.normal(size=(500, 2))
    model = BetaGeoModel()
    model._covariate_names = ["u", "v"]
    data = {
        "x": d["frequency"].to_numpy(),
        "t_x": d["recency"].to_numpy(),
        "T": d["T"].to_numpy(),
        "X": X,
    }
    w = np.ones(500)
    params = np.array([0.7, 9.0, 0.9, 2.5, 0.1, -0.2, 0.3, 0.05])
    ll, grad = model._log_likelihood_and_gradient(params, data, w, True)
    assert ll == pytest.approx(model._row_log_likelihood(params, data).sum())
    numeric = approx_fprime(
        params, lambda p: model._log_likelihood_and_gradient(p, data, w, True)[0], 1e-6
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)
