"""The customer value map: quality, price and value ratios against competitors.

Following Gale (1994), a brand's market-perceived quality score is the importance-weighted sum
of its mean attribute ratings, ``Q_b = sum_a w_a * mean(score_ba)`` with the weights summing to
one over the quality attributes. Against a competitor ``c`` the quality ratio is ``Q_us / Q_c``;
against the market it is ``Q_us`` over the (share-weighted) average of the competitors'
scores. The relative price ratio is our perceived price over theirs (see
``SurveySettings.price_scale``) and the customer value ratio is quality ratio / price ratio.
All three are 1.0 at parity and above 1 an advantage in quality (a premium in price).
Intervals come from a respondent-level bootstrap: each replicate redraws whole respondents,
so the correlation between one person's ratings of all brands is kept.

References
----------
Gale, B. T. (1994). *Managing Customer Value: Creating Quality and Service That Customers Can
See*. Free Press, ch. 2-4 (quality profile, relative price, the customer value map).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cvm._exceptions import ConfigError, DataError
from cvm.survey.answers import ADVOCACY, RatingCube, rating_cube, subset
from cvm.survey.bootstrap import percentile_interval, replicate_means
from cvm.survey.settings import SurveySettings

MARKET = "market"
OVERALL = "overall"
MEASURES = ("quality", "price", "value")


@dataclass
class ValueMap:
    """The value analysis of one survey, overall and per group of respondents.

    Attributes
    ----------
    ratios : DataFrame
        Long table ``group, versus, attribute, measure, estimate, lower, upper, respondents``.
        ``versus`` is a competitor or ``"market"``; ``attribute`` a quality attribute (measure
        ``quality``) or ``"overall"`` (measures ``quality``, ``price``, ``value``).
    map : DataFrame
        One point per group and brand: ``relative_quality``, ``relative_price``,
        ``value_ratio`` against the (share-weighted) average of the other brands, with
        bounds; the points of the value map, where the fair-value line is ``y = x``.
    scores : DataFrame
        Mean rating per group, brand and attribute, plus the weighted ``quality`` score.
    weights : Series
        Importance weight of each quality attribute (overall; sums to one).
    """

    own_brand: str
    competitors: list[str]
    ratios: pd.DataFrame
    map: pd.DataFrame
    scores: pd.DataFrame
    weights: pd.Series
    settings: SurveySettings
    warnings: list[str] = field(default_factory=list)

    def table(self, group: str = "all") -> pd.DataFrame:
        """Overall ratios of one group, one row per competitor and the market."""
        sel = self.ratios[(self.ratios["group"] == group) & (self.ratios["attribute"] == OVERALL)]
        wide = sel.pivot(index="versus", columns="measure", values=["estimate", "lower", "upper"])
        out = pd.DataFrame(index=wide.index)
        for m in MEASURES:  # price and value are NaN when the survey asks no price
            for stat, name in (("estimate", "ratio"), ("lower", "lower"), ("upper", "upper")):
                out[f"{m}_{name}"] = wide[(stat, m)] if (stat, m) in wide else float("nan")
        order = [*self.competitors, MARKET]
        return out.reindex([v for v in order if v in out.index])

    def attribute_table(self, group: str = "all") -> pd.DataFrame:
        """Quality ratio per attribute (rows) against each competitor and the market (columns)."""
        sel = self.ratios[(self.ratios["group"] == group) & (self.ratios["measure"] == "quality")]
        wide = sel.pivot(index="attribute", columns="versus", values="estimate")
        rows = [*self.weights.index, OVERALL]
        return wide.reindex(index=rows, columns=[*self.competitors, MARKET])


@dataclass(frozen=True)
class _Layout:
    own: int
    competitors: np.ndarray
    quality: np.ndarray
    price: int | None
    shares: np.ndarray  # one per brand
    fixed_weights: np.ndarray | None


def _layout(cube: RatingCube, settings: SurveySettings) -> _Layout:
    brands, attrs = cube.brands, cube.attributes
    if settings.own_brand not in brands:
        raise DataError(
            f"own brand {settings.own_brand!r} is not among the surveyed brands"
            f" ({', '.join(brands)}); set [survey] own_brand in cvm.toml"
        )
    own = brands.index(settings.own_brand)
    competitors = np.array([i for i in range(len(brands)) if i != own])
    if not len(competitors):
        raise DataError("the survey rates no competitor: a value map needs at least one")
    quality = np.array([i for i, a in enumerate(attrs) if a != settings.price_attribute])
    if not len(quality):
        raise DataError("the survey rates no quality attribute (only price)")
    price = attrs.index(settings.price_attribute) if settings.price_attribute in attrs else None
    if settings.shares:
        missing = [b for b in brands if b not in settings.shares]
        if missing:
            raise ConfigError(f"survey shares: no share for brand {missing[0]!r}")
        shares = np.array([float(settings.shares[b]) for b in brands])
    else:
        shares = np.ones(len(brands))
    fixed = None
    if settings.weights:
        names = [attrs[i] for i in quality]
        missing = [a for a in names if a not in settings.weights]
        if missing:
            raise ConfigError(f"survey weights: no weight for attribute {missing[0]!r}")
        fixed = np.array([float(settings.weights[a]) for a in names])
        if not fixed.sum() > 0:
            raise ConfigError("survey weights must not all be zero")
    return _Layout(own, competitors, quality, price, shares, fixed)


def _quality_weights(importance: np.ndarray, lay: _Layout) -> np.ndarray:
    """(k, q) weights over the quality attributes, summing to one per replicate."""
    k = importance.shape[0]
    if lay.fixed_weights is not None:
        w = np.broadcast_to(lay.fixed_weights, (k, len(lay.quality)))
    else:
        w = importance[:, lay.quality]
        if np.isnan(w).all():
            w = np.ones_like(w)
    return w / w.sum(axis=1, keepdims=True)


def _reference(values: np.ndarray, of: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Share-weighted average over brands ``of`` (last-but-one axis of (k, b, ...))."""
    s = shares[of] / shares[of].sum()
    return np.tensordot(values[:, of], s, axes=([1], [0]))


