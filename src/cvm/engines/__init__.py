"""Where set-based jobs run: the engine seam.

A job never talks to a database driver. It asks the workspace's engine (``ws.engine``) to run
a named SQL file (:func:`cvm.engines.sql.sql_file`) with bound, named parameters, and gets a
pandas frame, an Arrow table or Arrow batches back. It registers frames the SQL reads, groups
writes in a transaction, and writes Parquet. That is the whole surface (:class:`Engine`).

Each engine carries its SQL dialect, in the manner of ibis' SQL backends: the files are written
in DuckDB's dialect and parsed by SQLGlot, so an engine with another dialect renders them for
itself. What only one engine can do (DuckDB's CSV sniffing and reject tables, its file lock) is
a declared capability: a job that needs one asks ``engine.require(...)`` first and fails with
one clear line on an engine without it, rather than half-way through.

    engines/base.py     the Engine contract and its capabilities
    engines/duckdb.py   the default engine, on the workspace's DuckDB connection
    engines/sql.py      SQL files, their SQLGlot trees, and structural holes filled on the tree
"""

from cvm.engines.base import Capability, Engine, EngineError, Params, Statement, location
from cvm.engines.duckdb import DuckDBEngine
from cvm.engines.scratch import scratch_engine
from cvm.engines.sql import Query, fill, select_item, sql_file

__all__ = [
    "Capability",
    "DuckDBEngine",
    "Engine",
    "EngineError",
    "Params",
    "Query",
    "Statement",
    "fill",
    "location",
    "scratch_engine",
    "select_item",
    "sql_file",
]
