"""Evaluation of uplift predictions on held-out randomized data: Qini and uplift curves.

The curves rank customers by predicted uplift and count the incremental responses of the
treated against the control rows ranked alongside them; the four customer types split
predictions into who to target and who to leave alone.

References
----------
Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building and
assessing uplift models. Direct Marketing Analytics Journal 1, 14-21 (Qini curve).
Kane, K., Lo, V. S. Y. & Zheng, J. (2014). Mining for the truly responsive customers and
prospects using true-lift modeling. J. Marketing Analytics 2, 218-238 (the four customer types).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError

__all__ = [
    "UPLIFT_CATEGORIES",
    "auuc",
    "qini_auc_score",
    "qini_coefficient",
    "qini_curve",
    "uplift_auc_score",
    "uplift_by_decile",
    "uplift_categories",
    "uplift_curve",
]

UPLIFT_CATEGORIES = ("persuadable", "sure_thing", "lost_cause", "do_not_disturb")


def _arm_rows(
    y: Any, treatment: Any, uplift: Any, control: str, treated: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome, treated flag and score of the control rows and one arm's (or every arm's)."""
    arms = np.asarray(treatment).astype(str)
    target = np.asarray(y, dtype=float)
    score = np.asarray(uplift, dtype=float)
    if not arms.size == target.size == score.size:
        raise DataError("y, treatment and uplift differ in length")
    keep = (arms == control) | ((arms != control) if treated is None else (arms == treated))
    is_t = arms[keep] != control
    if is_t.all() or not is_t.any():
        raise DataError("evaluation needs treated and control rows")
    return target[keep], is_t, score[keep]


