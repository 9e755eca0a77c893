"""The Spark engine: the same SQL files, transpiled from DuckDB's dialect by SQLGlot.

Spark runs the set-based work when data outgrows one machine. Nothing here distributes or
schedules anything: PySpark does, on whatever master it is given (``local[2]`` in tests, a
standalone, YARN or Kubernetes cluster, or Databricks in production, with ``spark-submit``).
Sources are Parquet folders (or Delta, where the session has it) registered as views under the
canonical table names, so a job's SQL reads ``transactions`` as it does on DuckDB.

What DuckDB alone does is declared missing: CSV sniffing and reject tables (ingest stays on
DuckDB), a file lock, a memory cap (Spark's own executors manage memory). Writes go to Parquet,
which Spark commits per job, so ``transaction()`` only groups statements.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
import sqlglot.expressions as exp

from cvm._exceptions import ConfigError
from cvm.engines.base import Engine, EngineError, FrameFn, Params, Statement
from cvm.engines.sql import READ_DIALECT, Query

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

SOURCE_TABLES = ("transactions", "customers", "events", "order_items", "subscriptions")


def java_missing() -> str | None:
    """Why Spark cannot start here (no Java), or None."""
    if os.environ.get("JAVA_HOME") or shutil.which("java"):
        return None
    return "Spark needs Java 17 or later: install a JDK (e.g. apt install openjdk-17-jre-headless)"


def spark_session(
    master: str = "local[2]", config: Mapping[str, str] | None = None
) -> SparkSession:
    """A Spark session for cvm's jobs (UTC, Arrow transfers, no UI unless configured)."""
    why = java_missing()
    if why:
        raise EngineError(why)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the spark engine needs PySpark: pip install 'cvm[spark]'") from None
    # the workers' Python must be this one, which has cvm and its dependencies
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("cvm")
    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        # a run writes its own run_id=... folder and leaves the earlier runs' folders alone
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        **(config or {}),
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    # PySpark also logs a refused statement (with its plan) before raising it; cvm reports
    # the error itself, in one line (cvm.cli._common.spark_failure)
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    return session


