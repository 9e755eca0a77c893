"""A scratch engine: a private in-memory database for work on files outside the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from cvm.engines.base import Engine
from cvm.engines.duckdb import DuckDBEngine


@contextmanager
def scratch_engine() -> Iterator[Engine]:
    """An engine on a private in-memory database, closed after the block.

    For work on files outside the store (reading or rewriting a Parquet file) that must not
    touch the workspace's connection or its open transaction.
    """
    con = duckdb.connect()
    try:
        yield DuckDBEngine(con)
    finally:
        con.close()
