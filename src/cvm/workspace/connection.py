"""The one place that opens DuckDB, applies settings and wraps its errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from cvm._exceptions import WorkspaceError

DB_NAME = "cvm.duckdb"


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the workspace database; a lock held by another process gives a clear error."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise WorkspaceError(f"cannot open {path}: {exc}") from exc
    con.execute("SET TimeZone = 'UTC'; SET enable_progress_bar = false")
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