class SparkEngine(Engine):
    """Runs cvm's SQL on a Spark session, reading sources from Parquet (or Delta) folders."""

    name = "spark"
    dialect = "spark"
    capabilities = frozenset()

    def __init__(self, session: SparkSession, sources: Mapping[str, str | Path] | None = None):
        from pyspark.errors import AnalysisException, PySparkException

        self.session = session
        self.error = PySparkException
        self.missing_object = AnalysisException
        given = dict(sources or {})
        for table in SOURCE_TABLES:  # a source not given is absent, not an earlier engine's view
            if table not in given:
                session.catalog.dropTempView(table)
        for table, location in given.items():
            self.read(table, location)

    def read(self, table: str, location: str | Path) -> None:
        """Register a Parquet (or Delta) folder or file as the view ``table``."""
        path = str(location)
        if "://" not in path:  # a local folder, checked here; a URI is the cluster's to read
            if not Path(path).exists():
                raise ConfigError(f"{table}: no such Parquet folder or file {Path(path).name!r}")
            path = str(Path(path).absolute())  # Spark's JVM may run in another folder
        from py4j.protocol import Py4JJavaError

        fmt = "parquet"
        try:
            fmt = "delta" if self._is_delta(path) else fmt
            frame = self.session.read.format(fmt).load(path)
        except (self.error, Py4JJavaError) as exc:  # an empty folder, files not Parquet, a URI
            # whose scheme has no file system here
            text = str(exc.java_exception) if isinstance(exc, Py4JJavaError) else str(exc)
            first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
            raise ConfigError(
                f"{table}: cannot read {Path(path).name!r} as {fmt}: {first}"
            ) from None
        frame.createOrReplaceTempView(table)

    def _is_delta(self, path: str) -> bool:
        """A Delta table has a ``_delta_log`` folder; read as plain Parquet, its folder would
        also yield the files of older versions. A URI is asked of the cluster's file system."""
        if "://" not in path:
            return Path(path, "_delta_log").is_dir()
        jvm: Any = self.session.sparkContext._jvm
        log = jvm.org.apache.hadoop.fs.Path(path.rstrip("/") + "/_delta_log")
        conf = self.session.sparkContext._jsc.hadoopConfiguration()
        fs = log.getFileSystem(conf)
        return bool(fs.exists(log))

    def render(self, statement: Statement) -> str:
        return ";\n".join(self._statements(statement))

    def _statements(self, statement: Statement) -> list[str]:
        if isinstance(statement, exp.Expression):
            return [statement.sql(dialect=self.dialect)]
        text = statement.text if isinstance(statement, Query) else statement
        return list(_transpiled(text))

    def _frame(self, statement: Statement, params: Params) -> DataFrame:
        if isinstance(statement, exp.Expression):
            steps = _created([statement])
        else:
            steps = list(_temporary(statement.text if isinstance(statement, Query) else statement))
        result = None
        for sql, created in steps:
            used = {k: v for k, v in (params or {}).items() if f":{k}" in sql}
            result = self.session.sql(sql, args=used or None)
            if created is not None:  # a temp table or view: kept from the query, see _created
                name, keep = created
                (result.cache() if keep else result).createOrReplaceTempView(name)
        if result is None:
            raise EngineError("an empty statement")
        return result

    def dataframe(self, statement: Statement, params: Params = None) -> DataFrame:
        """The result as a Spark DataFrame (lazy), for work that stays on the cluster."""
        return self._frame(statement, params)

    def run(self, statement: Statement, params: Params = None) -> None:
        self._frame(statement, params)

    def frame(self, statement: Statement, params: Params = None) -> pd.DataFrame:
        return self.arrow(statement, params).to_pandas()

    def arrow(self, statement: Statement, params: Params = None) -> pa.Table:
        return self._frame(statement, params).toArrow()

    def batches(
        self, statement: Statement, params: Params = None, *, rows: int = 1_000_000
    ) -> pa.RecordBatchReader:
        import pyarrow as pa

        table = self.arrow(statement, params)
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(rows))

    def rows(self, statement: Statement, params: Params = None) -> list[tuple]:
        return [tuple(r) for r in self._frame(statement, params).collect()]

    @contextmanager
    def register(self, name: str, data: Any) -> Iterator[None]:
        self.session.createDataFrame(data).createOrReplaceTempView(name)
        try:
            yield
        finally:
            self.session.catalog.dropTempView(name)

    @contextmanager
    def transaction(self) -> Iterator[Engine]:
        yield self

    def _write_parquet(
        self, statement: Statement, path: str | Path, params: Params, partition_by: list[str]
    ) -> None:
        writer = self._frame(statement, params).write.mode("overwrite")
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        writer.parquet(str(path))

    def view(self, name: str, statement: Statement) -> None:
        self._frame(statement, None).createOrReplaceTempView(name)

    def materialize(self, name: str, statement: Statement, params: Params = None) -> None:
        self._frame(statement, params).cache().createOrReplaceTempView(name)

    def _map_frames(
        self, name: str, statement: Statement, fn: FrameFn, schema: pa.Schema, params: Params
    ) -> None:
        from pyspark.sql.pandas.types import from_arrow_schema

        def each(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for frame in frames:
                yield fn(frame)

        source = self._frame(statement, params)
        source.mapInPandas(each, from_arrow_schema(schema)).createOrReplaceTempView(name)

    @contextmanager
    def memory_limit(self, limit: str | None) -> Iterator[None]:
        yield


@cache
def _transpiled(text: str) -> tuple[str, ...]:
    """DuckDB-dialect SQL as Spark SQL, statement by statement."""
    trees = [t for t in sqlglot.parse(text, read=READ_DIALECT) if t is not None]
    return tuple(t.sql(dialect="spark") for t in trees)


Created = tuple[str, bool] | None
"""The temp table (True: cached) or view a statement creates, or None."""


@cache
def _temporary(text: str) -> tuple[tuple[str, Created], ...]:
    """:func:`_created` of a DuckDB-dialect text, statement by statement."""
    return tuple(_created([t for t in sqlglot.parse(text, read=READ_DIALECT) if t is not None]))


def _created(trees: list[Any]) -> list[tuple[str, Created]]:
    """Spark SQL for each tree, and the temp table or view it creates.

    ``CREATE TEMP TABLE x AS <query>`` (or a column list) and ``CREATE TEMP VIEW x AS <query>``
    run as their query, kept under ``x`` by :meth:`SparkEngine._frame`: Spark has no temporary
    tables, and refuses parameters in a view's definition.
    """
    out: list[tuple[str, Created]] = []
    for tree in trees:
        if not isinstance(tree, exp.Create) or not tree.find(exp.TemporaryProperty):
            out.append((tree.sql(dialect="spark"), None))
            continue
        target, query = tree.this, tree.expression
        if isinstance(target, exp.Schema):  # an empty table with these columns
            query = exp.select(
                *(exp.cast(exp.null(), c.args["kind"]).as_(c.name) for c in target.expressions)
            ).where(exp.false())
            target = target.this
        out.append((query.sql(dialect="spark"), (target.name, tree.kind == "TABLE")))
    return out
