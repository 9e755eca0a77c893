"""`cvm init` and `cvm info`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace, print_frame, tabular

app = typer.Typer()  # commands at the top level of `cvm`


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new workspace.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Workspace name (default: folder name).")] = None,
    currency: Annotated[
        str,
        typer.Option(
            help="ISO 4217 code amounts are stored in (EUR, GBP, ...); rows in another"
            " currency need a rate in the currencies section of cvm.toml."
        ),
    ] = "USD",
) -> None:
    """Create a workspace: cvm.toml and cvm.duckdb with the current schema."""
    from cvm.workspace import Workspace

    with Workspace.create(path, name=name, currency=currency) as ws:
        version = ws.schema_version
        code = ws.config.currency
    console.print(
        f"created workspace [bold]{path}[/] (schema version {version}; amounts in {code})"
    )


@app.command()
@tabular
def info(workspace: WorkspaceOption = Path(".")) -> None:
    """Show the workspace's schema version and the rows in every table."""
    import pandas as pd

    with open_workspace(workspace, read_only=True) as ws:
        title = f"workspace {ws.path} (schema version {ws.schema_version})"
        counts = ws.table_counts()
    frame = pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
    print_frame(frame, title, index=False)
