"""The contract every engine keeps: the few operations jobs need, and what it can do."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from cvm._exceptions import CvmError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import sqlglot.expressions as exp

    from cvm.engines.sql import Query

Statement: TypeAlias = "Query | exp.Expression | str"
"""What an engine runs: a named SQL file, a SQLGlot tree built from one, or rendered SQL."""

Params: TypeAlias = Mapping[str, Any] | None
"""Bound parameters, by name only (``$name`` in the SQL)."""

FrameFn: TypeAlias = "Callable[[pd.DataFrame], pd.DataFrame]"


def location(base: str | Path, *parts: str) -> str | Path:
    """``base``/``parts`` as an engine reads or writes it.

    A local folder is an absolute Path (Spark's JVM may run in another folder); a URI
    (``hdfs:///``, ``s3a://``, ``abfss://``) stays text, because a Path collapses its ``//``.
    """
    text = str(base)
    if "://" in text:
        return "/".join([text.rstrip("/"), *parts])
    return Path(text, *parts).absolute()


"""What :meth:`Engine.map_frames` applies to each batch."""


class EngineError(CvmError):
    """A job asked an engine for something it cannot do."""


class Capability(StrEnum):
    """What an engine may or may not do beyond the common contract."""

    CSV_SNIFF = "csv_sniff"  # read_csv with type and dialect sniffing, line numbers
    REJECT_TABLES = "reject_tables"  # per-row rejects of a CSV read, with their lines
    TRANSACTIONS = "transactions"  # all-or-nothing writes to the store
    MEMORY_LIMIT = "memory_limit"  # a cap on the engine's memory, spilling to disk
    FILE_LOCK = "file_lock"  # a single-writer lock on the store's file
    JSON_FUNCTIONS = "json_functions"  # DuckDB's json_* scalar functions


class Engine(ABC):
    """Runs named SQL with bound parameters; registers frames; transactions; Parquet."""

    name: str = "engine"
    dialect: str = "duckdb"
    capabilities: frozenset[Capability] = frozenset()
    error: type[Exception] = Exception
    """The driver's base error: ``except ws.engine.error`` where a job recovers from one."""
    missing_object: type[Exception] = LookupError
    """The driver's error for a table, column or function that does not exist."""

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability, what: str) -> None:
        """Refuse ``what`` up front on an engine without ``capability``."""
        if capability not in self.capabilities:
            raise EngineError(
                f"{what} needs {capability.value!r}, which the {self.name} engine does not have;"
                " run it with the duckdb engine"
            )

    @abstractmethod
    def render(self, statement: Statement) -> str:
        """The SQL text this engine runs for ``statement``, in its own dialect."""

    @abstractmethod
    def run(self, statement: Statement, params: Params = None) -> None:
        """Execute a statement (or a file of them) for its effect."""

    @abstractmethod
    def frame(self, statement: Statement, params: Params = None) -> pd.DataFrame:
        """The result as a pandas frame."""

    @abstractmethod
    def arrow(self, statement: Statement, params: Params = None) -> pa.Table:
        """The result as an Arrow table."""

    @abstractmethod
    def batches(
        self,
        statement: Statement,
        params: Params = None,
        *,
        rows: int = 1_000_000,
    ) -> pa.RecordBatchReader:
        """The result as a stream of Arrow batches of at most ``rows`` rows."""

    @abstractmethod
    def rows(self, statement: Statement, params: Params = None) -> list[tuple]:
        """The result as a list of tuples (for small results)."""

    def one(self, statement: Statement, params: Params = None) -> tuple | None:
        """The first row, or None."""
        got = self.rows(statement, params)
        return got[0] if got else None

    def scalar(self, statement: Statement, params: Params = None) -> Any:
        """The first column of the first row, or None."""
        row = self.one(statement, params)
        return None if row is None else row[0]

    def script(self, query: Query, params: Params = None) -> None:
        """Run a file of several statements in order, each bound to the ``$name``s it uses.

        A driver may bind parameters to one statement at a time (DuckDB does), so the file's
        statements run one by one as SQLGlot trees.
        """
        import sqlglot.expressions as exp

        values = dict(params or {})
        for tree in query.statements():
            used = {p.name for p in tree.find_all(exp.Placeholder)}
            missing = sorted(used - set(values))
            if missing:
                raise EngineError(f"{query}: no value for ${', $'.join(missing)}")
            self.run(tree, {k: values[k] for k in used} if used else None)

    @abstractmethod
    def register(self, name: str, data: Any) -> AbstractContextManager[None]:
        """Make a frame or Arrow table readable as ``name`` for the block."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Engine]:
        """All or nothing; nested blocks join the outer one."""

    def write_parquet(
        self,
        statement: Statement,
        path: str | Path,
        params: Params = None,
        *,
        partition_by: list[str] | None = None,
    ) -> None:
        """Write the result of ``statement`` to Parquet at ``path``."""
        self._write_parquet(statement, path, params, list(partition_by or ()))

    @abstractmethod
    def _write_parquet(
        self, statement: Statement, path: str | Path, params: Params, partition_by: list[str]
    ) -> None:
        """:meth:`write_parquet` on this engine; ``partition_by`` empty for a single file."""

    @abstractmethod
    def view(self, name: str, statement: Statement) -> None:
        """Name ``statement`` (no parameters) as the temporary view ``name``."""

    @abstractmethod
    def materialize(self, name: str, statement: Statement, params: Params = None) -> None:
        """Keep the result of ``statement`` as the temporary table ``name`` for this session."""

    def map_frames(
        self,
        name: str,
        statement: Statement,
        fn: FrameFn,
        schema: pa.Schema,
        params: Params = None,
    ) -> None:
        """Apply ``fn`` to the result in pandas batches; keep its output as ``name``.

        The numpy scoring of the models runs here: batch by batch on DuckDB, inside
        ``mapInPandas`` on Spark's executors. ``fn`` returns frames with ``schema``'s columns.
        """
        self._map_frames(name, statement, fn, schema, params)

    @abstractmethod
    def _map_frames(
        self, name: str, statement: Statement, fn: FrameFn, schema: pa.Schema, params: Params
    ) -> None:
        """:meth:`map_frames` on this engine."""

    @abstractmethod
    def memory_limit(self, limit: str | None) -> AbstractContextManager[None]:
        """Cap the engine's memory for a block (no-op where it has no such cap)."""

    def tables(self) -> Iterator[str]:
        """Names of the stored base tables."""
        rows = self.rows(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return iter(str(r[0]) for r in rows)
