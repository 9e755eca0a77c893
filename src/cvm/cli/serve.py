"""`cvm serve`: the long-running service that owns the workspace (collection, API, dashboard)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace

app = typer.Typer()  # commands at the top level of `cvm`


def run_server(
    workspace: Path, host: str | None, port: int | None, workers: int | None = None
) -> None:
    """Serve ``workspace`` with uvicorn: settings from CVM_* and cvm.toml [serve], options
    on the command line winning."""
    import uvicorn

    from cvm._exceptions import ConfigError
    from cvm.api import Settings, create_app

    with open_workspace(workspace) as ws:  # checks the folder and migrates once, then closes
        root = ws.path
    given = {k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v}
    settings = Settings(workspace=root, **given)
    if settings.workers > 1:
        raise ConfigError(
            f"workers = {settings.workers}: one process owns the workspace (DuckDB has one "
            "writer); run one worker, and read replicas from `cvm publish` for more"
        )
    from cvm.workspace.served import announce

    base = f"http://{settings.host}:{settings.port}"
    app = create_app(settings)
    app.state.owner.get()  # hold the workspace from the start, not from the first request
    console.print(f"dashboard: {base}/dashboard  (API docs: /api/docs; events: {base}/v1/batch)")
    # uvicorn stops gracefully on SIGTERM, then raises it again: let that end the block (and
    # remove the notice) instead of killing the process on the spot
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with announce(root, base):  # a writing command run meanwhile is told where the server is
        # uvicorn[standard]: httptools parses (a response in one write: cvm.api.http_protocol)
        # and uvloop runs the loop ("auto" picks it)
        uvicorn.run(
            app, host=settings.host, port=settings.port, log_level="info",
            access_log=settings.access_log, http="cvm.api.http_protocol:HttpProtocol",
            loop="auto",
            timeout_graceful_shutdown=10,
        )  # fmt: skip


@app.command()
def serve(
    workspace: WorkspaceOption = Path("."),
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default [serve] host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default [serve] port, 8765).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes; only 1: the service is the single writer.")
    ] = None,
) -> None:
    """Serve the workspace: Segment-compatible event collection (/v1/batch, /v1/track...),
    the JSON API (/api) and the dashboard, from one process that owns the database.

    Settings come from CVM_* variables and the workspace's cvm.toml [serve] section; the
    options here win. Set CVM_API_KEY to require a key (Segment's clients send it as the
    write key).
    """
    run_server(workspace, host, port, workers)
