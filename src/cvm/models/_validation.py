"""Input checks shared by the models: one clear ``DataError`` naming the offending rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from cvm._exceptions import DataError

_SHOWN = 5


def _rows(mask: np.ndarray) -> str:
    """The first few offending row indices, as text for an error message."""
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(int(i)) for i in idx[:_SHOWN])
    more = f" and {idx.size - _SHOWN} more" if idx.size > _SHOWN else ""
    return f"rows {shown}{more}" if idx.size > 1 else f"row {shown}"


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
        raise DataError(f"{name} has missing or infinite values at {_rows(bad)}")
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


def require(condition_bad: np.ndarray, message: str) -> None:
    """Raise ``DataError`` with ``message`` and the offending rows where ``condition_bad``."""
    if condition_bad.any():
        raise DataError(f"{message} at {_rows(condition_bad)}")


def check_counts(x: np.ndarray, name: str = "frequency") -> None:
    """Counts are non-negative whole numbers."""
    require(x < 0, f"{name} must be >= 0")
    require(x != np.round(x), f"{name} must be a whole number of transactions")


def check_rfm(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate a (frequency, recency, T) summary as lifetimes' utils do.

    Frequency counts repeat transactions, recency is the age at the last one (0 when there is
    none), T the age at the end of observation, all in the same time unit.
    """
    x = as_array(frequency, "frequency")
    t_x = as_array(recency, "recency")
    t = as_array(T, "T")
    check_same_length(frequency=x, recency=t_x, T=t)
    check_counts(x)
    require(t_x < 0, "recency must be >= 0")
    require(t <= 0, "T must be > 0")
    require(t_x > t, "recency must be <= T (the last purchase cannot be after the end)")
    require((x == 0) & (t_x > 0), "frequency is 0 but recency > 0 (recency must be 0 then)")
    return x, t_x, t


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
