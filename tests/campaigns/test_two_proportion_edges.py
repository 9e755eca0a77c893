"""The two-proportion test beyond its interval: p-value, empty cells, tiny arms, Holm edges.

The p-value of the pooled two-proportion z-test equals that of Pearson's chi-square test on
the 2x2 table without continuity correction (z^2 = chi^2), computed here with scipy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from cvm._exceptions import DataError
from cvm.campaigns.stats import holm, two_proportion

Z95 = 1.959963984540054


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0"),
    [(40, 200, 25, 250), (130, 5000, 90, 4800), (7, 60, 12, 61), (50, 500, 50, 500)],
)
def test_p_value_is_pearson_chi_square(x1: int, n1: int, x0: int, n0: int) -> None:
    table = np.array([[x1, n1 - x1], [x0, n0 - x0]])
    _, p, _, _ = stats.chi2_contingency(table, correction=False)
    lift = two_proportion(x1, n1, x0, n0)
    assert lift.p_value == pytest.approx(p, rel=1e-9)
    assert lift.method == "newcombe-score / z-test"
    assert lift.control == pytest.approx(x0 / n0) and lift.treatment == pytest.approx(x1 / n1)


def test_nobody_or_everybody_converting_has_p_value_one() -> None:
    for x1, x0 in ((0, 0), (80, 40)):
        lift = two_proportion(x1, 80, x0, 40)
        assert lift.p_value == 1.0 and lift.lift == 0.0


def test_an_empty_cell_gets_half_a_count() -> None:
    # no control converted: Katz with 0.5 added to both conversions and both arm sizes;
    # the point estimate of the relative lift is undefined (division by zero)
    lift = two_proportion(6, 100, 0, 90)
    a1, a0, m1, m0 = 6.5, 0.5, 100.5, 90.5
    log_rr = math.log((a1 / m1) / (a0 / m0))
    se = math.sqrt(1 / a1 - 1 / m1 + 1 / a0 - 1 / m0)
    assert math.isnan(lift.relative)
    assert lift.relative_lower == pytest.approx(math.expm1(log_rr - Z95 * se), rel=1e-9)
    assert lift.relative_upper == pytest.approx(math.expm1(log_rr + Z95 * se), rel=1e-9)
    # no treated customer converted: the same correction, a finite relative lift of -100%
    down = two_proportion(0, 100, 6, 90)
    assert down.relative == pytest.approx(-1.0)
    b1, b0 = 0.5 / 100.5, 6.5 / 90.5
    se_down = math.sqrt(1 / 0.5 - 1 / 100.5 + 1 / 6.5 - 1 / 90.5)
    assert down.relative_upper == pytest.approx(
        math.expm1(math.log(b1 / b0) + Z95 * se_down), rel=1e-9
    )


def test_an_arm_of_one_is_allowed_and_an_empty_arm_is_not() -> None:
    one = two_proportion(1, 1, 3, 10)
    assert one.treatment == 1.0 and one.control == pytest.approx(0.3)
    for args in ((0, 0, 3, 10), (1, 10, 0, 0), (0, -5, 3, 10)):
        with pytest.raises(DataError, match="both arms need customers"):
            two_proportion(*args)


def test_holm_edges() -> None:
    assert holm(np.array([])).size == 0
    # whole-number input (0 and 1 are p-values too) comes back as floats, capped at 1
    adjusted = holm([0, 1, 0])
    assert adjusted.dtype == np.float64 and adjusted.tolist() == [0.0, 1.0, 0.0]
    single = np.array([0.04])
    adjusted_single = holm(single)  # one arm: nothing to adjust, and a new array
    assert adjusted_single.tolist() == [0.04] and adjusted_single is not single


def test_a_single_conversion_is_counted_as_it_is() -> None:
    # one conversion is not an empty cell: Katz on the raw counts, no half added
    for x1, n1, x0, n0 in ((1, 50, 4, 60), (5, 50, 1, 60)):
        lift = two_proportion(x1, n1, x0, n0)
        rr = (x1 / n1) / (x0 / n0)
        se = math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
        assert lift.relative_lower == pytest.approx(rr * math.exp(-Z95 * se) - 1, rel=1e-9)
        assert lift.relative_upper == pytest.approx(rr * math.exp(Z95 * se) - 1, rel=1e-9)
    assert two_proportion(3, 10, 1, 1).control == 1.0  # a control group of one is allowed