def _price_ratio(own: np.ndarray, ref: np.ndarray, scale: str) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return own / ref if scale == "level" else ref / own


def _statistics(
    means: np.ndarray, importance: np.ndarray, lay: _Layout, scale: str
) -> dict[tuple[str, str, str], np.ndarray]:
    """Every ratio for k replicates at once: (versus, attribute, measure) -> (k,)."""
    weights = _quality_weights(importance, lay)
    quality = np.einsum("kbq,kq->kb", means[:, :, lay.quality], weights)
    out: dict[tuple[str, str, str], np.ndarray] = {}
    versus: list[tuple[str, np.ndarray]] = [(str(c), np.array([c])) for c in lay.competitors]
    versus.append((MARKET, lay.competitors))
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, of in versus:
            ref_attr = _reference(means, of, lay.shares)  # (k, a)
            for j in lay.quality:
                out[(name, str(j), "quality")] = means[:, lay.own, j] / ref_attr[:, j]
            q_ratio = quality[:, lay.own] / _reference(quality, of, lay.shares)
            out[(name, OVERALL, "quality")] = q_ratio
            if lay.price is not None:
                p_ratio = _price_ratio(means[:, lay.own, lay.price], ref_attr[:, lay.price], scale)
                out[(name, OVERALL, "price")] = p_ratio
                out[(name, OVERALL, "value")] = q_ratio / p_ratio
    return out


def _map_points(
    means: np.ndarray, importance: np.ndarray, lay: _Layout, scale: str
) -> dict[tuple[int, str], np.ndarray]:
    """(brand, measure) -> (k,) each brand against the average of all the others."""
    weights = _quality_weights(importance, lay)
    quality = np.einsum("kbq,kq->kb", means[:, :, lay.quality], weights)
    out: dict[tuple[int, str], np.ndarray] = {}
    n_brands = means.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        for b in range(n_brands):
            others = np.array([c for c in range(n_brands) if c != b])
            q = quality[:, b] / _reference(quality, others, lay.shares)
            out[(b, "relative_quality")] = q
            if lay.price is not None:
                ref = _reference(means[:, :, lay.price], others, lay.shares)
                p = _price_ratio(means[:, b, lay.price], ref, scale)
                out[(b, "relative_price")] = p
                out[(b, "value_ratio")] = q / p
    return out


def _check_rated(cube: RatingCube, lay: _Layout, group: str) -> None:
    cols = [*lay.quality] + ([lay.price] if lay.price is not None else [])
    rated = np.isfinite(cube.score[:, :, cols]).any(axis=0)
    if not rated.all():
        b, j = np.argwhere(~rated)[0]
        raise DataError(
            f"no rating of brand {cube.brands[b]!r} on {cube.attributes[cols[j]]!r}"
            f" (respondents: {group}): every brand needs ratings on every attribute"
        )
    if lay.fixed_weights is None:
        has = np.isfinite(cube.importance[:, lay.quality]).any(axis=0)
        if has.any() and not has.all():
            missing = cube.attributes[lay.quality[np.argmin(has)]]
            raise DataError(
                f"importance is given for some quality attributes but not for {missing!r};"
                " give it for all of them or set [survey.weights]"
            )


