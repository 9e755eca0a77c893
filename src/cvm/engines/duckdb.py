"""The default engine: the workspace's own DuckDB connection."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot.expressions as exp

from cvm._exceptions import ConfigError
from cvm.engines.base import Capability, Engine, FrameFn, Params, Statement
from cvm.engines.sql import Query

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

_OLD_NAMES = ("fetch_arrow_table", "fetch_arrow_reader")  # duckdb 1.4

DEFAULT_MEMORY = "60%"
"""The cap of a connection that no ``[duckdb] memory_limit`` names. DuckDB's own default, 80% of
RAM, leaves too little beside it for the Python side of a job (model fits, scoring batches)."""


class DuckDBEngine(Engine):
    """Runs SQL files as written (their dialect is DuckDB's) on one connection.

    ``native`` is the connection itself, for the workspace module and for work that declares a
    DuckDB-only capability (CSV sniffing and reject tables in ingest).
    """

    name = "duckdb"
    dialect = "duckdb"
    capabilities = frozenset(Capability)
    error = duckdb.Error
    missing_object = duckdb.CatalogException

    def __init__(self, con: duckdb.DuckDBPyConnection, *, memory: str | None = None) -> None:
        self.native = con
        self.memory = memory  # the connection's own cap, given back after a tighter block
        self._depth = 0

    def render(self, statement: Statement) -> str:
        if isinstance(statement, Query):
            return statement.text
        if isinstance(statement, exp.Expression):
            return statement.sql(dialect=self.dialect)
        return statement

    def _inner(self, statement: Statement) -> str:
        """The statement's SQL to embed in another (``COPY (...)``, ``AS ...``): one query,
        without the semicolon that ends a file."""
        return self.render(statement).strip().rstrip(";").strip()

    def _execute(self, statement: Statement, params: Params) -> duckdb.DuckDBPyConnection:
        sql = self.render(statement)
        if params is None:
            return self.native.execute(sql)
        return self.native.execute(sql, dict(params))

    def run(self, statement: Statement, params: Params = None) -> None:
        self._execute(statement, params)

    def frame(self, statement: Statement, params: Params = None) -> pd.DataFrame:
        return self._execute(statement, params).df()

    def _relation(self, statement: Statement, params: Params) -> duckdb.DuckDBPyRelation:
        """A lazy relation: Arrow comes out of it without the copy a DB-API result makes."""
        sql = self.render(statement)
        return self.native.sql(sql, params=dict(params)) if params else self.native.sql(sql)

    def arrow(self, statement: Statement, params: Params = None) -> pa.Table:
        relation = self._relation(statement, params)
        # duckdb 1.4 names it fetch_arrow_table; later versions to_arrow_table
        fetch = getattr(relation, "to_arrow_table", None) or getattr(relation, _OLD_NAMES[0])
        return fetch()

    def batches(
        self, statement: Statement, params: Params = None, *, rows: int = 1_000_000
    ) -> pa.RecordBatchReader:
        # a relation streams its batches; an executed result is held whole, then copied
        relation = self._relation(statement, params)
        fetch = getattr(relation, "to_arrow_reader", None) or getattr(relation, _OLD_NAMES[1])
        return fetch(rows)

    def rows(self, statement: Statement, params: Params = None) -> list[tuple]:
        return self._execute(statement, params).fetchall()

    @contextmanager
    def register(self, name: str, data: Any) -> Iterator[None]:
        self.native.register(name, data)
        try:
            yield
        finally:
            self.native.unregister(name)

    @contextmanager
    def transaction(self) -> Iterator[Engine]:
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self.native.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self.native.execute("ROLLBACK")
            raise
        self._depth = 0
        self.native.execute("COMMIT")

    def _write_parquet(
        self, statement: Statement, path: str | Path, params: Params, partition_by: list[str]
    ) -> None:
        target = str(path).replace("'", "''")
        options = "FORMAT parquet"
        if partition_by:
            cols = ", ".join(exp.to_identifier(c, quoted=True).sql("duckdb") for c in partition_by)
            options += f", PARTITION_BY ({cols})"
        self._execute(f"COPY ({self._inner(statement)}) TO '{target}' ({options})", params)

    def view(self, name: str, statement: Statement) -> None:
        ident = exp.to_identifier(name, quoted=True).sql(self.dialect)
        self.native.execute(f"CREATE OR REPLACE TEMP VIEW {ident} AS {self._inner(statement)}")

    def materialize(self, name: str, statement: Statement, params: Params = None) -> None:
        ident = exp.to_identifier(name, quoted=True).sql(self.dialect)
        self._execute(f"CREATE OR REPLACE TEMP TABLE {ident} AS {self._inner(statement)}", params)

    def _map_frames(
        self, name: str, statement: Statement, fn: FrameFn, schema: pa.Schema, params: Params
    ) -> None:
        import pyarrow as pa

        reader = self.batches(statement, params, rows=1_000_000)
        parts = [
            pa.Table.from_pandas(fn(batch.to_pandas()), schema=schema, preserve_index=False)
            for batch in reader
        ]
        result = pa.concat_tables(parts) if parts else schema.empty_table()
        self.native.register(f"{name}__arrow", result)
        try:
            self.materialize(name, f'SELECT * FROM "{name}__arrow"')
        finally:
            self.native.unregister(f"{name}__arrow")

    @contextmanager
    def memory_limit(self, limit: str | None) -> Iterator[None]:
        with memory_limit(self.native, limit, self.memory):
            yield


def limits(memory: str | None = None, temp_directory: Path | str | None = None) -> dict[str, str]:
    """The settings that bound a DuckDB connection: its memory cap (``memory``, a size or a
    share of RAM; :data:`DEFAULT_MEMORY` when not named) and the folder it spills to beyond it
    (``temp_directory``; when not named, a folder of this process in the system's temp folder,
    where DuckDB's own default is ``.tmp`` in whatever folder the process runs in)."""
    spill = temp_directory or Path(tempfile.gettempdir()) / f"cvm-spill-{os.getpid()}"
    return {"memory_limit": memory_size(memory or DEFAULT_MEMORY), "temp_directory": str(spill)}


def bound(
    con: duckdb.DuckDBPyConnection,
    memory: str | None = None,
    temp_directory: Path | str | None = None,
) -> None:
    """Apply :func:`limits` to an open connection: every DuckDB connection cvm opens passes here
    (the workspace's through :func:`cvm.workspace.connection.connect`, scratch ones too), so
    every job, whatever it is, runs capped and spills to disk rather than growing."""
    for name, value in limits(memory, temp_directory).items():
        con.execute(f"SET {name} = $v", {"v": value})


@contextmanager
def memory_limit(
    con: duckdb.DuckDBPyConnection, limit: str | None, restore: str | None = None
) -> Iterator[None]:
    """Cap DuckDB's memory for a block (it spills to disk beyond), then restore the cap before.

    Bulk loads use it so that a file of any size loads in bounded memory; the connection's own
    cap (``restore``: the workspace's ``[duckdb] memory_limit``; else the cap the connection had
    when the block began) holds again after the block.
    """
    if not limit:
        yield
        return
    size = memory_size(limit)
    before = restore or _current_limit(con)
    try:
        con.execute(f"SET memory_limit = '{size}'")
        yield
    finally:
        con.execute("SET memory_limit = $v", {"v": memory_size(before)})


def _current_limit(con: duckdb.DuckDBPyConnection) -> str:
    """The connection's cap as a size :func:`memory_size` takes ('13.9 GiB' -> '13.9GiB')."""
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    return str(row[0]).replace(" ", "") if row else DEFAULT_MEMORY


def memory_size(value: str) -> str:
    """A memory size such as '1.5GB' or '1.5 GiB', checked before it reaches SQL.

    A share of RAM ('60%') becomes a size here: older DuckDB versions take sizes only.
    """
    text = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B|\d{1,2}(\.\d+)?%", text, flags=re.IGNORECASE):
        raise ConfigError(f"memory limit {value!r}: expected a size such as '1.5GB' or '60%'")
    if text.endswith("%"):
        return f"{max(int(_ram_mib() * float(text[:-1]) / 100), 64)}MiB"
    return text


def _ram_mib() -> float:
    """This machine's RAM in MiB (4 GiB where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (AttributeError, ValueError, OSError):
        return 4096.0
