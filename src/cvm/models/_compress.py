"""Collapse identical rows into one weighted row, and split a summary by frequency once per
fit: fitting cost follows distinct histories."""

from __future__ import annotations

from collections.abc import Mapping

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


class FrequencySplit:
    """A summary ``(x, t_x, T)`` split once per fit, for likelihoods with constant pieces:
    the distinct frequencies with their summed weights, the customers without repeat purchases
    (``T0``, ``w0``) and the repeat buyers (``x``, ``t_x``, ``T``, ``w``, ``inv``: the index of
    each one's frequency in ``xu``)."""

    def __init__(self, data: Mapping[str, np.ndarray], weights: np.ndarray) -> None:
        x, t_x, T = data["x"], data["t_x"], data["T"]
        self.xu, inv = np.unique(x, return_inverse=True)
        self.wu = np.bincount(inv, weights=weights, minlength=self.xu.size)
        self.total = float(weights.sum())
        zero = x == 0
        self.T0, self.w0 = T[zero], weights[zero]
        rep = ~zero
        self.x, self.t_x, self.T, self.w = x[rep], t_x[rep], T[rep], weights[rep]
        self.inv = inv[rep]
