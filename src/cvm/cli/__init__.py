"""The `cvm` command line: a thin shell over the library (heavy imports inside commands)."""

from __future__ import annotations

import typer

from cvm.cli import (
    campaigns,
    clv,
    demo,
    ingest,
    kpis,
    plan,
    privacy,
    publish,
    rejects,
    segments,
    simulate,
    survey,
    workspace,
)
from cvm.cli import report as report_cli
from cvm.cli._common import CvmGroup

app = typer.Typer(
    cls=CvmGroup,
    help="cvm: Customer Value Management on DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(workspace.init)
app.command()(workspace.info)
app.add_typer(ingest.app, name="ingest")
app.command()(rejects.rejects)
app.add_typer(privacy.app, name="privacy")
app.command()(simulate.simulate)
app.command()(clv.fit)
app.command()(clv.score)
app.command()(clv.evaluate)
app.command()(demo.demo)
app.command()(segments.segment)
app.command()(segments.segments)
app.command()(segments.migration)
app.add_typer(segments.churn_app, name="churn")
app.add_typer(survey.app, name="survey")
app.command()(kpis.kpis)
app.add_typer(campaigns.app, name="campaign")
app.command()(plan.plan)
app.add_typer(plan.offers_app, name="offers")
app.command()(plan.explain)
app.command()(report_cli.report)
app.command()(report_cli.dashboard)
app.command()(publish.export)
app.command()(publish.publish)


def main() -> None:
    app()


__all__ = ["app", "main"]
