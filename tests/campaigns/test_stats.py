"""The statistics of a test: interval coverage, error rates, multiple arms, sample sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cvm._exceptions import DataError
from cvm.campaigns import compare_arms
from cvm.campaigns.stats import (
    bootstrap_mean_difference,
    holm,
    minimum_detectable_lift,
    sample_size_conversion,
    sample_size_revenue,
    two_proportion,
    welch,
)

SPEND_MU, SPEND_SIGMA = 3.5, 1.0  # log-normal order value: heavy right tail
MEAN_SPEND = np.exp(SPEND_MU + SPEND_SIGMA**2 / 2)


def _campaign(rng: np.random.Generator, n1: int, n0: int, p1: float, p0: float) -> pd.DataFrame:
    """Bernoulli conversions and log-normal revenue for one simulated two-arm campaign."""
    arm = np.r_[np.full(n1, "treatment"), np.full(n0, "control")]
    p = np.r_[np.full(n1, p1), np.full(n0, p0)]
    converted = rng.random(n1 + n0) < p
    revenue = np.where(converted, rng.lognormal(SPEND_MU, SPEND_SIGMA, n1 + n0), 0.0)
    return pd.DataFrame({"arm": arm, "converted": converted, "revenue": revenue})


def _simulate(n_campaigns: int, p1: float, p0: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_campaigns):
        effects = compare_arms(_campaign(rng, 3000, 800, p1, p0), n_boot=500, seed=i)
        rows.append(effects.set_index("metric"))
    return pd.concat(rows)


@pytest.fixture(scope="module")
def effect_campaigns() -> pd.DataFrame:
    return _simulate(200, 0.12, 0.10, seed=7)


@pytest.fixture(scope="module")
def null_campaigns() -> pd.DataFrame:
    return _simulate(200, 0.10, 0.10, seed=8)


def _coverage(frame: pd.DataFrame, metric: str, truth: float) -> float:
    rows = frame.loc[metric]
    return float(((rows["lower"] <= truth) & (truth <= rows["upper"])).mean())


@pytest.mark.slow
def test_conversion_interval_covers_the_true_lift_95_percent(effect_campaigns):
    assert 0.93 <= _coverage(effect_campaigns, "conversion", 0.02) <= 0.97


@pytest.mark.slow
def test_revenue_intervals_cover_the_true_lift_95_percent(effect_campaigns):
    truth = 0.02 * MEAN_SPEND
    assert 0.93 <= _coverage(effect_campaigns, "revenue", truth) <= 0.97
    assert 0.92 <= _coverage(effect_campaigns, "revenue_bootstrap", truth) <= 0.97


@pytest.mark.slow
def test_a_campaign_without_effect_is_significant_at_the_stated_rate(null_campaigns):
    for metric in ("conversion", "revenue", "revenue_bootstrap"):
        false_positive = float((null_campaigns.loc[metric, "p_value"] < 0.05).mean())
        assert 0.02 <= false_positive <= 0.08, metric


@pytest.mark.slow
def test_a_real_effect_is_found_as_often_as_the_power_says(effect_campaigns):
    # 3000 vs 800 customers, 10% -> 12%: normal-approximation power 0.38
    se = np.sqrt(0.10 * 0.90 / 800 + 0.12 * 0.88 / 3000)
    power = stats.norm.cdf(0.02 / se - stats.norm.ppf(0.975))
    found = float(effect_campaigns.loc["conversion", "significant"].mean())
    assert found == pytest.approx(power, abs=0.07)


@pytest.mark.slow
def test_several_arms_hold_the_family_wise_error():
    rng = np.random.default_rng(3)
    any_rejected = []
    for i in range(200):
        frames = [_campaign(rng, 1500, 0, 0.1, 0.1).assign(arm=f"offer_{k}") for k in range(3)]
        frames.append(_campaign(rng, 0, 1500, 0.1, 0.1))
        effects = compare_arms(pd.concat(frames), bootstrap=False, seed=i)
        conversion = effects[effects["metric"] == "conversion"]
        assert len(conversion) == 3
        any_rejected.append(bool(conversion["significant"].any()))
    assert effects["level"].iloc[0] == pytest.approx(1 - 0.05 / 3)
    assert np.mean(any_rejected) <= 0.08


def test_holm_matches_the_step_down_by_hand():
    # sorted p: 0.01*4, 0.02*3, 0.03*2, 0.04*1 -> 0.04, 0.06, 0.06 (monotone), 0.06
    adjusted = holm(np.array([0.03, 0.01, 0.04, 0.02]))
    np.testing.assert_allclose(adjusted, [0.06, 0.04, 0.06, 0.06])
    assert holm(np.array([0.9, 0.8]))[0] == 1.0


def test_two_proportion_matches_newcombe_worked_example():
    # Newcombe (1998), Table II example (56/70 vs 48/80): hybrid score 0.0524 to 0.3339
    lift = two_proportion(56, 70, 48, 80)
    assert lift.lift == pytest.approx(0.2)
    assert lift.lower == pytest.approx(0.0524, abs=1e-4)
    assert lift.upper == pytest.approx(0.3339, abs=1e-4)


def test_welch_and_bootstrap_agree_on_light_tails():
    rng = np.random.default_rng(0)
    y1, y0 = rng.normal(10.5, 2, 4000), rng.normal(10, 2, 1000)
    w, b = welch(y1, y0), bootstrap_mean_difference(y1, y0, n_boot=2000, seed=1)
    assert w.lift == pytest.approx(b.lift)
    assert b.lower == pytest.approx(w.lower, abs=0.05)
    assert b.upper == pytest.approx(w.upper, abs=0.05)


def test_bootstrap_is_reproducible_with_its_seed():
    rng = np.random.default_rng(0)
    y1, y0 = rng.lognormal(0, 1, 500) * (rng.random(500) < 0.2), rng.lognormal(0, 1, 300)
    a = bootstrap_mean_difference(y1, y0, seed=5)
    assert a == bootstrap_mean_difference(y1, y0, seed=5)
    assert a != bootstrap_mean_difference(y1, y0, seed=6)


def test_sample_sizes_match_the_textbook():
    # Fleiss et al. (2003) normal approximation without continuity correction: 10% vs 15%,
    # alpha 0.05 two-sided, 80% power, equal arms -> 686 per arm
    assert sample_size_conversion(0.10, 0.05, ratio=1) == (686, 686)
    # means: (1.96 + 0.8416)^2 * 2 * sd^2 / delta^2 = 62.8 -> 63
    assert sample_size_revenue(1.0, 0.5, ratio=1) == (63, 63)
    n0, n1 = sample_size_conversion(0.10, 0.02, ratio=9)
    assert n1 == int(np.ceil(n0 * 9))
    assert minimum_detectable_lift(0.10, 686, 686) == pytest.approx(0.05, abs=5e-4)


def test_planned_size_gives_the_planned_power():
    n0, n1 = sample_size_conversion(0.10, 0.03, ratio=3)
    rng = np.random.default_rng(11)
    x1 = rng.binomial(n1, 0.13, 400)
    x0 = rng.binomial(n0, 0.10, 400)
    found = [
        two_proportion(int(a), n1, int(b), n0).p_value < 0.05 for a, b in zip(x1, x0, strict=True)
    ]
    assert 0.74 <= np.mean(found) <= 0.86


def test_impossible_inputs_are_clear_errors():
    with pytest.raises(DataError, match="both arms"):
        two_proportion(1, 0, 1, 10)
    with pytest.raises(DataError, match="within"):
        sample_size_conversion(0.99, 0.05)
    with pytest.raises(DataError, match="power"):
        sample_size_revenue(1.0, 0.1, power=1.2)
    with pytest.raises(DataError, match="control arm"):
        compare_arms(pd.DataFrame({"arm": ["a", "b"], "converted": [1, 0], "revenue": [1.0, 0]}))