def _analyse(
    cube: RatingCube, lay: _Layout, settings: SurveySettings, group: str, seed: int
) -> tuple[list[dict], list[dict], pd.DataFrame, np.ndarray]:
    n, n_b, n_a = cube.score.shape
    values = np.concatenate([cube.score.reshape(n, -1), cube.importance], axis=1)
    rng = np.random.default_rng(seed)
    point, reps = replicate_means(values, settings.n_boot, rng)
    both = np.vstack([point[None], reps])
    means = both[:, : n_b * n_a].reshape(-1, n_b, n_a)
    importance = both[:, n_b * n_a :]
    scale = settings.price_scale
    ratio_rows = []
    for (versus, attr, measure), arr in _statistics(means, importance, lay, scale).items():
        lo, hi = percentile_interval(arr[1:], settings.confidence)
        ratio_rows.append(
            {
                "group": group,
                "versus": cube.brands[int(versus)] if versus != MARKET else MARKET,
                "attribute": attr if attr == OVERALL else cube.attributes[int(attr)],
                "measure": measure,
                "estimate": float(arr[0]),
                "lower": float(lo),
                "upper": float(hi),
                "respondents": n,
            }
        )
    points: dict[int, dict] = {}
    for (b, measure), arr in _map_points(means, importance, lay, scale).items():
        lo, hi = percentile_interval(arr[1:], settings.confidence)
        row = points.setdefault(b, {"group": group, "brand": cube.brands[b], "respondents": n})
        row[measure] = float(arr[0])
        row[f"{measure}_lower"], row[f"{measure}_upper"] = float(lo), float(hi)
    weights = _quality_weights(importance[:1], lay)[0]
    quality = np.einsum("bq,q->b", means[0][:, lay.quality], weights)
    scores = pd.DataFrame(means[0], index=pd.Index(cube.brands, name="brand"))
    scores.columns = cube.attributes
    scores["quality"] = quality
    scores = scores.reset_index()
    scores.insert(0, "group", group)
    return ratio_rows, list(points.values()), scores, weights


def customer_value_map(
    answers: pd.DataFrame | RatingCube,
    settings: SurveySettings | None = None,
    *,
    groups: pd.Series | None = None,
) -> ValueMap:
    """Quality, price and value ratios from survey answers, with bootstrap intervals.

    Parameters
    ----------
    answers : DataFrame or RatingCube
        Long answers with ``respondent`` (or ``respondent_id``), ``brand``, ``attribute``,
        ``score`` and optionally ``importance`` and ``customer_id``; rows of the ``nps`` and
        ``csat`` attributes are ignored.
    settings : SurveySettings
        Own brand, price convention, shares, weights, confidence and bootstrap size.
    groups : Series, optional
        Group label per respondent (index: respondent as in ``answers``); respondents without
        a label are left out of the group rows (they stay in ``"all"``).

    Returns
    -------
    ValueMap
    """
    settings = settings or SurveySettings()
    if isinstance(answers, RatingCube):
        cube = answers
    else:
        keep = ~answers["attribute"].isin(ADVOCACY)
        cube = rating_cube(answers[keep])
    lay = _layout(cube, settings)
    _check_rated(cube, lay, "all")
    ratio_rows, map_rows, score_frames = [], [], []
    r, m, s, weights = _analyse(cube, lay, settings, "all", settings.seed)
    ratio_rows += r
    map_rows += m
    score_frames.append(s)
    notes: list[str] = []
    if groups is not None:
        labels = pd.Series(cube.respondents).map(groups).to_numpy(object)
        present = pd.notna(labels)
        for i, label in enumerate(sorted({str(v) for v in labels[present]})):
            keep = present & (labels.astype(str) == label)
            part = subset(cube, keep)
            try:
                _check_rated(part, lay, label)
            except DataError as exc:
                notes.append(f"group {label!r} left out: {exc}")
                continue
            r, m, s, _ = _analyse(part, lay, settings, label, settings.seed + i + 1)
            ratio_rows += r
            map_rows += m
            score_frames.append(s)
    names = [cube.attributes[j] for j in lay.quality]
    return ValueMap(
        own_brand=settings.own_brand,
        competitors=[cube.brands[c] for c in lay.competitors],
        ratios=pd.DataFrame(ratio_rows),
        map=pd.DataFrame(map_rows),
        scores=pd.concat(score_frames, ignore_index=True),
        weights=pd.Series(weights, index=pd.Index(names, name="attribute"), name="weight"),
        settings=settings,
        warnings=notes,
    )
