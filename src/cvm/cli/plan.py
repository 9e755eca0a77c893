"""`cvm plan`, `cvm offers validate`, `cvm explain CUSTOMER`: the next best action."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cvm.cli._common import (
    WorkspaceOption,
    console,
    open_workspace,
    print_frame,
    print_warnings,
    progress_bar,
    tabular,
)
from cvm.cli._spark import EngineOption, ResultsOption, engine_name

if TYPE_CHECKING:
    from cvm.workspace import Workspace

app = typer.Typer()  # commands at the top level of `cvm`
offers_app = typer.Typer(name="offers", help="The offer catalog.", no_args_is_help=True)
app.add_typer(offers_app)


def _capacities(values: list[str] | None) -> dict[str, int] | None:
    from cvm._exceptions import ConfigError

    if not values:
        return None
    out = {}
    for item in values:
        channel, _, number = item.partition("=")
        try:
            out[channel.strip()] = int(number)
        except ValueError:
            raise ConfigError(f"--capacity {item!r}: use CHANNEL=COUNT, e.g. email=20000") from None
    return out


@app.command()
@tabular
def plan(
    workspace: WorkspaceOption = Path("."),
    budget: Annotated[
        float | None, typer.Option(help="Total spend allowed (default: [decide] budget).")
    ] = None,
    capacity: Annotated[
        list[str] | None,
        typer.Option(help="Contacts allowed on a channel, CHANNEL=COUNT (repeatable)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Planning day (default: newest activity).")
    ] = None,
    method: Annotated[str, typer.Option(help="auto, exact (HiGHS MILP) or lagrangian.")] = "auto",
    to_campaigns: Annotated[
        bool,
        typer.Option("--to-campaigns", help="Create and build one campaign per chosen offer."),
    ] = False,
    chart: Annotated[
        Path | None, typer.Option(help="Write the budget-value curve as HTML here.")
    ] = None,
    engine: EngineOption = None,
    results_dir: ResultsOption = None,
) -> None:
    """Choose each customer's best action under the budget and capacities; store the plan.

    With ``--engine spark``: the newest runs of the results folder are read into the workspace
    first (as `cvm runs import`), the plan is made as of their day, and it is written as
    Parquet under the results folder too (plans/run_id=...). ``--results-dir`` alone writes it
    there after a plan on the workspace's own scores.
    """

    from cvm.decide import make_plan, save_plan
    from cvm.report.charts import budget_value_chart, write_chart

    spark = engine_name(workspace, engine) == "spark"
    folder = _results(workspace, results_dir) if spark or results_dir else None
    with open_workspace(workspace) as ws:
        if spark and folder is not None:
            as_of = as_of or _import_newest(ws, folder)
        with progress_bar("planning") as progress:
            result = make_plan(
                ws,
                budget,
                as_of=as_of,
                capacity=_capacities(capacity),
                method=method,
                progress=progress,
            )
            run_id = save_plan(ws, result)
        if folder is not None:
            from cvm.decide.plan_runs import write_plan

            written = write_plan(ws, run_id, result.as_of, folder)
            console.print(f"plan rows in {escape(str(written))}", highlight=False)
        s = result.solution
        console.print(
            f"plan [bold]{run_id}[/] as of {result.as_of}: {int((s.choice >= 0).sum()):,} of"
            f" {len(result.customer_ids):,} customers get an action; spent {s.spent:,.2f} of"
            f" {result.budget:,.2f}; expected incremental value {result.expected_value:,.2f};"
            f" {s.method} solver, optimality gap {s.gap:.3%}"
        )
        import pandas as pd

        actions = result.summary().rename(columns={"offer_id": "offer", "value": "expected value"})[
            ["offer", "channel", "kind", "customers", "cost", "expected value"]
        ]
        print_frame(actions, "actions by offer", digits=2, index=False)
        curve = result.curve[["budget", "value", "customers"]].astype(float)
        step = curve["budget"].diff()
        marginal = (curve["value"].diff() / step).where(step > 0)
        print_frame(
            pd.DataFrame({
                "budget": curve["budget"], "expected value": curve["value"],
                "value per extra unit": marginal, "customers": curve["customers"].astype(int),
            }),
            "budget-value curve (where more spend stops paying)",
            digits=2,
            index=False,
        )  # fmt: skip
        if chart is not None:
            write_chart(budget_value_chart(result.curve, result.budget), chart)
            console.print(f"chart: {chart}")
        if to_campaigns:
            from cvm.decide import to_campaigns as handoff

            for built in handoff(ws, run_id):
                arms = ", ".join(f"{k} {v:,}" for k, v in built.arms.items())
                console.print(f"campaign {built.campaign_id}: {arms}")


def _results(workspace: Path, results: str | None) -> str:
    from cvm.cli.runs import folder_of

    return folder_of(workspace, results)


def _import_newest(ws: Workspace, folder: str) -> str:
    """Read the newest runs of ``folder`` into ``ws``; the day of its CLV run."""
    from cvm._exceptions import DataError
    from cvm.cli.runs import import_results, report_import

    days = []
    for done in import_results(ws, folder, None):
        if done.error and done.kind == "clv":
            raise DataError(done.error)
        print_warnings([done.error] if done.error else [])  # the plan needs the CLV run only
        report_import(done)
        if done.kind == "clv" and done.as_of is not None:
            days.append(done.as_of)
    if not days:
        raise DataError(f"no CLV run in {folder} to plan from: cvm score --engine spark first")
    return str(days[0])


@offers_app.command("validate")
def validate(workspace: WorkspaceOption = Path(".")) -> None:
    """Check the offer catalog: every field, and every rule against the customer profile."""
    from cvm.decide.catalog import check_offers, load_catalog, offer_rules
    from cvm.segments import default_as_of, segment_table

    with open_workspace(workspace, read_only=True) as ws:
        offers = load_catalog(ws)
        offer_rules(offers)  # every rule through the guard before anything reads the data
        has_data = ws.table_counts()["customers"] > 0
        if has_data:
            table = segment_table(ws, default_as_of(ws), fit_clv=False)
            check_offers(ws.engine, table, offers)
    for o in offers:
        console.print(
            f"{o.id}: {o.kind} by {o.channel}, cost {o.unit_cost:g}"
            f"{f' + {o.discount:.0%} discount' if o.discount else ''},"
            f" eligible: {escape(o.eligible or 'everyone')}"
        )
    checked = "fields and rules" if has_data else "fields (no customers yet to check rules)"
    console.print(f"{len(offers)} offers valid ({checked})")


@app.command()
def explain(
    customer: Annotated[str, typer.Argument(help="The customer id.")],
    workspace: WorkspaceOption = Path("."),
    run: Annotated[str | None, typer.Option(help="Plan run id (default: the newest).")] = None,
) -> None:
    """Why a customer got their action: every offer, its factors, and what decided."""
    from cvm.decide import explain as explain_decision

    with open_workspace(workspace, read_only=True) as ws:
        e = explain_decision(ws, customer, run)
    console.print(
        f"customer {e.customer_id} in plan {e.run_id}: "
        + (f"[bold]{e.chosen}[/]" if e.chosen else "no action")
    )
    for line in e.lines:
        console.print(f"  {escape(line)}", highlight=False)
