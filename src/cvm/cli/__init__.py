"""The `cvm` command line: a thin shell over the library (heavy imports inside commands).

Every module of this package exports its Typer ``app``: a named group (``cvm ingest ...``)
or commands that sit at the top level (``cvm fit``). This root only composes them, so a new
command is one function in its module.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cvm.cli import (
    campaigns,
    clv,
    demo,
    ingest,
    keys,
    kpis,
    plan,
    privacy,
    publish,
    rejects,
    report,
    runs,
    segments,
    serve,
    simulate,
    survey,
    workspace,
)
from cvm.cli._common import CvmGroup

app = typer.Typer(
    cls=CvmGroup,
    help="cvm: Customer Value Management on DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # help shows "[decide] budget" as written, not as a style tag
    context_settings={"help_option_names": ["-h", "--help"]},
)
for _module in (
    workspace, ingest, rejects, privacy, simulate, clv, demo, segments, survey, kpis,
    campaigns, plan, runs, report, serve, publish, keys,
):  # fmt: skip
    app.add_typer(_module.app)


def _print_version(value: bool) -> None:
    if value:
        from cvm import __version__

        typer.echo(f"cvm {__version__}")
        raise typer.Exit()


@app.callback(
    epilog="Shell completion: run `cvm --install-completion` once, then restart the shell."
)
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """cvm: Customer Value Management on DuckDB."""


def main() -> None:
    app()


__all__ = ["app", "main"]
