"""`cvm campaign measure | import-results | uplift`: what a campaign did, arm by arm."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cvm.cli._common import (
    CampaignId,
    WorkspaceOption,
    console,
    open_workspace,
    output_format,
    print_frame,
    print_warnings,
    set_json_document,
    tabular,
)
from cvm.cli._spark import EngineOption, InputOption, MasterOption, engine_name

if TYPE_CHECKING:
    from cvm.campaigns.outcomes import OutcomeMeasurement
    from cvm.campaigns.uplift import ArmEvaluation

app = typer.Typer()  # commands of `cvm campaign` (cli.campaigns adds them to its group)


@app.command()
@tabular
def measure(
    campaign_id: CampaignId,
    outcome: Annotated[
        str | None,
        typer.Option(
            help="Outcome: an imported column, or converted, revenue, visits, orders (default:"
            " the full conversion/revenue/ROI report, or the first imported outcome)."
        ),
    ] = None,
    alpha: Annotated[float, typer.Option(help="Family-wise error rate.")] = 0.05,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples for revenue.")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    charts: Annotated[Path | None, typer.Option(help="Folder for the lift chart.")] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Attribute outcomes to each arm; report lift with intervals, p-values and ROI.

    With ``--format json`` (or ``--outcome``) the answer is one object per treatment arm.
    """
    from cvm.campaigns import get_campaign, measure_campaign
    from cvm.campaigns.outcomes import measure_outcome

    format_ = output_format()
    with open_workspace(workspace) as ws:
        imported = bool(get_campaign(ws, campaign_id).outcomes)
        if imported or outcome is not None or format_ == "json":
            if not imported:
                measure_campaign(ws, campaign_id, alpha=alpha, n_boot=n_boot, seed=seed)
            result = measure_outcome(ws, campaign_id, outcome, alpha=alpha)
            _print_outcome(result, format_)
            return
        m = measure_campaign(ws, campaign_id, alpha=alpha, n_boot=n_boot, seed=seed)
        folder = charts or ws.path / "report"
    print_frame(m.arms, f"{campaign_id}: arms")
    shown = m.effects[
        [
            "arm",
            "metric",
            "control",
            "treatment",
            "lift",
            "lower",
            "upper",
            "relative",
            "p_value",
            "p_adjusted",
        ]
    ]
    print_frame(shown, f"lift ({m.effects['level'].iloc[0]:.1%} intervals)", index=False)
    print_frame(
        m.money.set_index("arm").drop(columns=["roi_note"]),
        "incremental effect and ROI",
        missing={"roi": "n/a (no cost)"},
    )
    if not m.segments.empty:
        print_frame(m.segments.set_index("segment"), "by segment")
    print_warnings(m.warnings)
    from cvm.report.charts import lift_chart, write_chart

    path = write_chart(lift_chart(m), folder / f"{campaign_id}_lift.html")
    console.print(f"run {m.run_id}; chart: {path}")


def _print_outcome(result: OutcomeMeasurement, format_: str) -> None:
    if format_ == "json":
        set_json_document(result.records())
        return
    level = result.arms["level"].iloc[0]
    keep = ["arm", "n", "mean", "control_mean", "lift", "ci_low", "ci_high", "p_adjusted"]
    shown = result.arms[keep + [c for c in ("roi",) if c in result.arms.columns]]
    print_frame(
        shown,
        f"{result.campaign_id}: {result.outcome} per arm against {result.control_arm!r}"
        f" ({result.arms['method'].iloc[0]}; {level:.2%} intervals, Holm-adjusted p)",
        index=False,
    )
    for arm, n in result.missing.items():
        console.print(f"  left out (no {result.outcome} value), arm {arm}: {n:,}")


