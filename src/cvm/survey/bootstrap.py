"""Respondent-level bootstrap as resampling weights, so every replicate is a matrix product.

A replicate draws respondents with replacement; that is the same as weighting each
respondent by how often it was drawn, a multinomial count. Weighted means of all ratings for
all replicates are then ``counts @ ratings`` (Efron & Tibshirani, *An Introduction to the
Bootstrap*, 1993, ch. 6 and 13 for percentile intervals).
"""

from __future__ import annotations

import numpy as np

CHUNK_CELLS = 4_000_000  # replicate x respondent weights held at once


def resample_counts(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, n) how many times each respondent is drawn in each replicate."""
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)


def weighted_means(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Means of ``values`` (n, m; NaN = missing) under each row of ``weights`` (k, n).

    Returns (k, m); NaN where a replicate holds no answer for a column.
    """
    present = np.isfinite(values)
    filled = np.where(present, values, 0.0)
    total = weights @ filled
    count = weights @ present.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def replicate_means(
    values: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(point estimate (m,), bootstrap replicates (n_boot, m)) of the column means."""
    n = values.shape[0]
    point = weighted_means(np.ones((1, n)), values)[0]
    step = max(1, CHUNK_CELLS // max(n, 1))
    parts = [
        weighted_means(resample_counts(n, min(step, n_boot - i), rng), values)
        for i in range(0, n_boot, step)
    ]
    return point, np.concatenate(parts, axis=0)


def percentile_interval(replicates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along the first axis, ignoring replicates that are NaN."""
    tail = 100 * (1 - confidence) / 2
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lower = np.nanpercentile(replicates, tail, axis=0)
            upper = np.nanpercentile(replicates, 100 - tail, axis=0)
    return lower, upper
