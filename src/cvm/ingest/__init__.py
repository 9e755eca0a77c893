"""Ingestion: read source files, validate every row, quarantine the bad ones, load the good."""

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
