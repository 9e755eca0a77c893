"""The default engine: the workspace's own DuckDB connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot.expressions as exp

from cvm.engines.base import Capability, Engine, Params, Statement
from cvm.engines.sql import Query

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

_OLD_NAMES = ("fetch_arrow_table", "fetch_record_batch")  # duckdb 1.4


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

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.native = con
        self._depth = 0

    def render(self, statement: Statement) -> str:
        if isinstance(statement, Query):
            return statement.text
        if isinstance(statement, exp.Expression):
            return statement.sql(dialect=self.dialect)
        return statement

    def _execute(self, statement: Statement, params: Params) -> duckdb.DuckDBPyConnection:
        sql = self.render(statement)
        if params is None:
            return self.native.execute(sql)
        return self.native.execute(sql, dict(params))

    def run(self, statement: Statement, params: Params = None) -> None:
        self._execute(statement, params)

    def frame(self, statement: Statement, params: Params = None) -> pd.DataFrame:
        return self._execute(statement, params).df()

    def arrow(self, statement: Statement, params: Params = None) -> pa.Table:
        result = self._execute(statement, params)
        # duckdb 1.4 names it fetch_arrow_table; later versions to_arrow_table
        fetch = getattr(result, "to_arrow_table", None) or getattr(result, _OLD_NAMES[0])
        return fetch()

    def batches(
        self, statement: Statement, params: Params = None, *, rows: int = 1_000_000
    ) -> pa.RecordBatchReader:
        # a relation streams its batches; an executed result is held whole, then copied
        bound = None if params is None else dict(params)
        relation = self.native.sql(self.render(statement), params=bound)
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

    def write_parquet(
        self,
        statement: Statement,
        path: Path,
        params: Params = None,
        *,
        partition_by: list[str] | None = None,
    ) -> None:
        target = str(path).replace("'", "''")
        options = "FORMAT parquet"
        if partition_by:
            cols = ", ".join(exp.to_identifier(c, quoted=True).sql("duckdb") for c in partition_by)
            options += f", PARTITION_BY ({cols})"
        self._execute(f"COPY ({self.render(statement)}) TO '{target}' ({options})", params)

    @contextmanager
    def memory_limit(self, limit: str | None) -> Iterator[None]:
        from cvm.workspace.connection import memory_limit

        with memory_limit(self.native, limit):
            yield
