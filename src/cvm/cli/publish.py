"""`cvm export` and `cvm publish`: results as files that BI tools read without the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace

app = typer.Typer()  # commands at the top level of `cvm`


@app.command()
def export(
    name: Annotated[str, typer.Argument(help="A table or view, e.g. latest_scores, customers.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write <name>.<format> into.")],
    format_: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Write one table or view as Parquet or CSV."""
    from cvm.publish import export_table

    with open_workspace(workspace, read_only=True) as ws:
        result = export_table(ws, name, out, format=format_)
    console.print(f"{result.rows:,} rows of {name} written to {result.path}")


@app.command()
def publish(
    folder: Annotated[Path, typer.Argument(help="The published folder (replaced atomically).")],
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Publish every table (latest run of each run-based one) as Parquet plus schema.json."""
    from cvm.publish import publish as run_publish

    with open_workspace(workspace, read_only=True) as ws:
        result = run_publish(ws, folder)
    rows = sum(t.rows for t in result.tables.values())
    console.print(
        f"published {len(result.tables)} tables ({rows:,} rows) to {result.path} at"
        f" {result.published_at}; schema in schema.json"
    )
