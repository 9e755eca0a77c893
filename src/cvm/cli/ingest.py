"""`cvm ingest KIND FILE...`: load source files into the workspace."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Load source files (CSV, Parquet, JSON lines) into the workspace.", no_args_is_help=True
)
