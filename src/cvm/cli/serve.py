"""`cvm serve`: the long-running service that owns the workspace (collection, API, dashboard)."""

from __future__ import annotations

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
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"dashboard: {base}/dashboard  (API docs: /api/docs; events: {base}/v1/batch)")
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level="info",
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
