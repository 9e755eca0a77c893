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


def locked_memory() -> duckdb.DuckDBPyConnection:
    """An empty in-memory database that cannot reach files, the network or extensions.

    User-written expressions run here (see :mod:`cvm.rules`): external access is off and the
    configuration is locked, so no statement can turn it back on. DuckDB applies both settings
    to a whole database instance, which is why this is a separate database fed the data it
    needs rather than the workspace's own connection (which must read and write files).
    """
    return duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "lock_configuration": True,
        },
    )


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """Cap DuckDB's memory for a block (it spills to disk beyond), then reset it.

    Bulk loads use it so that a file of any size loads in bounded memory. Workspace connections
    otherwise keep DuckDB's default limit, which the reset restores exactly.
    """
    if not limit:
        yield
        return
    size = _size(limit)
    try:
        con.execute(f"SET memory_limit = '{size}'")
        yield
    finally:
        con.execute("RESET memory_limit")


def _size(value: str) -> str:
    """A memory size such as '1.5GB' or '1.5 GiB', checked before it reaches SQL."""
    import re

    from cvm._exceptions import ConfigError

    text = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", text, flags=re.IGNORECASE):
        raise ConfigError(f"memory limit {value!r}: expected a size such as '1.5GB'")
    return text


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
