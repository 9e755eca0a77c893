"""Input checks shared by the models: one clear ``DataError`` naming the offending rows.

When the input is a pandas Series indexed by customer (as a summary is), the message names
the customers (its index labels) instead of row positions; results of the predictions are then
a Series on the same index (see :func:`like_input`), as lifetimes returns them.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from cvm._exceptions import DataError

_SHOWN = 5


def series_index(*values: Any) -> Any:
    """The index of the first pandas Series among ``values`` (None when there is none).

    pandas is not imported for this: a Series can only exist once pandas is loaded.
    """
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


def like_input(result: Any, *inputs: Any, name: str | None = None) -> Any:
    """``result`` as a Series on the index of the first Series input (arrays stay arrays)."""
    index = series_index(*inputs)
    result = np.asarray(result)
    if index is None or result.ndim != 1 or result.shape[0] != len(index):
        return result
    import pandas as pd

    return pd.Series(result, index=index, name=name)


def _labels(index: Any) -> Any:
    """Index labels worth naming in a message: not a plain 0..n-1 range (positions say it)."""
    if index is None:
        return None
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return None
    return index


def _rows(mask: np.ndarray, labels: Any = None) -> str:
    """The first few offending rows (customer labels when known), as text for a message."""
    idx = np.flatnonzero(mask)
    more = f" and {idx.size - _SHOWN} more" if idx.size > _SHOWN else ""
    if labels is not None and len(labels) == mask.shape[0]:
        shown = ", ".join(str(labels[int(i)]) for i in idx[:_SHOWN])
        return f"for customers {shown}{more}" if idx.size > 1 else f"for customer {shown}"
    shown = ", ".join(str(int(i)) for i in idx[:_SHOWN])
    return f"at rows {shown}{more}" if idx.size > 1 else f"at row {shown}"


def as_array(values: Any, name: str) -> np.ndarray:
    """A 1-d float64 array of finite values, or a ``DataError`` naming the bad rows."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric: {exc}") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise DataError(f"{name} must be one-dimensional, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = _rows(bad, _labels(series_index(values)))
        raise DataError(f"{name} has missing or infinite values {where}")
    return arr


def check_same_length(**arrays: np.ndarray) -> int:
    """The common length of the arrays; empty or mismatched input is a ``DataError``."""
    lengths = {name: a.shape[0] for name, a in arrays.items()}
    sizes = set(lengths.values())
    if len(sizes) > 1:
        raise DataError(f"inputs differ in length: {lengths}")
    n = sizes.pop()
    if n == 0:
        raise DataError("no customers given: the inputs are empty")
    return n


def require(condition_bad: np.ndarray, message: str, labels: Any = None) -> None:
    """Raise ``DataError`` with ``message`` and the offending rows where ``condition_bad``
    (named by ``labels``, e.g. customer ids, when given)."""
    if condition_bad.any():
        raise DataError(f"{message} {_rows(condition_bad, _labels(labels))}")


def check_counts(x: np.ndarray, name: str = "frequency", labels: Any = None) -> None:
    """Counts are non-negative whole numbers."""
    require(x < 0, f"{name} must be >= 0", labels)
    require(x != np.round(x), f"{name} must be a whole number of transactions", labels)


def check_rfm(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate a (frequency, recency, T) summary as lifetimes' utils do.

    Frequency counts repeat transactions, recency is the age at the last one (0 when there is
    none), T the age at the end of observation, all in the same time unit.
    """
    x = as_array(frequency, "frequency")
    t_x = as_array(recency, "recency")
    t = as_array(T, "T")
    check_same_length(frequency=x, recency=t_x, T=t)
    labels = series_index(frequency, recency, T)
    check_counts(x, labels=labels)
    require(t_x < 0, "recency must be >= 0", labels)
    require(t < 0, "T must be >= 0", labels)
    require(t_x > t, "recency must be <= T (the last purchase cannot be after the end)", labels)
    require((x == 0) & (t_x > 0), "frequency is 0 but recency > 0 (recency must be 0 then)", labels)
    return x, t_x, t


def observed(
    x: np.ndarray, t_x: np.ndarray, t: np.ndarray, w: np.ndarray, model: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows with T > 0, warning how many were left out of a fit.

    A customer whose first purchase is at the end of observation (T = 0, as a summary at the
    day of a first purchase gives) was observed for no time: its likelihood term is exactly 0
    in every model here, so lifetimes keeps it to no effect. It is left out with a warning
    that counts it; predictions for it are defined (P(alive) 1, the forecast of a new
    customer).
    """
    zero = t == 0
    if not zero.any():
        return x, t_x, t, w
    import warnings

    warnings.warn(
        f"{w[zero].sum():g} customer(s) with T = 0 (first purchase at the end of"
        f" observation) carry no information and are left out of the {model} fit",
        UserWarning,
        stacklevel=3,
    )
    keep = ~zero
    return x[keep], t_x[keep], t[keep], w[keep]


def check_weights(weights: Any, n: int) -> np.ndarray:
    """Row weights (counts of identical customers): finite, >= 0 and not all zero."""
    if weights is None:
        return np.ones(n)
    w = as_array(weights, "weights")
    if w.shape[0] != n:
        raise DataError(f"weights has {w.shape[0]} values for {n} customers")
    require(w < 0, "weights must be >= 0")
    if not (w > 0).any():
        raise DataError("all weights are zero: nothing to fit")
    return w
