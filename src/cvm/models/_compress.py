"""Collapse identical rows into one weighted row: fitting cost follows distinct histories."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Above this share of distinct values in one column, rows are (nearly) all distinct and
# compressing would cost more than it saves.
_DISTINCT_SHARE = 0.5


def unique_rows(
    columns: dict[str, np.ndarray], weights: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Unique rows of the stacked columns with the summed weights of their duplicates.

    Hash-based (``pandas.factorize``) rather than ``np.unique(axis=0)``, which sorts and is
    several times slower at a million rows. When one column alone is mostly distinct (continuous
    recency and T) the rows are returned unchanged.
    """
    n = weights.shape[0]
    key = np.zeros(n, dtype=np.int64)
    cardinality = 1
    for values in columns.values():
        codes, uniques = pd.factorize(values, sort=False)
        k = len(uniques)
        if k > _DISTINCT_SHARE * n:
            return columns, weights
        if cardinality * k >= 2**62:
            key, _ = pd.factorize(key, sort=False)
            cardinality = int(key.max()) + 1
        key = key * k + codes
        cardinality *= k
    group, group_keys = pd.factorize(key, sort=False)
    m = len(group_keys)
    if m == n:
        return columns, weights
    first = np.empty(m, dtype=np.int64)
    first[group[::-1]] = np.arange(n - 1, -1, -1)
    summed = np.bincount(group, weights=weights, minlength=m)
    keep = summed > 0
    first = first[keep]
    return {name: v[first] for name, v in columns.items()}, summed[keep]
