"""Compaction: rewrite the database into a new file and swap it in, so that deleted rows leave
no bytes behind.

DuckDB reuses the blocks that deleted rows free but does not overwrite them, and CHECKPOINT
keeps them in the file: only a rebuild drops them. The workspace's connection (its lock) is
held while a copy is written beside the database (``COPY FROM DATABASE``); the copy replaces
the file in one rename, then the connection reopens on it. A crash leaves the old file or the
new one, each whole and with the same rows.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from cvm._exceptions import WorkspaceError
from cvm.engines import Capability, sql_file
from cvm.workspace.connection import DB_NAME

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["compact_workspace", "compaction_pending"]

COPY_NAME = "_cvm_compact"


def compaction_pending(ws: Workspace) -> int:
    """Erasures whose bytes may still be in the database file (compaction not yet done)."""
    row = ws.engine.one(sql_file(__package__, "pending.sql"))
    return int(row[0]) if row else 0


def compact_workspace(ws: Workspace) -> float:
    """Rebuild the workspace database without free blocks; returns the seconds it took.

    Needs the workspace open read-write (it holds the lock throughout). Erasures logged before
    are marked compacted in the new file only, so an interrupted compaction stays pending.
    """
    start = time.perf_counter()
    db = Path(ws.path) / DB_NAME
    tmp = db.with_name(f"{DB_NAME}.compact")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    engine = ws.engine
    engine.require(Capability.FILE_LOCK, "compaction")
    row = engine.one(sql_file(__package__, "current_database.sql"))
    name = str(row[0]) if row else "cvm"
    engine.run(sql_file(__package__, "checkpoint.sql"))
    engine.run(sql_file(__package__, "attach_copy.sql"), {"copy": str(tmp)})
    try:
        engine.run(copy_database(name))
        engine.run(sql_file(__package__, "mark_compacted.sql"))
    finally:
        engine.run(sql_file(__package__, "detach_copy.sql"))
    _fsync(tmp)
    os.replace(tmp, db)  # the lock is still held on the old file
    _fsync(db.parent)
    ws.close()
    try:
        # the workspace's own connection is reopened on the new file (DuckDB's file lock)
        ws.reconnect()
    except WorkspaceError as exc:
        raise WorkspaceError(
            f"the workspace was compacted, but another process opened it first: {exc}"
        ) from exc
    return time.perf_counter() - start


def copy_database(name: str) -> str:
    """``COPY FROM DATABASE`` of database ``name`` into the attached copy.

    SQLGlot does not parse this DuckDB statement, so it is rendered here from SQLGlot-quoted
    identifiers (the name is the catalog's ``current_database()``), never from raw text.

    >>> copy_database('cvm')
    'COPY FROM DATABASE "cvm" TO "_cvm_compact"'
    """
    source = exp.to_identifier(name, quoted=True).sql("duckdb")
    target = exp.to_identifier(COPY_NAME, quoted=True).sql("duckdb")
    return f"COPY FROM DATABASE {source} TO {target}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
