"""Small vectorised helpers shared by the simulator: categorical draws and text columns.

Text columns are built with Arrow compute kernels and handed to pandas as Arrow-backed
strings, so millions of ids and JSON fragments never pass through Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Text: TypeAlias = pd.Series | pa.Array | pa.ChunkedArray | str


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of ``probs`` (each row sums to 1)."""
    cum: np.ndarray = np.cumsum(np.asarray(probs, dtype=float), axis=-1)
    cum[..., -1] = 1.0
    u = rng.random((cum.shape[0],))
    return (u[:, None] > cum).sum(axis=1)


def choice(rng: np.random.Generator, probs: np.ndarray | Sequence[float], size: int) -> np.ndarray:
    """``size`` category indices drawn from one probability vector."""
    cum = np.cumsum(np.asarray(probs, dtype=float))
    return np.minimum(np.searchsorted(cum / cum[-1], rng.random(size), side="right"), cum.size - 1)


def arrow(values: Any) -> pa.Array | pa.ChunkedArray:
    """A string column as Arrow (Series, numpy array, list or Arrow array)."""
    if isinstance(values, pd.Series):
        values = pa.array(values.astype("str"))
    elif not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(values, type=pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values if values.type == pa.large_string() else values.cast(pa.large_string())


def text(values: Any) -> pd.Series:
    """An Arrow-backed pandas string column (missing values stay missing)."""
    return pd.Series(arrow(values), dtype="str")


def pick(vocabulary: Sequence[str] | Any, index: np.ndarray) -> pd.Series:
    """``vocabulary[index]`` as a string column."""
    return text(
        pc.take(arrow(list(vocabulary) if isinstance(vocabulary, Sequence) else vocabulary), index)
    )


def take(values: Any, index: np.ndarray) -> pd.Series:
    """Rows ``index`` of a string column."""
    return text(pc.take(arrow(values), pa.array(np.asarray(index, dtype=np.int64))))


def join(*parts: Text) -> pd.Series:
    """Concatenate string columns and literals row by row; a missing part gives a missing row."""
    pieces = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else arrow(p) for p in parts]
    return text(pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string())))


def numbers(values: np.ndarray, decimals: int | None = None) -> pa.Array:
    """Numbers as text (``decimals`` rounds first)."""
    array = np.asarray(values)
    if decimals is not None:
        array = np.round(array, decimals)
    return pc.cast(pa.array(array), pa.large_string())


def id_width(count: int, minimum: int = 7) -> int:
    return max(minimum, len(str(max(count, 1))))


def ids(prefix: str, numbers_: np.ndarray, width: int) -> pd.Series:
    """``prefix`` then each number zero-padded to ``width`` digits: C0000001, ..."""
    digits = pc.cast(pa.array(np.asarray(numbers_, dtype=np.int64)), pa.string())
    return join(prefix, pc.utf8_lpad(digits, width, padding="0"))


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_ids(rng: np.random.Generator, size: int) -> pd.Series:
    """Random 16-hex-digit identifiers (anonymous ids)."""
    raw = rng.integers(0, 256, size=(size, 8), dtype=np.uint8)
    nibbles = np.stack([raw >> 4, raw & 15], axis=2).reshape(size, 16)
    chars = _HEX[nibbles]
    offsets = pa.py_buffer(np.arange(0, 16 * size + 1, 16, dtype=np.int32).tobytes())
    data = pa.py_buffer(np.ascontiguousarray(chars).tobytes())
    return text(pa.StringArray.from_buffers(size, offsets, data).cast(pa.large_string()))