def _sorted_arms(
    y: Any, treatment: Any, uplift: Any, control: str, treated: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_arm_rows`, highest predicted uplift first (ties keep their order)."""
    target, is_t, score = _arm_rows(y, treatment, uplift, control, treated)
    order = np.argsort(-score, kind="stable")
    return target[order], is_t[order], score[order]


def qini_curve(
    y: Any, treatment: Any, uplift: Any, *, control: str = "control", treated: str | None = None
) -> pd.DataFrame:
    """Cumulative incremental responses when targeting by decreasing predicted uplift.

    ``qini(k) = Y_t(k) - Y_c(k) N_t(k) / N_c(k)`` over the first ``k`` customers (Radcliffe
    2007), with ``fraction = k / n``; ``random`` is the straight line of random targeting.
    """
    target, is_t, _ = _sorted_arms(y, treatment, uplift, control, treated)
    n_t = np.cumsum(is_t)
    n_c = np.cumsum(~is_t)
    y_t = np.cumsum(target * is_t)
    y_c = np.cumsum(target * ~is_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        qini = np.where(n_c > 0, y_t - y_c * n_t / np.maximum(n_c, 1), y_t)
    return _curve("qini", qini)


def uplift_curve(
    y: Any, treatment: Any, uplift: Any, *, control: str = "control", treated: str | None = None
) -> pd.DataFrame:
    """Cumulative uplift ``(Y_t/N_t - Y_c/N_c)(N_t + N_c)`` by decreasing predicted uplift."""
    target, is_t, _ = _sorted_arms(y, treatment, uplift, control, treated)
    n_t = np.cumsum(is_t)
    n_c = np.cumsum(~is_t)
    rate_t = np.cumsum(target * is_t) / np.maximum(n_t, 1)
    rate_c = np.cumsum(target * ~is_t) / np.maximum(n_c, 1)
    gain = np.where((n_t > 0) & (n_c > 0), (rate_t - rate_c) * (n_t + n_c), 0.0)
    return _curve("uplift", gain)


def _curve(name: str, values: np.ndarray) -> pd.DataFrame:
    """A cumulative curve from 0 over the fraction targeted, with random targeting's line."""
    fraction = np.arange(1, values.size + 1) / values.size
    return pd.DataFrame(
        {
            "fraction": np.r_[0.0, fraction],
            name: np.r_[0.0, values],
            "random": np.r_[0.0, fraction * values[-1]],
        }
    )


def _area_over_random(curve: pd.DataFrame, column: str) -> float:
    """Area between ``column`` and the random line over the fraction targeted, per customer."""
    gain = curve[column].to_numpy() - curve["random"].to_numpy()
    return float(np.trapezoid(gain, curve["fraction"].to_numpy()) / (len(curve) - 1))


def qini_coefficient(
    y: Any, treatment: Any, uplift: Any, *, control: str = "control", treated: str | None = None
) -> float:
    """Area between the Qini curve and random targeting, per customer (> 0 beats random)."""
    return _area_over_random(
        qini_curve(y, treatment, uplift, control=control, treated=treated), "qini"
    )


def auuc(
    y: Any, treatment: Any, uplift: Any, *, control: str = "control", treated: str | None = None
) -> float:
    """Area between the uplift curve and random targeting, per customer (> 0 beats random)."""
    return _area_over_random(
        uplift_curve(y, treatment, uplift, control=control, treated=treated), "uplift"
    )


def _threshold_curves(
    y: np.ndarray, is_t: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative counts at each distinct score, highest first (ties form one step).

    Returns ``n_all, n_t, n_c, y_t, y_c`` with a leading zero point.
    """
    order = np.argsort(score, kind="mergesort")[::-1]
    y, is_t, score = y[order], is_t[order], score[order]
    ends = np.r_[np.flatnonzero(np.diff(score)), score.size - 1]
    n_all = ends + 1.0
    n_t = np.cumsum(is_t)[ends].astype(float)
    y_t = np.cumsum(y * is_t)[ends]
    y_c = np.cumsum(y * ~is_t)[ends]
    zero = np.zeros(1)
    return (np.r_[zero, n_all], np.r_[zero, n_t], np.r_[zero, n_all - n_t], np.r_[zero, y_t],
            np.r_[zero, y_c])  # fmt: skip


def _qini_points(y: np.ndarray, is_t: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, ...]:
    n_all, n_t, n_c, y_t, y_c = _threshold_curves(y, is_t, score)
    ratio = np.divide(n_t, n_c, out=np.zeros_like(n_t), where=n_c != 0)
    return n_all, y_t - y_c * ratio


def _uplift_points(y: np.ndarray, is_t: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, ...]:
    n_all, n_t, n_c, y_t, y_c = _threshold_curves(y, is_t, score)
    rate_t = np.divide(y_t, n_t, out=np.zeros_like(y_t), where=n_t != 0)
    rate_c = np.divide(y_c, n_c, out=np.zeros_like(y_c), where=n_c != 0)
    return n_all, (rate_t - rate_c) * n_all


def _normalised(actual: tuple[np.ndarray, ...], perfect: tuple[np.ndarray, ...]) -> float:
    """(area of actual - random) / (area of perfect - random), random the chord to the end."""
    x_p, y_p = perfect
    baseline = 0.5 * x_p[-1] * y_p[-1]
    best = float(np.trapezoid(y_p, x_p)) - baseline
    if best == 0:
        return float("nan")
    return (float(np.trapezoid(actual[1], actual[0])) - baseline) / best


def _binary_sorted(
    y: Any, treatment: Any, uplift: Any, control: str, treated: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_arm_rows` of a 0/1 outcome (the normalised scores are defined for no other)."""
    target, is_t, score = _arm_rows(y, treatment, uplift, control, treated)
    if not np.isin(target, (0.0, 1.0)).all():
        raise DataError("the normalised Qini and AUUC need a 0/1 outcome")
    return target, is_t, score


def qini_auc_score(
    y: Any,
    treatment: Any,
    uplift: Any,
    *,
    control: str = "control",
    treated: str | None = None,
    negative_effect: bool = True,
) -> float:
    """Normalised area under the Qini curve, as scikit-uplift's ``qini_auc_score``.

    ``(A_model - A_random) / (A_perfect - A_random)`` with the curves over customer counts at
    each distinct predicted uplift; the perfect model ranks treated responders first and
    control responders last (``negative_effect=True``). 1 is perfect, 0 random. For a 0/1
    outcome only.
    """
    target, is_t, score = _binary_sorted(y, treatment, uplift, control, treated)
    t = is_t.astype(float)
    if negative_effect:
        perfect = _qini_points(target, is_t, target * t - target * (1 - t))
    else:
        gain = target[is_t].sum() - is_t.sum() * target[~is_t].sum() / (~is_t).sum()
        perfect = (np.array([0.0, gain, target.size]), np.array([0.0, gain, gain]))
    return _normalised(_qini_points(target, is_t, score), perfect)


def uplift_auc_score(
    y: Any, treatment: Any, uplift: Any, *, control: str = "control", treated: str | None = None
) -> float:
    """Normalised area under the uplift curve, as scikit-uplift's ``uplift_auc_score``.

    The uplift curve is ``(Y_t/N_t - Y_c/N_c)(N_t + N_c)`` at each distinct predicted uplift;
    normalised like :func:`qini_auc_score` with scikit-uplift's perfect ranking. For a 0/1
    outcome only.
    """
    target, is_t, score = _binary_sorted(y, treatment, uplift, control, treated)
    t = is_t.astype(float)
    control_responders = np.sum((target == 1) & ~is_t)
    treated_non_responders = np.sum((target == 0) & is_t)
    summand = target if control_responders > treated_non_responders else t
    perfect = _uplift_points(target, is_t, 2 * (target == t) + summand)
    return _normalised(_uplift_points(target, is_t, score), perfect)


def uplift_by_decile(
    y: Any,
    treatment: Any,
    uplift: Any,
    *,
    bins: int = 10,
    control: str = "control",
    treated: str | None = None,
) -> pd.DataFrame:
    """Observed response per arm and uplift in each decile of predicted uplift (1 = highest)."""
    target, is_t, score = _sorted_arms(y, treatment, uplift, control, treated)
    decile = (np.arange(target.size) * bins // target.size) + 1
    frame = pd.DataFrame({"decile": decile, "y": target, "treated": is_t, "predicted": score})
    g = frame.groupby("decile")
    out = pd.DataFrame(
        {
            "n_treatment": g["treated"].sum(),
            "n_control": g["treated"].size() - g["treated"].sum(),
            "response_treatment": frame[frame["treated"]].groupby("decile")["y"].mean(),
            "response_control": frame[~frame["treated"]].groupby("decile")["y"].mean(),
            "predicted_uplift": g["predicted"].mean(),
        }
    )
    out["observed_uplift"] = out["response_treatment"] - out["response_control"]
    return out


def uplift_categories(
    uplift: Any, p_control: Any, *, threshold: float = 0.02, likely: float | None = None
) -> np.ndarray:
    """Persuadable, sure thing, lost cause or do-not-disturb per customer.

    Persuadable: uplift >= ``threshold``; do-not-disturb: uplift <= ``-threshold``; of the
    rest, sure things would respond anyway (control response >= ``likely``, default the median
    control response) and lost causes would not (Kane et al. 2014).
    """
    tau = np.asarray(uplift, dtype=float)
    base = np.asarray(p_control, dtype=float)
    if tau.shape != base.shape:
        raise DataError("uplift and p_control differ in length")
    cut = float(np.median(base)) if likely is None else likely
    code = np.where(
        tau >= threshold, 0, np.where(tau <= -threshold, 3, np.where(base >= cut, 1, 2))
    )
    return np.asarray(UPLIFT_CATEGORIES, dtype=object)[code]
