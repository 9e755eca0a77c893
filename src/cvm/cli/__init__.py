"""The `cvm` command line: a thin shell over the library (heavy imports inside commands).

Every module of this package exports its Typer ``app``: a named group (``cvm ingest ...``)
or commands that sit at the top level (``cvm fit``). This root only composes them, so a new
command is one function in its module.
"""

from __future__ import annotations

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
    segments,
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
    add_completion=False,
)
for _module in (
    workspace, ingest, rejects, privacy, simulate, clv, demo, segments, survey, kpis,
    campaigns, plan, report, publish, keys,
):  # fmt: skip
    app.add_typer(_module.app)


def main() -> None:
    app()


__all__ = ["app", "main"]
