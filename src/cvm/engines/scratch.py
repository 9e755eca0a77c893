"""A scratch engine: a private in-memory database for work on files outside the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from cvm.engines.base import Engine
from cvm.engines.duckdb import DuckDBEngine, bound


@contextmanager
def scratch_engine(
    memory: str | None = None, temp_directory: Path | str | None = None
) -> Iterator[Engine]:
    """An engine on a private in-memory database, closed after the block.

    For work on files outside the store (reading or rewriting a Parquet file) that must not
    touch the workspace's connection or its open transaction. It is capped and spills like
    every connection (:func:`cvm.engines.duckdb.bound`).
    """
    con = duckdb.connect()
    try:
        bound(con, memory, temp_directory)
        yield DuckDBEngine(con)
    finally:
        con.close()
