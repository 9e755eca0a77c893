"""BG/BB and the shifted-beta-geometric model: parity, recovery and refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from model_helpers import assert_truth_in_intervals

from cvm._exceptions import DataError
from cvm.datasets import simulate_bgbb_summary, simulate_sbg_durations
from cvm.models import BetaGeoBetaBinomModel, ShiftedBetaGeometricModel

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


def test_bgbb_parity_with_fader_hardie_shang(bgbb: BetaGeoBetaBinomModel) -> None:
    # Fader, Hardie and Shang (2010), Marketing Science 29(6), section 4 (donations, 1995
    # cohort, 6 opportunities): alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783.
    model = bgbb
    np.testing.assert_allclose(model.params_, [1.204, 0.750, 0.657, 2.783], atol=5e-4)
    assert model.n_obs_ == 11104


def test_bgbb_recovery_and_predictions() -> None:
    truth = {"alpha": 1.2, "beta": 0.8, "gamma": 0.7, "delta": 2.5}
    d = simulate_bgbb_summary(40_000, **truth, periods=8, seed=4)
    model = BetaGeoBetaBinomModel().fit(d["frequency"], d["recency"], d["periods"])
    assert_truth_in_intervals(model, truth)
    # the model's expected transactions match the simulated mean
    expected = model.expected_number_of_purchases_up_to_time(8)[0]
    assert expected == pytest.approx(d["frequency"].mean(), rel=0.02)
    alive = model.conditional_probability_alive([0, 8, 3], [0, 8, 3], [8, 8, 8])
    assert alive[1] > alive[2] and np.all((alive > 0) & (alive <= 1))
    future = model.conditional_expected_number_of_purchases_up_to_time(
        5, [0, 8, 3], [0, 8, 3], [8, 8, 8]
    )
    assert future[1] > future[2] > future[0] > 0


def test_bgbb_refuses_impossible_histories() -> None:
    with pytest.raises(DataError, match=r"frequency must be <= recency.*row 1"):
        BetaGeoBetaBinomModel().fit([1, 4], [2, 3], [6, 6])
    with pytest.raises(DataError, match=r"recency must be <= periods.*row 0"):
        BetaGeoBetaBinomModel().fit([1, 1], [7, 3], [6, 6])


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta"),
    [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)],
)
def test_sbg_parity_with_fader_hardie_2007(survivors: list[int], alpha: float, beta: float) -> None:
    # Fader and Hardie (2007), "How to Project Customer Retention", JIM 21(1), section 4:
    # "regular" alpha = 0.704, beta = 1.182; "high end" alpha = 0.668, beta = 3.806.
    model = ShiftedBetaGeometricModel().fit_survival(survivors)
    assert model.params_["alpha"] == pytest.approx(alpha, abs=5e-4)
    assert model.params_["beta"] == pytest.approx(beta, abs=5e-4)


def test_sbg_lost_counts_and_contract_rows_agree() -> None:
    by_survival = ShiftedBetaGeometricModel().fit_survival(REGULAR)
    lost = -np.diff(REGULAR)
    by_lost = ShiftedBetaGeometricModel().fit_lost(lost, 1000)
    periods = np.r_[np.repeat(np.arange(1, 8), lost), np.full(241, 7)]
    churned = np.r_[np.ones(lost.sum(), bool), np.zeros(241, bool)]
    by_rows = ShiftedBetaGeometricModel().fit(periods, churned)
    np.testing.assert_allclose(by_lost.params_, by_survival.params_, rtol=1e-6)
    np.testing.assert_allclose(by_rows.params_, by_survival.params_, rtol=1e-5)


def test_sbg_predictions() -> None:
    model = ShiftedBetaGeometricModel().fit_survival(REGULAR)
    s = model.survival(np.arange(0, 13))
    assert s[0] == 1 and np.all(np.diff(s) < 0)
    # survival is the running product of retention rates; P(T = t) the drop in survival
    np.testing.assert_allclose(s[1:], np.cumprod(model.retention_rate(np.arange(1, 13))))
    np.testing.assert_allclose(model.churn_probability(np.arange(1, 13)), -np.diff(s))
    assert np.all(np.diff(model.retention_rate(np.arange(1, 13))) > 0)  # rises with tenure
    derl = model.discounted_expected_residual_lifetime(0.10, [0, 5])
    # DERL equals the discounted sum of conditional survival, computed term by term
    a, b = model.params_["alpha"], model.params_["beta"]
    k = np.arange(0, 2000)
    for n, value in zip([0, 5], derl, strict=True):
        surv = ShiftedBetaGeometricModel()
        surv.params_ = pd.Series({"alpha": a, "beta": b + n})
        terms = surv.survival(k + 1) / 1.1**k
        assert value == pytest.approx(terms.sum(), rel=1e-8)
    assert derl[1] > derl[0]  # customers who renewed more are worth more


def test_sbg_recovery() -> None:
    lifetimes = simulate_sbg_durations(30_000, alpha=0.8, beta=2.0, seed=2)["periods"]
    observed, churned = lifetimes.clip(upper=10), lifetimes <= 10  # censored after 10 periods
    table = ShiftedBetaGeometricModel().fit(observed, churned).summary()
    assert table.loc["alpha", "lower 95%"] < 0.8 < table.loc["alpha", "upper 95%"]
    assert table.loc["beta", "lower 95%"] < 2.0 < table.loc["beta", "upper 95%"]


def test_sbg_refuses_bad_counts() -> None:
    with pytest.raises(DataError, match=r"must not increase.*row 2"):
        ShiftedBetaGeometricModel().fit_survival([100, 80, 90])
    with pytest.raises(DataError, match="exceeds the cohort"):
        ShiftedBetaGeometricModel().fit_lost([60, 50], 100)
