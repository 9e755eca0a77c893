"""Versioned schema migrations: ``migrations/NNNN_name.sql`` applied in order, once each."""

from __future__ import annotations

import re
from importlib import resources

import duckdb

from cvm._exceptions import WorkspaceError
from cvm.workspace.connection import transaction

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available() -> list[tuple[int, str]]:
    """(version, file name) of every migration shipped with cvm, in order."""
    found = []
    for entry in resources.files("cvm.workspace.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name))
    return sorted(found)


def latest_version() -> int:
    return available()[-1][0]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database (0 for an empty one; read-only opens work)."""
    try:
        rows = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()
    except duckdb.CatalogException:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER NOT NULL, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        return 0
    return int(rows[0][0])


def pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a shipped migration is not yet applied (read-only safe: creates nothing)."""
    try:
        rows = con.execute("SELECT version FROM schema_version").fetchall()
    except duckdb.CatalogException:
        return True
    done = {int(r[0]) for r in rows}
    return any(version not in done for version, _ in available())


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> list[int]:
    """Apply every shipped migration not yet applied, in order, up to ``target`` (default: all).

    Versions are compared as a set, not only against the newest: a migration numbered below
    one already applied (merged from a parallel branch) is still applied once.
    """
    current_version(con)
    done = {int(r[0]) for r in con.execute("SELECT version FROM schema_version").fetchall()}
    newest = latest_version()
    if done and max(done) > newest:
        raise WorkspaceError(
            f"workspace schema is version {max(done)}, newer than this cvm supports ({newest}):"
            " upgrade cvm"
        )
    applied = []
    for version, name in available():
        if version in done or (target is not None and version > target):
            continue
        sql = resources.files("cvm.workspace.migrations").joinpath(name).read_text("utf-8")
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
        applied.append(version)
    return applied
