"""`cvm segment`, `cvm segments`, `cvm migration`, `cvm churn train|score`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import (
    WorkspaceOption,
    console,
    open_workspace,
    print_charts,
    print_frame,
    print_warnings,
    progress_bar,
    tabular,
)
from cvm.cli._spark import EngineOption, InputOption, MasterOption, ResultsOption, engine_name

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="As-of date (YYYY-MM-DD); default: the newest activity's day."),
]

app = typer.Typer()  # commands at the top level of `cvm`
churn_app = typer.Typer(name="churn", help="Train and apply the churn model.", no_args_is_help=True)
app.add_typer(churn_app)


# CLV missing in every row of a table means there is no CLV run (never 0, never a bare dash)
NO_CLV = dict.fromkeys(("clv", "mean_clv", "clv_from", "clv_to"), "n/a (no CLV run)")


@app.command()
@tabular
def segment(
    workspace: WorkspaceOption = Path("."),
    as_of: AsOfOption = None,
    churn: Annotated[bool, typer.Option(help="Score churn risk with the newest model.")] = True,
    engine: EngineOption = None,
    source: InputOption = None,
    results_dir: ResultsOption = None,
    master: MasterOption = None,
) -> None:
    """Segment every customer as of a date (RFM, tier, lifecycle, rules, churn); store the run.

    With ``--engine spark``: the same segment table (CLV fitted as of the day, churn risk
    from the newest model trained with ``cvm churn train --engine spark``) and the rule
    segments, built on Spark from Parquet and written under ``--results-dir`` (profile/,
    segments/, _runs/), for ``cvm runs import``.
    """
    import pandas as pd

    if engine_name(workspace, engine) == "spark":
        _segment_on_spark(workspace, source, results_dir, master, as_of, churn)
        return
    from cvm.segments.runs import segment as run_segment
    from cvm.segments.runs import segment_summary

    with open_workspace(workspace) as ws, progress_bar("segmenting") as progress:
        run = run_segment(ws, as_of, churn=churn, progress=progress)
        summary = segment_summary(ws, run.run_id)
    lifecycle = pd.DataFrame(summary.xs("lifecycle", level="kind"))[
        ["customers", "share", "clv", "mean_churn_risk"]
    ]
    print_frame(lifecycle, f"lifecycle as of {run.as_of}", digits=3, empty=NO_CLV)
    print_warnings(run.notes)
    note = f"churn model {run.churn_run}" if run.churn_run else "no churn model (cvm churn train)"
    console.print(
        f"{run.customers:,} customers segmented as of {run.as_of}; {note}; run {run.run_id}"
    )


def _segment_on_spark(
    workspace: Path,
    source: str | None,
    results: str | None,
    master: str | None,
    as_of: str | None,
    churn: bool,
) -> None:
    import pandas as pd

    from cvm.cli._spark import spark_engine, workspace_settings
    from cvm.segments.churn_on_spark import newest_engine_churn
    from cvm.segments.on_engine import segments_on_engine

    settings = workspace_settings(workspace)
    model = newest_engine_churn(workspace) if churn else None
    with progress_bar("segmenting on spark") as progress:
        progress(0, None, "starting spark")
        engine, target = spark_engine(settings, source, results, master)
        progress(0, None, "CLV, profile, RFM, tiers, lifecycle, churn and rule segments")
        run = segments_on_engine(
            engine,
            target,
            settings.segments.rules,
            as_of,
            settings=settings.segments,
            churn_model=None if model is None else model[1],
            churn_run=None if model is None else model[0].name,
        )
    stages = pd.Series(run.counts["lifecycle"], name="customers").rename_axis("lifecycle")
    print_frame(stages.reset_index(), f"lifecycle as of {run.as_of}", index=False)
    sizes = run.sizes.rename("customers").rename_axis("segment").reset_index()
    if len(sizes):
        print_frame(sizes, f"rule segments as of {run.as_of}", index=False)
    print_warnings(run.notes)
    note = (
        f"churn model {run.churn_run}"
        if run.churn_run
        else "no churn model (cvm churn train --engine spark)"
    )
    console.print(
        f"{run.customers:,} customers segmented and {len(run.sizes)} rule segment(s) on spark"
        f" as of {run.as_of}; {note}; run {run.run_id} in {run.written['profile']},"
        f" {run.written['segments']} and {run.written['record']}"
    )


@app.command()
@tabular
def segments(
    workspace: WorkspaceOption = Path("."),
    run: Annotated[str | None, typer.Option(help="A segments run (default: the newest).")] = None,
) -> None:
    """Size, revenue, CLV and churn risk of every segment of the newest segments run."""
    from cvm.segments.runs import latest_segments_run, segment_summary

    with open_workspace(workspace, read_only=True) as ws:
        run_id = run or latest_segments_run(ws)
        summary = segment_summary(ws, run_id)
    print_frame(summary, f"segments of {run_id}", digits=3, empty=NO_CLV)


@app.command()
@tabular
def migration(
    from_date: Annotated[str, typer.Option("--from", help="First as-of date.")],
    to_date: Annotated[str, typer.Option("--to", help="Second as-of date.")],
    workspace: WorkspaceOption = Path("."),
    by: Annotated[str, typer.Option(help="rfm, tier or lifecycle.")] = "rfm",
    out: Annotated[Path | None, typer.Option(help="Folder for the charts.")] = None,
) -> None:
    """How customers and CLV moved between segments from one date to another."""
    from cvm.report.charts import migration_heatmap, migration_sankey, write_chart
    from cvm.segments.runs import migration as run_migration

    with open_workspace(workspace, read_only=True) as ws, progress_bar("segmenting both dates"):
        result = run_migration(ws, from_date, to_date, by=by)
        folder = out or ws.path / "report"
    title = f"{by}: {result.from_date} (rows) → {result.to_date} (columns)"
    print_frame(result.matrix("customers"), f"customers, {title}", digits=3, empty=NO_CLV)
    print_frame(
        result.matrix("clv_to"), f"CLV on {result.to_date}, {title}", digits=3, empty=NO_CLV
    )
    paths = [
        write_chart(migration_sankey(result), folder / f"migration_{by}.html"),
        write_chart(migration_heatmap(result), folder / f"migration_{by}_matrix.html"),
    ]
    print_charts(paths)


@churn_app.command("train")
@tabular
def churn_train(
    workspace: WorkspaceOption = Path("."),
    as_of: AsOfOption = None,
    horizon: Annotated[
        int | None, typer.Option(help="Churn = no purchase within this many days (default 90).")
    ] = None,
    target: Annotated[
        str,
        typer.Option(
            help="purchases (no purchase within the horizon), contracts (every running"
            " contract ended within it), or auto: contracts when there are subscriptions"
            " and no transactions."
        ),
    ] = "auto",
    engine: EngineOption = None,
    source: InputOption = None,
    master: MasterOption = None,
    sample_rows: Annotated[
        int | None,
        typer.Option(help="spark: most customers the model is fitted on ([spark] sample_rows)."),
    ] = None,
) -> None:
    """Train on an earlier cutoff, validate on a later one against a baseline; save the model.

    The baseline is 1 - P(alive) for purchase churn, a plain logistic regression on the same
    split for contract churn. With ``--engine spark`` the features are computed on Spark from
    Parquet folders and the model is fitted on a bounded sample (no baseline there).
    """
    import pandas as pd

    if engine_name(workspace, engine) == "spark":
        from cvm.cli._churn_spark import train_on_spark

        train_on_spark(workspace, as_of, horizon, source, master, sample_rows)
        return

    from cvm.report.charts import churn_calibration_chart, write_chart
    from cvm.segments.churn import save_churn, train_churn

    with open_workspace(workspace) as ws, progress_bar("training") as progress:
        result = train_churn(ws, as_of, horizon_days=horizon, progress=progress, target=target)
        run_id = save_churn(ws, result)
        chart = write_chart(churn_calibration_chart(result), ws.path / "report" / "churn.html")
    table = pd.DataFrame({"churn model": result.metrics, result.baseline_name: result.baseline})
    print_frame(
        table,
        f"holdout as of {result.valid_cutoff} (trained as of {result.train_cutoff})",
        digits=3,
        empty=NO_CLV,
    )
    console.print(result.definition)
    for note in result.notes:
        console.print(note)
    console.print(f"chart: {chart}; run {run_id}")


@churn_app.command("score")
@tabular
def churn_score(
    workspace: WorkspaceOption = Path("."),
    as_of: AsOfOption = None,
    top: Annotated[int, typer.Option(help="Customers to show.")] = 10,
    engine: EngineOption = None,
    source: InputOption = None,
    master: MasterOption = None,
    scores_dir: Annotated[
        str | None,
        typer.Option(
            "--scores-dir", help="spark: where scores are written ([spark] output, churn/)."
        ),
    ] = None,
) -> None:
    """Score churn risk with the newest model (a segments run) and show the riskiest.

    With ``--engine spark``: every buyer is scored on Spark with the newest model trained
    there, and the scores written as Parquet under ``--scores-dir``/run_id=...
    """

    if engine_name(workspace, engine) == "spark":
        from cvm.cli._churn_spark import score_on_spark

        score_on_spark(workspace, as_of, top, source, master, scores_dir)
        return
    from cvm.segments.runs import segment as run_segment
    from cvm.segments.runs import value_at_risk

    with open_workspace(workspace) as ws, progress_bar("scoring") as progress:
        run = run_segment(ws, as_of, churn=True, progress=progress)
        if run.churn_run is None:
            from cvm._exceptions import DataError

            raise DataError("no churn model in this workspace: run `cvm churn train` first")
        shown = value_at_risk(ws, run.run_id, top)
    print_frame(
        shown.set_index("customer_id"),
        f"highest value at risk as of {run.as_of}",
        digits=3,
        empty=NO_CLV,
    )
    console.print(f"run {run.run_id}")
