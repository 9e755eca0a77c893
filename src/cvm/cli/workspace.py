"""`cvm init` and `cvm info`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new workspace.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Workspace name (default: folder name).")] = None,
) -> None:
    """Create a workspace: cvm.toml and cvm.duckdb with the current schema."""
    from cvm.workspace import Workspace, current_version

    with Workspace.create(path, name=name) as ws:
        version = current_version(ws.con)
    console.print(f"created workspace [bold]{path}[/] (schema version {version})")


def info(workspace: WorkspaceOption = Path(".")) -> None:
    """Show the workspace's schema version and the rows in every table."""
    from rich.table import Table

    from cvm.workspace import current_version

    with open_workspace(workspace, read_only=True) as ws:
        table = Table(title=f"workspace {ws.path} (schema version {current_version(ws.con)})")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in ws.table_counts().items():
            table.add_row(name, f"{count:,}")
    console.print(table)
