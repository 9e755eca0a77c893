"""A workspace: a folder with ``cvm.toml`` and ``cvm.duckdb``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from cvm._exceptions import WorkspaceError
from cvm.engines import DuckDBEngine, Engine, fill, sql_file
from cvm.settings import Settings
from cvm.workspace.config import CONFIG_NAME, DEFAULT_CONFIG, Config, load_config
from cvm.workspace.connection import DB_NAME, connect
from cvm.workspace.schema import current_version, migrate, pending


def connection_limits(root: Path, config: Config) -> dict[str, Any]:
    """The ``[duckdb]`` memory cap and spill folder of the workspace at ``root``."""
    duck = config.settings.duckdb
    return {"memory": duck.memory_limit, "temp_directory": duck.temp_directory or root / ".tmp"}


class Workspace:
    """An open workspace; use ``Workspace.create`` or ``Workspace.open``.

    Holds one DuckDB connection for its lifetime; close it (or use ``with``) to release the
    file lock so another process can open the workspace.
    """

    def __init__(self, path: Path, config: Config, con: duckdb.DuckDBPyConnection) -> None:
        self.path = path
        self.config = config
        self.con = con

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return self._con

    @con.setter
    def con(self, value: duckdb.DuckDBPyConnection) -> None:
        """A new connection (after compaction, say) brings its engine with it."""
        self._con = value
        self.engine: Engine = DuckDBEngine(value, memory=self.settings.duckdb.memory_limit)

    @property
    def settings(self) -> Settings:
        """Every ``cvm.toml`` section, typed and checked when the workspace opened."""
        return self.config.settings

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        name: str | None = None,
        currency: str | None = None,
        exist_ok: bool = False,
    ) -> Workspace:
        """Make a new workspace in ``path`` (created if missing) and open it.

        ``currency`` (ISO 4217, default USD) is the currency amounts are stored in: rows in
        another currency need a rate in ``[currencies]``. An existing workspace is refused,
        unless ``exist_ok=True``: then it is opened as it is (its ``cvm.toml`` untouched), so
        a notebook cell that creates a workspace can be run again.
        """
        root = Path(path)
        code = None if currency is None else currency.strip().upper()
        if code is not None and not re.fullmatch(r"[A-Z]{3}", code):
            raise WorkspaceError(f"currency must be a 3-letter ISO 4217 code, got {currency!r}")
        if (root / CONFIG_NAME).exists() or (root / DB_NAME).exists():
            if exist_ok and (root / CONFIG_NAME).exists():
                return cls.open(root)
            raise WorkspaceError(
                f"{root} already holds a workspace: open it (Workspace.open, or -w {root} on"
                " the command line), or pass exist_ok=True to Workspace.create"
            )
        root.mkdir(parents=True, exist_ok=True)
        text = DEFAULT_CONFIG.format(name=name or root.resolve().name)
        if code is not None:
            text = text.replace('currency = "USD"', f'currency = "{code}"', 1)
        (root / CONFIG_NAME).write_text(text, encoding="utf-8")
        return cls.open(root)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        read_only: bool = False,
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> Workspace:
        """Open an existing workspace, migrating its schema to this version of cvm.

        ``read_only=True`` is for anything that only reads: any number of readers can hold
        the workspace at once (a writer waits until they close). A workspace whose schema is
        behind is migrated first, in a short read-write open. A locked workspace is waited
        for (``wait`` seconds, default ``$CVM_LOCK_WAIT`` or 10; ``on_wait`` hears who holds
        it) before :class:`~cvm._exceptions.WorkspaceBusyError`.
        """
        root = Path(path)
        if not (root / CONFIG_NAME).exists():
            raise WorkspaceError(f"{root} is not a workspace (no {CONFIG_NAME}); run `cvm init`")
        config = load_config(root / CONFIG_NAME)
        if read_only and not (root / DB_NAME).exists():
            read_only = False  # a new workspace: create the database once
        limits = connection_limits(root, config)
        con = connect(root / DB_NAME, read_only=read_only, wait=wait, on_wait=on_wait, **limits)
        if read_only and pending(con):
            con.close()
            con = connect(root / DB_NAME, wait=wait, on_wait=on_wait, **limits)
            migrate(con)
            con.close()
            con = connect(root / DB_NAME, read_only=True, wait=wait, on_wait=on_wait, **limits)
        elif not read_only:
            migrate(con)
        return cls(root, config, con)

    def reconnect(self) -> None:
        """Open the workspace's database again (after compaction swapped its file)."""
        self.con = connect(self.path / DB_NAME, **connection_limits(self.path, self.config))

    def cursor(self) -> Workspace:
        """Another handle on this open database, for another thread (a DuckDB cursor).

        A server owns one workspace, the single writer, and gives each request its own
        cursor: nothing opens the file per request. Closing the cursor leaves this one open.
        """
        con = self.con.cursor()
        con.execute("SET TimeZone = 'UTC'")
        return type(self)(self.path, self.config, con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the workspace's database."""
        return current_version(self.con)

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    def table_counts(self) -> dict[str, int]:
        """Row count of every stored table (not views or temporary tables), for `cvm info`."""
        counts = {}
        for (n,) in self.engine.rows(sql_file(__package__, "stored_tables.sql")):
            rows = fill(sql_file(__package__, "table_rows.sql"), table=n)
            counts[n] = int(self.engine.scalar(rows))
        return counts

    def record_run(
        self,
        kind: str,
        *,
        model: str | None = None,
        params: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
        cutoff: datetime | None = None,
    ) -> str:
        """Insert a row in ``model_runs`` and return its id; derived tables carry this id."""
        import json

        run_id = f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.engine.run(
            sql_file(__package__, "record_run.sql"),
            {
                "run_id": run_id,
                "kind": kind,
                "model": model,
                "params": json.dumps(params or {}, default=float),
                "metrics": json.dumps(metrics or {}, default=float),
                "cutoff": cutoff,
            },
        )
        return run_id
