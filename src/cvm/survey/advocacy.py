"""Net Promoter Score and customer satisfaction, with intervals, per group and brand.

NPS is the share of promoters (9-10) minus the share of detractors (0-6), in points. Its
variance follows from the multinomial: with shares ``p`` (promoters) and ``d`` (detractors)
of ``n`` answers, ``Var(p - d) = (p + d - (p - d)**2) / n``; the interval is normal.
CSAT is the share of satisfied answers (at or above a threshold) with a Wilson interval, and
the mean score with a t interval.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review* 81(12).
Rocks, B. (2016). Confidence intervals for the Net Promoter Score (the multinomial variance).
Wilson, E. B. (1927). Probable inference... *JASA* 22(158), 209-212.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from cvm._exceptions import DataError

PROMOTER_MIN, DETRACTOR_MAX = 9.0, 6.0
CLASSES = ("promoter", "passive", "detractor")


def nps_class(score: ArrayLike) -> np.ndarray:
    """'promoter' (9-10), 'passive' (7-8) or 'detractor' (0-6) for each 0-10 answer.

    >>> nps_class([10, 9, 8, 7, 6, 0]).tolist()
    ['promoter', 'promoter', 'passive', 'passive', 'detractor', 'detractor']
    """
    s = np.asarray(score, dtype=float)
    return np.where(
        s >= PROMOTER_MIN, "promoter", np.where(s <= DETRACTOR_MAX, "detractor", "passive")
    )


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def net_promoter(scores: ArrayLike, confidence: float = 0.95) -> dict[str, float]:
    """NPS of 0-10 answers: shares of each class, NPS in points and its interval.

    >>> got = net_promoter([10, 10, 9, 8, 3])
    >>> got["respondents"], round(got["nps"], 1), round(got["promoters"], 2)
    (5, 40.0, 0.6)
    """
    s = np.asarray(scores, dtype=float)
    s = s[np.isfinite(s)]
    n = len(s)
    if not n:
        raise DataError("no NPS answers (attribute 'nps') to score")
    p = float(np.mean(s >= PROMOTER_MIN))
    d = float(np.mean(s <= DETRACTOR_MAX))
    nps = p - d
    se = np.sqrt(max(p + d - nps**2, 0.0) / n)
    z = _z(confidence)
    return {
        "respondents": n,
        "promoters": p,
        "passives": 1 - p - d,
        "detractors": d,
        "nps": 100 * nps,
        "lower": 100 * max(nps - z * se, -1.0),
        "upper": 100 * min(nps + z * se, 1.0),
        "mean_score": float(s.mean()),
    }


def _grouped(
    answers: pd.DataFrame, attribute: str, groups: pd.Series | None
) -> list[tuple[str, str, pd.Series]]:
    frame = answers[answers["attribute"] == attribute]
    parts: list[tuple[str, str, pd.Series]] = [
        ("all", str(b), f["score"]) for b, f in frame.groupby("brand", sort=True)
    ]
    if groups is not None and not frame.empty:
        label = frame["respondent"].map(groups)
        linked = frame.assign(label=label).dropna(subset=["label"])
        for (g, b), f in linked.groupby(["label", "brand"], sort=True):
            parts.append((str(g), str(b), f["score"]))
    return parts


def nps_table(
    answers: pd.DataFrame, groups: pd.Series | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """NPS per brand, overall (group ``all``) and per respondent group."""
    parts = _grouped(answers, "nps", groups)
    if not parts:
        raise DataError("no NPS answers (attribute 'nps') in the survey")
    rows = [{"group": g, "brand": b, **net_promoter(s, confidence)} for g, b, s in parts]
    return pd.DataFrame(rows)


def satisfaction(
    scores: ArrayLike, satisfied_min: float, confidence: float = 0.95
) -> dict[str, float]:
    """Share satisfied (score >= ``satisfied_min``) with a Wilson interval, and the mean."""
    s = np.asarray(scores, dtype=float)
    s = s[np.isfinite(s)]
    n = len(s)
    if not n:
        raise DataError("no CSAT answers (attribute 'csat') to score")
    z = _z(confidence)
    share = float(np.mean(s >= satisfied_min))
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    mean = float(s.mean())
    sem = float(s.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    t = float(stats.t.ppf(0.5 + confidence / 2, max(n - 1, 1)))
    return {
        "respondents": n,
        "csat": 100 * share,
        "lower": 100 * (centre - half),
        "upper": 100 * (centre + half),
        "mean_score": mean,
        "mean_lower": mean - t * sem,
        "mean_upper": mean + t * sem,
    }


def default_satisfied_min(scores: pd.Series) -> float:
    """4 on a 1-5 scale (answers never above 5), else 8 on a 0-10 scale (top boxes)."""
    return 4.0 if float(scores.max()) <= 5 else 8.0


def csat_table(
    answers: pd.DataFrame,
    groups: pd.Series | None = None,
    satisfied_min: float | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """CSAT per brand, overall (group ``all``) and per respondent group."""
    parts = _grouped(answers, "csat", groups)
    if not parts:
        raise DataError("no CSAT answers (attribute 'csat') in the survey")
    cut = satisfied_min
    if cut is None:
        cut = default_satisfied_min(answers.loc[answers["attribute"] == "csat", "score"])
    rows = [
        {"group": g, "brand": b, "satisfied_min": cut, **satisfaction(s, cut, confidence)}
        for g, b, s in parts
    ]
    return pd.DataFrame(rows)


def nps_by_value(
    answers: pd.DataFrame, scores: pd.DataFrame, own_brand: str, confidence: float = 0.95
) -> pd.DataFrame:
    """CLV and churn risk of linked respondents by NPS class (promoter, passive, detractor).

    ``scores`` holds ``customer_id``, ``clv``, ``p_alive`` (one CLV run); churn risk is
    ``1 - P(alive)``. The last row, ``all``, also carries the Spearman correlation between
    the NPS answer and CLV.
    """
    nps = answers[(answers["attribute"] == "nps") & (answers["brand"] == own_brand)]
    linked = nps.dropna(subset=["customer_id"]).merge(scores, on="customer_id", how="inner")
    if linked.empty:
        raise DataError(
            "no NPS respondent is linked to a scored customer: link respondents by customer_id"
            " and run `cvm score`"
        )
    linked = linked.assign(nps_class=nps_class(linked["score"]), churn_risk=1 - linked["p_alive"])
    z = _z(confidence)
    g = linked.groupby("nps_class")
    table = pd.DataFrame(
        {
            "respondents": g.size(),
            "mean_clv": g["clv"].mean(),
            "clv_se": g["clv"].std(ddof=1) / np.sqrt(g.size()),
            "median_clv": g["clv"].median(),
            "churn_risk": g["churn_risk"].mean(),
            "mean_nps_score": g["score"].mean(),
        }
    ).reindex(list(CLASSES))
    rho = stats.spearmanr(linked["score"], linked["clv"]).statistic if len(linked) > 2 else np.nan
    total = pd.DataFrame(
        {
            "respondents": [len(linked)],
            "mean_clv": [linked["clv"].mean()],
            "clv_se": [linked["clv"].std(ddof=1) / np.sqrt(len(linked))],
            "median_clv": [linked["clv"].median()],
            "churn_risk": [linked["churn_risk"].mean()],
            "mean_nps_score": [linked["score"].mean()],
        },
        index=["all"],
    )
    table = pd.concat([table, total])
    table["clv_lower"] = table["mean_clv"] - z * table["clv_se"]
    table["clv_upper"] = table["mean_clv"] + z * table["clv_se"]
    table["spearman_nps_clv"] = np.nan
    table.loc["all", "spearman_nps_clv"] = float(rho)
    table["respondents"] = table["respondents"].fillna(0).astype(int)
    table.index.name = "nps_class"
    return table.drop(columns="clv_se")
