"""The one place that opens DuckDB, applies settings and wraps its errors."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from cvm._exceptions import WorkspaceBusyError, WorkspaceError
from cvm.engines.duckdb import bound, limits, memory_limit
from cvm.workspace.served import Served, served

DB_NAME = "cvm.duckdb"

__all__ = [
    "DB_NAME",
    "connect",
    "lock_holder",
    "lock_wait",
    "locked_memory",
    "memory_limit",
    "transaction",
]


LOCK_WAIT_ENV = "CVM_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 10.0
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def connect(
    path: Path | str,
    *,
    read_only: bool = False,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    memory: str | None = None,
    temp_directory: Path | str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the workspace database, waiting a while for a lock another process holds.

    DuckDB lets one process write a database file, or any number read it. A reader opens
    with ``read_only=True`` so readers never block each other. When the file is locked, the
    open is retried with a growing pause for up to ``wait`` seconds (default
    ``$CVM_LOCK_WAIT``, else 10); ``on_wait`` is told once who holds the lock. Past that,
    :class:`~cvm._exceptions.WorkspaceBusyError` says who holds it and what to do.

    Every job on the connection runs under ``memory`` (a size or a share of RAM; when not
    named, :data:`cvm.engines.duckdb.DEFAULT_MEMORY`, below DuckDB's own 80%) and spills to
    ``temp_directory`` beyond it (when not named: ``<file>.tmp`` beside a database file, a
    folder of this process in the system's temp folder for ``:memory:``): this is the one place
    the workspace's ``[duckdb]`` settings are applied.
    """
    limit = lock_wait() if wait is None else wait
    deadline = time.monotonic() + limit
    pause = 0.05
    told = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.ConnectionException as exc:
            if read_only:  # this process already writes the file: share its instance
                con = duckdb.connect(str(path))
                break
            raise WorkspaceError(
                f"cannot open {Path(path).name} for writing: this process has it open"
                " read-only; close that first"
            ) from exc
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None and "lock" not in str(exc).lower():
                raise WorkspaceError(f"cannot open {path}: {_first_line(exc)}") from None
            server = served(Path(path).parent)
            if server is not None:  # a server holds it for as long as it runs: no wait
                raise _served_busy(Path(path), server, read_only) from None
            left = deadline - time.monotonic()
            if left <= 0:
                raise _busy(Path(path), holder, limit) from None
            if on_wait is not None and not told:
                who = f"{holder[0]}, PID {holder[1]}" if holder else "another process"
                on_wait(f"waiting for the lock held by {who} (up to {limit:g} s)")
                told = True
            time.sleep(min(pause, left))
            pause = min(pause * 2, 1.0)
    con.execute("SET TimeZone = 'UTC'; SET enable_progress_bar = false")
    in_memory = str(path) == ":memory:"
    bound(con, memory, temp_directory or (None if in_memory else f"{path}.tmp"))
    return con


def lock_wait() -> float:
    """Seconds to wait for a locked workspace: ``$CVM_LOCK_WAIT`` or 10."""
    raw = os.environ.get(LOCK_WAIT_ENV, "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_LOCK_WAIT
    except ValueError:
        value = DEFAULT_LOCK_WAIT
    return max(0.0, min(value, 3600.0))


def lock_holder(message: str) -> tuple[str, int] | None:
    """(process name, PID) of the lock holder named in DuckDB's lock error, if it says."""
    found = _HOLDER.search(message)
    if not found:
        return None
    pid = int(found.group("pid"))
    return _process_name(pid, found.group("program")), pid


def _process_name(pid: int, program: str) -> str:
    """``cvm serve`` for a cvm command (read from /proc where there is one), else the program."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        words = [a.decode(errors="replace") for a in argv if a]
    except OSError:
        words = []
    for i, word in enumerate(words):
        if Path(word).name == "cvm" or "cvm.cli" in word:
            rest = [w for w in words[i + 1 : i + 3] if not w.startswith("-")]
            return " ".join(["cvm", *rest[:1]])
    return Path(program).name


def _busy(path: Path, holder: tuple[str, int] | None, waited: float) -> WorkspaceBusyError:
    who = f"{holder[0]} (PID {holder[1]})" if holder else "another process"
    return WorkspaceBusyError(
        f"workspace {path.parent.name or path.parent} is busy: {who} holds its lock (waited"
        f" {waited:g} s); run this again when it has finished (or stop it), or set"
        f" {LOCK_WAIT_ENV}=<seconds> to wait longer"
    )


def _served_busy(path: Path, server: Served, read_only: bool) -> WorkspaceBusyError:
    where = f"this workspace is served by cvm serve at {server.url} (PID {server.pid})"
    if read_only:
        todo = f"read it through the server ({server.url}/v1/...), or stop the server"
    else:
        todo = (
            f"run the job through it: curl -X POST {server.url}/v1/jobs -H 'Authorization:"
            " Bearer <admin key>' -H 'Content-Type: application/json' -d '{\"kind\": \"score\"}'"
            " (kinds: fit, score, segment, churn, plan; then GET /v1/jobs/<id> for its progress),"
            f" or stop the server (kill {server.pid})"
        )
    return WorkspaceBusyError(f"{where}; {todo}")


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def locked_memory(memory: str | None = None) -> duckdb.DuckDBPyConnection:
    """An empty in-memory database that cannot reach files, the network or extensions.

    User-written expressions run here (see :mod:`cvm.rules`): external access is off and the
    configuration is locked, so no statement can turn it back on. DuckDB applies both settings
    to a whole database instance, which is why this is a separate database fed the data it
    needs rather than the workspace's own connection (which must read and write files). It is
    capped like every connection (:func:`cvm.engines.duckdb.limits`), set before the lock; it
    has no spill folder, as no file may be written with external access off (it reads the
    profile in place, registered, and holds only the rules' results).
    """
    return duckdb.connect(
        ":memory:",
        config={
            "memory_limit": limits(memory)["memory_limit"],
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "lock_configuration": True,
        },
    )


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
