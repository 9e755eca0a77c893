"""The statistics of a randomized test: lift intervals, p-values, multiple arms and power.

Pure functions of counts and arrays, shared by the measurement of a real campaign and by the
simulation tests that check their coverage.

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions:
comparison of eleven methods. Statistics in Medicine 17, 873-890 (method 10, the hybrid score).
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. Biometrika 34, 28-35.
Efron, B. & Tibshirani, R. (1993). An Introduction to the Bootstrap, ch. 13 (percentile interval).
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist. 6.
Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and Proportions,
3rd ed., section 4.2 (sample size for comparing two proportions).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from cvm._exceptions import DataError

__all__ = [
    "Lift",
    "bootstrap_mean_difference",
    "holm",
    "minimum_detectable_lift",
    "power_conversion",
    "sample_size_conversion",
    "sample_size_revenue",
    "two_proportion",
    "welch",
]


@dataclass(frozen=True)
class Lift:
    """A treatment-minus-control difference with its interval and test."""

    control: float
    treatment: float
    lift: float
    lower: float
    upper: float
    relative: float
    relative_lower: float
    relative_upper: float
    p_value: float
    method: str

    def as_dict(self) -> dict[str, float | str]:
        return asdict(self)


def _z(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise DataError(f"alpha must be within (0, 1), got {alpha!r}")
    return float(stats.norm.ppf(1 - alpha / 2))


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def two_proportion(x1: int, n1: int, x0: int, n0: int, *, alpha: float = 0.05) -> Lift:
    """Conversion lift: Newcombe hybrid-score interval, pooled two-proportion z-test.

    ``x1`` of ``n1`` treated and ``x0`` of ``n0`` controls converted. The relative lift
    ``p1 / p0 - 1`` has the Katz log-ratio interval (0.5 added to empty cells).

    Examples
    --------
    120 of 1,000 treated converted against 100 of 1,000 controls: two points of absolute
    lift, 20% relative, not significant at this size.

    >>> lift = two_proportion(120, 1000, 100, 1000)
    >>> round(lift.lift, 4), round(lift.relative, 4)
    (0.02, 0.2)
    >>> round(lift.lower, 4), round(lift.upper, 4), round(lift.p_value, 3)
    (-0.0075, 0.0476, 0.153)
    """
    if n1 <= 0 or n0 <= 0:
        raise DataError(f"both arms need customers (treatment {n1}, control {n0})")
    z = _z(alpha)
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = _wilson(x1, n1, z)
    l0, u0 = _wilson(x0, n0, z)
    diff = p1 - p0
    lower = diff - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    upper = diff + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    pooled = (x1 + x0) / (n1 + n0)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    p_value = float(2 * stats.norm.sf(abs(diff) / se0)) if se0 > 0 else 1.0
    a1, a0 = (x1, x0) if x1 > 0 and x0 > 0 else (x1 + 0.5, x0 + 0.5)
    m1, m0 = (n1, n0) if x1 > 0 and x0 > 0 else (n1 + 0.5, n0 + 0.5)
    log_rr = np.log((a1 / m1) / (a0 / m0))
    se_rr = np.sqrt(max(1 / a1 - 1 / m1 + 1 / a0 - 1 / m0, 0.0))
    rel = p1 / p0 - 1 if p0 > 0 else float("nan")
    return Lift(
        p0,
        p1,
        diff,
        float(lower),
        float(upper),
        float(rel),
        float(np.expm1(log_rr - z * se_rr)),
        float(np.expm1(log_rr + z * se_rr)),
        p_value,
        "newcombe-score / z-test",
    )


def welch(y1: np.ndarray, y0: np.ndarray, *, alpha: float = 0.05) -> Lift:
    """Mean difference with Welch's t interval and test; relative lift by the delta method.

    Examples
    --------
    >>> import numpy as np
    >>> lift = welch(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 1.0, 2.0]))
    >>> lift.lift, lift.relative, round(lift.p_value, 3)
    (1.5, 1.5, 0.106)
    """
    y1, y0 = _arms(y1, y0)
    m1, m0 = float(y1.mean()), float(y0.mean())
    v1, v0 = y1.var(ddof=1) / y1.size, y0.var(ddof=1) / y0.size
    se = float(np.sqrt(v1 + v0))
    diff = m1 - m0
    if se == 0:
        p_value, half, df = (1.0 if diff == 0 else 0.0), 0.0, 1.0
    else:
        df = (v1 + v0) ** 2 / (v1**2 / (y1.size - 1) + v0**2 / (y0.size - 1))
        t = float(stats.t.ppf(1 - alpha / 2, df))
        half = t * se
        p_value = float(2 * stats.t.sf(abs(diff) / se, df))
    rel, rlo, rhi = _relative_delta(m1, m0, v1, v0, _z(alpha))
    return Lift(m0, m1, diff, diff - half, diff + half, rel, rlo, rhi, p_value, "welch-t")


def _relative_delta(m1: float, m0: float, v1: float, v0: float, z: float) -> tuple[float, ...]:
    if m1 <= 0 or m0 <= 0:
        return (m1 / m0 - 1 if m0 > 0 else float("nan"), float("nan"), float("nan"))
    se = np.sqrt(v1 / m1**2 + v0 / m0**2)
    log_ratio = np.log(m1 / m0)
    return (m1 / m0 - 1, float(np.expm1(log_ratio - z * se)), float(np.expm1(log_ratio + z * se)))


def _arms(y1: np.ndarray, y0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a1 = np.asarray(y1, dtype=float)
    a0 = np.asarray(y0, dtype=float)
    if a1.size < 2 or a0.size < 2:
        raise DataError(
            f"each arm needs at least 2 customers (treatment {a1.size}, control {a0.size})"
        )
    if not (np.isfinite(a1).all() and np.isfinite(a0).all()):
        raise DataError("outcomes must be finite numbers")
    return a1, a0


def _resampled_sums(
    y: np.ndarray, n_boot: int, rng: np.random.Generator, budget: int
) -> np.ndarray:
    """Sums of ``n_boot`` bootstrap resamples of ``y``, drawing only its non-zero values.

    A resample of n values holds K ~ Binomial(n, share of non-zeros) non-zero values, each a
    uniform draw from the non-zeros: the same distribution as resampling all n, at a fraction of
    the cost when most customers bought nothing.
    """
    nonzero = y[y != 0]
    sums = np.zeros(n_boot)
    if nonzero.size == 0:
        return sums
    counts = rng.binomial(y.size, nonzero.size / y.size, n_boot)
    chunk = max(1, budget // max(int(counts.max()), 1))
    for start in range(0, n_boot, chunk):
        k = counts[start : start + chunk]
        idx = rng.integers(0, nonzero.size, int(k.sum()))
        owner = np.repeat(np.arange(k.size), k)
        sums[start : start + chunk] = np.bincount(owner, nonzero[idx], minlength=k.size)
    return sums


def bootstrap_mean_difference(
    y1: np.ndarray,
    y0: np.ndarray,
    *,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
    budget: int = 20_000_000,
) -> Lift:
    """Mean difference with a percentile bootstrap interval (arms resampled separately).

    The p-value is the two-sided bootstrap share of resampled differences on the far side of
    zero. ``budget`` bounds the values drawn per chunk (memory), not the resamples.
    """
    y1, y0 = _arms(y1, y0)
    if n_boot < 100:
        raise DataError(f"n_boot must be at least 100, got {n_boot}")
    rng = np.random.default_rng(seed)
    b1 = _resampled_sums(y1, n_boot, rng, budget) / y1.size
    b0 = _resampled_sums(y0, n_boot, rng, budget) / y0.size
    m1, m0 = float(y1.mean()), float(y0.mean())
    diff = b1 - b0
    lo, hi = np.quantile(diff, [alpha / 2, 1 - alpha / 2])
    p_value = float(min(1.0, 2 * min((diff <= 0).mean(), (diff >= 0).mean())))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(b0 > 0, b1 / b0 - 1, np.nan)
    rlo, rhi = (
        np.nanquantile(ratio, [alpha / 2, 1 - alpha / 2])
        if np.isfinite(ratio).any()
        else (np.nan, np.nan)
    )
    rel = m1 / m0 - 1 if m0 > 0 else float("nan")
    return Lift(
        m0,
        m1,
        m1 - m0,
        float(lo),
        float(hi),
        rel,
        float(rlo),
        float(rhi),
        p_value,
        f"bootstrap-percentile ({n_boot})",
    )


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error control for several arms).

    Examples
    --------
    >>> import numpy as np
    >>> holm(np.array([0.01, 0.04, 0.03])).round(4).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def _check_design(alpha: float, power: float, ratio: float) -> tuple[float, float]:
    if not 0 < power < 1:
        raise DataError(f"power must be within (0, 1), got {power!r}")
    if not ratio > 0:
        raise DataError(f"treatment-to-control ratio must be positive, got {ratio!r}")
    return _z(alpha), float(stats.norm.ppf(power))


def sample_size_conversion(
    baseline: float,
    lift: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 4.0,
) -> tuple[int, int]:
    """(control, treatment) sizes to detect an absolute conversion ``lift`` over ``baseline``.

    ``ratio`` is treated per control (4 = a 20% control group). Normal approximation of the
    two-sided pooled z-test (Fleiss et al. 2003, eq. 4.14, without continuity correction).

    Examples
    --------
    Two points over a 10% baseline with a 20% control group, at 5% and 80% power:

    >>> sample_size_conversion(0.10, 0.02, ratio=4.0)
    (2445, 9780)
    """
    if not 0 < baseline < 1 or not 0 < baseline + lift < 1 or lift == 0:
        raise DataError(
            f"baseline ({baseline}) and baseline + lift ({baseline + lift}) must be within (0, 1)"
            " and the lift non-zero"
        )
    za, zb = _check_design(alpha, power, ratio)
    p0, p1 = baseline, baseline + lift
    pbar = (p0 + ratio * p1) / (1 + ratio)
    num = za * np.sqrt(pbar * (1 - pbar) * (1 + 1 / ratio)) + zb * np.sqrt(
        p0 * (1 - p0) + p1 * (1 - p1) / ratio
    )
    n0 = int(np.ceil((num / lift) ** 2))
    return n0, int(np.ceil(n0 * ratio))


def sample_size_revenue(
    sd: float,
    lift: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 4.0,
    sd_treatment: float | None = None,
) -> tuple[int, int]:
    """(control, treatment) sizes to detect a ``lift`` in revenue per customer (Welch, normal)."""
    if not sd > 0 or lift == 0:
        raise DataError(f"sd must be positive and lift non-zero (sd {sd}, lift {lift})")
    za, zb = _check_design(alpha, power, ratio)
    s1 = sd if sd_treatment is None else sd_treatment
    n0 = int(np.ceil((za + zb) ** 2 * (sd**2 + s1**2 / ratio) / lift**2))
    return n0, int(np.ceil(n0 * ratio))


def minimum_detectable_lift(
    baseline: float, n_control: int, n_treatment: int, *, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Smallest absolute conversion lift the arms detect with ``power`` (unpooled normal).

    Examples
    --------
    >>> round(minimum_detectable_lift(0.10, 1000, 4000), 4)
    0.0305
    """
    if n_control <= 0 or n_treatment <= 0:
        return float("inf")
    za, zb = _check_design(alpha, power, n_treatment / n_control)
    p0 = min(max(baseline, 1e-6), 1 - 1e-6)
    lift = (za + zb) * np.sqrt(p0 * (1 - p0) * (1 / n_control + 1 / n_treatment))
    for _ in range(20):  # the treated variance depends on the lift itself
        p1 = min(p0 + lift, 1 - 1e-6)
        lift = (za + zb) * np.sqrt(p0 * (1 - p0) / n_control + p1 * (1 - p1) / n_treatment)
    return float(lift)


def power_conversion(
    baseline: float, lift: float, n_control: int, n_treatment: int, *, alpha: float = 0.05
) -> float:
    """Power of the two-sided test to detect an absolute conversion ``lift`` over ``baseline``
    with these arm sizes (unpooled normal, as :func:`minimum_detectable_lift`: the power at
    that lift is the ``power`` it was asked for).

    Examples
    --------
    >>> round(power_conversion(0.10, 0.02, 1000, 4000), 3)
    0.458
    >>> mde = minimum_detectable_lift(0.10, 1000, 4000)
    >>> round(power_conversion(0.10, mde, 1000, 4000), 3)
    0.8
    """
    if n_control <= 0 or n_treatment <= 0:
        return 0.0
    z = _z(alpha)
    p0 = min(max(baseline, 1e-6), 1 - 1e-6)
    p1 = min(max(p0 + lift, 1e-6), 1 - 1e-6)
    se = np.sqrt(p0 * (1 - p0) / n_control + p1 * (1 - p1) / n_treatment)
    return float(stats.norm.cdf(abs(lift) / se - z))
