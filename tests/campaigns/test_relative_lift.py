"""The relative-lift intervals, against formulas written out here and a textbook example.

Conversion: the Katz log risk-ratio interval, exp(log RR +- z * sqrt(1/x1 - 1/n1 + 1/x0 - 1/n0))
(Katz et al. 1978, Biometrics 34; Altman et al., "Statistics with Confidence", 2nd ed., ch. 7).
Revenue: the delta method on the log of the ratio of means,
se = sqrt(var1 / (n1 * m1^2) + var0 / (n0 * m0^2)).
z is typed in (the normal quantiles 1.959964 and 1.644854), not taken from the code.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from cvm.campaigns.stats import two_proportion, welch

Z95, Z90 = 1.959963984540054, 1.6448536269514722


def _katz(x1: int, n1: int, x0: int, n0: int, z: float) -> tuple[float, float]:
    rr = (x1 / n1) / (x0 / n0)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    return rr * math.exp(-z * se) - 1, rr * math.exp(z * se) - 1


def test_katz_interval_matches_a_textbook_example() -> None:
    # 40 of 200 treated vs 25 of 250 controls: RR = 2.0, se(log RR) = sqrt(1/40 - 1/200 + 1/25
    # - 1/250) = 0.23664, so the 95% interval for RR is 2 * exp(+-1.95996 * 0.23664) =
    # (1.2576, 3.1807): relative lift (0.2576, 2.1807)
    lift = two_proportion(40, 200, 25, 250)
    assert lift.relative == pytest.approx(1.0, abs=1e-12)
    assert lift.relative_lower == pytest.approx(0.2576, abs=5e-4)
    assert lift.relative_upper == pytest.approx(2.1807, abs=5e-4)


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0"), [(40, 200, 25, 250), (130, 5000, 90, 4800), (7, 60, 12, 61)]
)
@pytest.mark.parametrize(("alpha", "z"), [(0.05, Z95), (0.10, Z90)])
def test_conversion_relative_interval_is_katz(
    x1: int, n1: int, x0: int, n0: int, alpha: float, z: float
) -> None:
    lift = two_proportion(x1, n1, x0, n0, alpha=alpha)
    lo, hi = _katz(x1, n1, x0, n0, z)
    assert lift.relative == pytest.approx((x1 / n1) / (x0 / n0) - 1, rel=1e-12)
    assert (lift.relative_lower, lift.relative_upper) == pytest.approx((lo, hi), rel=1e-9)
    # the width on the log scale is 2 z se: a lost or doubled z changes it
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    width = math.log1p(lift.relative_upper) - math.log1p(lift.relative_lower)
    assert width == pytest.approx(2 * z * se, rel=1e-9)


def test_revenue_relative_interval_is_the_delta_method() -> None:
    rng = np.random.default_rng(11)
    y1 = np.round(rng.lognormal(3.6, 0.9, 400) * (rng.random(400) < 0.3), 2)
    y0 = np.round(rng.lognormal(3.5, 0.9, 380) * (rng.random(380) < 0.3), 2)
    m1, m0 = statistics.fmean(y1), statistics.fmean(y0)
    se = math.sqrt(
        statistics.variance(y1) / (len(y1) * m1**2) + statistics.variance(y0) / (len(y0) * m0**2)
    )
    for alpha, z in ((0.05, Z95), (0.10, Z90)):
        lift = welch(y1, y0, alpha=alpha)
        assert lift.relative == pytest.approx(m1 / m0 - 1, rel=1e-12)
        expected = (m1 / m0 * math.exp(-z * se) - 1, m1 / m0 * math.exp(z * se) - 1)
        assert (lift.relative_lower, lift.relative_upper) == pytest.approx(expected, rel=1e-9)
        width = math.log1p(lift.relative_upper) - math.log1p(lift.relative_lower)
        assert width == pytest.approx(2 * z * se, rel=1e-9)


def test_revenue_relative_interval_with_means_below_one() -> None:
    # conversion-like outcomes (means 0.3 and 0.2): the delta method still applies
    y1 = np.r_[np.ones(30), np.zeros(70)]
    y0 = np.r_[np.ones(20), np.zeros(80)]
    se = math.sqrt(
        statistics.variance(y1) / (100 * 0.3**2) + statistics.variance(y0) / (100 * 0.2**2)
    )
    lift = welch(y1, y0)
    assert lift.relative == pytest.approx(0.5)
    assert (lift.relative_lower, lift.relative_upper) == pytest.approx(
        (1.5 * math.exp(-Z95 * se) - 1, 1.5 * math.exp(Z95 * se) - 1), rel=1e-9
    )


def test_no_relative_interval_when_an_arm_has_no_revenue() -> None:
    spend = np.array([0.0, 12.0, 30.0, 0.0, 8.0])
    nothing = np.zeros(5)
    down = welch(nothing, spend)  # treated spent nothing: -100%, no log-scale interval
    assert down.relative == -1.0
    assert math.isnan(down.relative_lower) and math.isnan(down.relative_upper)
    up = welch(spend, nothing)  # controls spent nothing: no ratio at all
    assert math.isnan(up.relative)
    assert math.isnan(up.relative_lower) and math.isnan(up.relative_upper)


def test_relative_lift_when_refunds_outweigh_sales() -> None:
    # the treated arm's net revenue is negative (refunds): the ratio still reads as a ratio
    treated = np.array([-30.0, 0.0, 5.0, 0.0, 5.0])  # mean -4
    control = np.array([10.0, 0.0, 20.0, 10.0, 10.0])  # mean 10
    lift = welch(treated, control)
    assert lift.relative == pytest.approx(-4 / 10 - 1)
    assert math.isnan(lift.relative_lower) and math.isnan(lift.relative_upper)
    small = welch(np.zeros(4), np.array([0.0, 1.0, 0.0, 1.0]))  # control mean 0.5
    assert small.relative == pytest.approx(-1.0)
