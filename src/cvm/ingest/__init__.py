"""Ingestion: read source files, validate every row, quarantine the bad ones, load the good.

Seams:

- ``kinds``: every source kind declared once (``SOURCE_KINDS``): columns, key, write mode,
  conflict rule, working tables. Profiles, staging, loaders and erasure checks read it.
- The engine: loads run on ``ws.engine`` (``cvm.engines``) in one ``engine.transaction()``;
  CSV sniffing and the scanner's reject tables are DuckDB-only and declared with
  ``engine.require``.
- SQL: every statement is a file in ``ingest/sql`` (``sql_file(__package__, name)``), with
  named parameters; structural holes are filled on the SQLGlot tree (``cvm.engines.fill``).

Flow: ``readers`` open a file as a ``staging.Source``; ``staging`` presents its columns in
the validator's shape; ``keyed``/``transactions`` validate, deduplicate and write;
``_common`` stores refused rows and the ``loads`` row; ``linking``/``identity`` fold ids into
the identity graph; ``erased`` refuses rows of erased customers.
"""

from cvm.ingest.options import SourceOptions, resolve_options
from cvm.ingest.result import LoadResult
from cvm.ingest.tabular import load_file
from cvm.ingest.transactions import load_transactions_from

__all__ = [
    "LoadResult",
    "SourceOptions",
    "load_file",
    "load_transactions_from",
    "resolve_options",
]