@app.command(name="import-results")
def import_results(
    campaign_id: CampaignId,
    file: Annotated[Path, typer.Argument(help="Results: one row per customer (CSV/Parquet).")],
    arm_column: Annotated[str, typer.Option(help="Column naming each row's arm.")],
    control_arm: Annotated[str, typer.Option(help="The control arm's value in that column.")],
    outcome: Annotated[
        list[str] | None,
        typer.Option(help="Outcome column: 0/1, yes/no or a number (repeat for several)."),
    ] = None,
    customer_column: Annotated[
        str, typer.Option(help="Customer id column (absent: the row number).")
    ] = "customer_id",
    cost_per_contact: Annotated[float, typer.Option(help="Cost of each treated contact.")] = 0.0,
    value_per_conversion: Annotated[
        float | None, typer.Option(help="Value of one incremental conversion.")
    ] = None,
    starts: Annotated[
        str | None, typer.Option(help="First day of the test (default today).")
    ] = None,
    ends: Annotated[str | None, typer.Option(help="Last day of the test.")] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Load a test that ran elsewhere: arms, outcomes and covariates from one file."""
    from cvm.campaigns.results import import_results as load

    with open_workspace(workspace) as ws:
        r = load(
            ws,
            campaign_id,
            file,
            arm_column=arm_column,
            control_arm=control_arm,
            outcomes=list(outcome or []),
            customer_column=customer_column,
            cost_per_contact=cost_per_contact,
            value_per_conversion=value_per_conversion,
            starts=starts,
            ends=ends,
        )
    arms = ", ".join(f"{a} {n:,}" for a, n in r.arms.items())
    console.print(
        f"campaign [bold]{r.campaign_id}[/]: {r.rows:,} customers ({arms}; control"
        f" {r.control_arm!r}); outcomes {', '.join(r.outcomes)}; covariates"
        f" {', '.join(r.covariates) or 'none'}; {r.new_customers:,} new customers"
    )
    for reason, n in r.rejected.items():
        console.print(f"  rejected ({escape(reason)}): {n:,} (see rejected_rows, load {r.load_id})")


@app.command()
@tabular
def uplift(
    campaign_id: CampaignId,
    outcome: Annotated[
        str | None, typer.Option(help="Outcome to model (default: conversion / first imported).")
    ] = None,
    arm: Annotated[str | None, typer.Option(help="One treatment arm (default: every arm).")] = None,
    test: Annotated[
        Path | None,
        typer.Option(help="A file of customers to score (and evaluate if it has arms)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="CSV for the scores of --test (default: beside it).")
    ] = None,
    learner: Annotated[str, typer.Option(help="t (two models), x (X-learner), class.")] = "t",
    seed: Annotated[int, typer.Option(help="Seed of the split and the models.")] = 0,
    charts: Annotated[Path | None, typer.Option(help="Folder for the Qini chart.")] = None,
    threads: Annotated[int | None, typer.Option(help="Model threads (default: all).")] = None,
    workspace: WorkspaceOption = Path("."),
    engine: EngineOption = None,
    members: Annotated[
        str | None,
        typer.Option(help="spark: the test's members (Parquet: customer_id, arm, outcome)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="spark: the day before the test began.")
    ] = None,
    source: InputOption = None,
    master: MasterOption = None,
    scores_dir: Annotated[
        str | None, typer.Option("--scores-dir", help="spark: where scores are written.")
    ] = None,
    sample_rows: Annotated[
        int | None, typer.Option(help="spark: most members the model is fitted on.")
    ] = None,
) -> None:
    """Fit an uplift model on a campaign; evaluate each arm against control; score customers.

    With ``--engine spark``: fit on a sample of the members' Parquet folder and score every
    customer on Spark, writing Parquet under ``--scores-dir``/run_id=... (no held-out Qini).
    """

    if engine_name(workspace, engine) == "spark":
        from cvm.cli._uplift_spark import uplift_on_spark

        uplift_on_spark(
            workspace, campaign_id, members, as_of, source, master, scores_dir, sample_rows, seed
        )
        return
    from cvm.campaigns import fit_campaign_uplift
    from cvm.campaigns.uplift import SCALE
    from cvm.report.charts import qini_chart, uplift_decile_chart, write_chart

    with open_workspace(workspace) as ws:
        result = fit_campaign_uplift(
            ws,
            campaign_id,
            learner=learner,
            seed=seed,
            threads=threads,
            outcome=outcome,
            arm=arm,
            test_file=test,
        )
        folder = charts or ws.path / "report"
    for note in result.notes:
        console.print(f"note: {escape(note)}", highlight=False)
    excluded = result.attributes[result.attributes["kind"] == "excluded"]
    for row in excluded.itertuples():
        console.print(escape(f"attribute {row.attribute!r} not used: {row.note}"))
    for name, evaluation in result.arms.items():
        print_frame(
            evaluation.deciles, f"{campaign_id}: {name} vs control, held-out uplift by decile"
        )
    counts = result.scores.groupby("category").size().rename("customers").to_frame()
    print_frame(counts, "customers by uplift category")
    qini = write_chart(qini_chart(result.qini_curve), folder / f"{campaign_id}_qini.html")
    write_chart(uplift_decile_chart(result.deciles), folder / f"{campaign_id}_deciles.html")
    console.print(f"Qini and AUUC on the scale of {SCALE}:")
    _print_arms(result.arms, result.outcome, "held out")
    if result.test_scores is not None and test is not None:
        target = out or test.with_name(f"{test.stem}_uplift.csv")
        result.test_scores.to_csv(target, index=False)
        console.print(f"{len(result.test_scores):,} scores of {test} written to {target}")
        if result.test_arms:
            _print_arms(result.test_arms, result.outcome, str(test))
    console.print(f"run {result.run_id}; chart: {qini}")


def _print_arms(arms: dict[str, ArmEvaluation], outcome: str, where: str) -> None:
    for name, e in arms.items():
        scaled = (
            f"Qini {e.qini:.4f}, AUUC {e.auuc:.4f}"
            if e.qini == e.qini
            else "Qini/AUUC normalised only for a 0/1 outcome"
        )
        console.print(
            f"  {name} vs control ({where}: {e.n_treatment:,} treated, {e.n_control:,} control;"
            f" {outcome}): {scaled}; area over random per customer: Qini {e.qini_area:.4g},"
            f" AUUC {e.auuc_area:.4g}"
        )
