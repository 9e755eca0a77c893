"""`cvm report` writes the HTML report; `cvm dashboard` serves it live with the JSON API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace

app = typer.Typer()  # commands at the top level of `cvm`


@app.command()
def report(
    workspace: WorkspaceOption = Path("."),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="HTML file or folder (default: WORKSPACE/report)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report day (default: last purchase day).")
    ] = None,
    segment: Annotated[
        str | None, typer.Option(help="Only this segment: kind:name, e.g. tier:gold.")
    ] = None,
    evaluate: Annotated[
        bool, typer.Option(help="Refit CLV models on a holdout for the tracking charts.")
    ] = True,
    freq: Annotated[str, typer.Option(help="KPI period: D, W, M, Q or Y.")] = "M",
) -> None:
    """Write one self-contained HTML report (opens offline) and print its path."""
    from cvm.report import write_report

    with open_workspace(workspace, read_only=True) as ws:
        target = out if out is not None else ws.path / "report" / "report.html"
        path = write_report(ws, target, as_of=as_of, segment=segment, evaluate=evaluate, freq=freq)
    size = path.stat().st_size / 1e6
    console.print(f"report: [bold]{path}[/] ({size:.1f} MB)")


@app.command()
def dashboard(
    workspace: WorkspaceOption = Path("."),
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """The same as `cvm serve`: the report live (filter by day and segment), the JSON API
    and event collection over HTTP, from one process that owns the workspace.

    Every route wants a key (`cvm keys create`; CVM_API_KEY is an admin key); CVM_OPEN=1
    serves without keys, for a local demo.
    """
    from cvm.cli.serve import run_server

    run_server(workspace, host, port)
