"""A brand survey for the customer value map: quality, price and NPS against competitors.

A respondent's latent rating of a brand on an attribute is ``mean + bias + noise`` (a personal
bias shared across brands, and answer noise), reported rounded and clipped to 0-10. The truth
holds both the latent means and the exact expected reported scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from cvm.datasets._draw import id_width, ids, pick, take
from cvm.datasets.clock import Period

BRANDS = ("us", "Competitor A", "Competitor B", "Competitor C")
QUALITY = ("product quality", "range", "service", "delivery")
ATTRIBUTES = (*QUALITY, "price")  # price: satisfaction with the price paid (higher = better)
LATENT_MEANS = np.array(
    [
        [7.8, 7.0, 8.0, 6.5, 6.5],
        [7.2, 7.5, 6.8, 7.0, 7.0],
        [6.5, 6.0, 6.5, 7.5, 7.8],
        [8.2, 6.8, 7.2, 6.0, 5.5],
    ]
)
QUALITY_WEIGHTS = np.array([0.35, 0.15, 0.30, 0.20])  # relative importance within quality
PRICE_WEIGHT = 0.35
IMPORTANCE_CONCENTRATION = 50.0
BIAS_SD, NOISE_SD = 0.8, 1.2
NPS_MEAN, NPS_SD = 7.6, 2.0
LINKED_SHARE = 0.6
SURVEY_AT = 0.6  # fraction of the period at which the survey runs (for 30 days)


@dataclass
class Survey:
    frame: pd.DataFrame
    truth: dict[str, Any]


def expected_score(mean: np.ndarray | float, sd: float) -> np.ndarray:
    """E[clip(round(X), 0, 10)] for ``X ~ Normal(mean, sd)``."""
    mean = np.asarray(mean, dtype=float)
    k = np.arange(11)
    upper = np.where(k == 10, np.inf, k + 0.5)
    lower = np.where(k == 0, -np.inf, k - 0.5)
    prob = norm.cdf((upper - mean[..., None]) / sd) - norm.cdf((lower - mean[..., None]) / sd)
    return np.asarray((prob * k).sum(axis=-1))


def _score_share(mean: float, sd: float, low: float, high: float) -> float:
    return float(norm.cdf((high - mean) / sd) - norm.cdf((low - mean) / sd))


def importance_weights() -> np.ndarray:
    return np.concatenate([QUALITY_WEIGHTS * (1 - PRICE_WEIGHT), [PRICE_WEIGHT]])


def make_survey(
    rng: np.random.Generator,
    customer_ids: pd.Series,
    period: Period,
    n_respondents: int,
) -> Survey:
    """Long-format answers: one row per respondent, brand and attribute, plus one NPS row."""
    n_b, n_a = len(BRANDS), len(ATTRIBUTES)
    r = n_respondents
    n_linked = min(round(LINKED_SHARE * r), len(customer_ids))
    linked_row = np.full(r, -1, dtype=np.int64)
    linked_row[:n_linked] = rng.choice(len(customer_ids), n_linked, replace=False)
    linked = take(customer_ids, np.maximum(linked_row, 0)).where(linked_row >= 0)
    respondent = ids("R", np.arange(1, r + 1), id_width(r, 6))
    start = np.floor(SURVEY_AT * period.days)
    day = start + rng.uniform(0, min(30.0, period.days - start), r)

    latent = LATENT_MEANS[None] + rng.normal(0, BIAS_SD, (r, 1, 1))
    latent = latent + rng.normal(0, NOISE_SD, (r, n_b, n_a))
    score = np.clip(np.round(latent), 0, 10)
    weights = rng.dirichlet(IMPORTANCE_CONCENTRATION * importance_weights(), r)
    importance = np.broadcast_to(weights[:, None, :], (r, n_b, n_a))
    nps = np.clip(np.round(rng.normal(NPS_MEAN, NPS_SD, r)), 0, 10)

    who = np.repeat(np.arange(r), n_b * n_a)
    grid_brand = np.tile(np.repeat(np.arange(n_b), n_a), r)
    grid_attr = np.tile(np.arange(n_a), r * n_b)
    stamps = period.timestamps(day)
    survey_id = f"SRV-{period.date_at(start):%Y-%m}"
    ratings = pd.DataFrame(
        {
            "survey_id": survey_id,
            "respondent_id": take(respondent, who),
            "customer_id": take(linked, who),
            "ts": stamps.to_numpy()[who],
            "brand": pick(BRANDS, grid_brand),
            "attribute": pick(ATTRIBUTES, grid_attr),
            "score": score.reshape(-1),
            "importance": importance.reshape(-1),
        }
    )
    promoters = pd.DataFrame(
        {
            "survey_id": survey_id,
            "respondent_id": respondent,
            "customer_id": linked,
            "ts": stamps.to_numpy(),
            "brand": "us",
            "attribute": "nps",
            "score": nps,
            "importance": np.nan,
        }
    )
    frame = pd.concat([ratings, promoters], ignore_index=True)
    frame = frame.sort_values(["respondent_id", "attribute", "brand"], kind="stable")
    return Survey(frame.reset_index(drop=True), _truth(r, n_linked, survey_id))


def _truth(respondents: int, linked: int, survey_id: str) -> dict[str, Any]:
    sd = float(np.hypot(BIAS_SD, NOISE_SD))
    expected = expected_score(LATENT_MEANS, sd)
    weights = importance_weights()
    promoters = _score_share(NPS_MEAN, NPS_SD, 8.5, np.inf)
    detractors = _score_share(NPS_MEAN, NPS_SD, -np.inf, 6.5)

    def table(values: np.ndarray) -> dict[str, dict[str, float]]:
        return {
            b: {a: round(float(values[i, j]), 6) for j, a in enumerate(ATTRIBUTES)}
            for i, b in enumerate(BRANDS)
        }

    return {
        "survey_id": survey_id,
        "respondents": respondents,
        "linked_to_customers": linked,
        "brands": list(BRANDS),
        "own_brand": "us",
        "quality_attributes": list(QUALITY),
        "price_attribute": "price",
        "latent_means": table(LATENT_MEANS),
        "expected_scores": table(expected),
        "importance": {a: round(float(w), 6) for a, w in zip(ATTRIBUTES, weights, strict=True)},
        "price_weight": PRICE_WEIGHT,
        "score_model": (
            f"clip(round(mean + Normal(0, {BIAS_SD}) per respondent"
            f" + Normal(0, {NOISE_SD})), 0, 10)"
        ),
        "nps": {
            "latent_mean": NPS_MEAN,
            "sd": NPS_SD,
            "expected_score": round(float(expected_score(NPS_MEAN, NPS_SD)), 6),
            "promoters": round(promoters, 6),
            "detractors": round(detractors, 6),
            "nps": round(100 * (promoters - detractors), 4),
        },
    }
