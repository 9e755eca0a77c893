"""`cvm fit`, `cvm score`, `cvm evaluate`: customer lifetime value on the workspace."""

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
from cvm.cli._spark import EngineOption, InputOption, MasterOption, engine_name, workspace_settings

app = typer.Typer()  # commands at the top level of `cvm`

ModelOption = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        "-m",
        help="Transaction model(s): mbgnbd, bgnbd, paretonbd; or sbg for contracts (alone).",
    ),
]
CutoffOption = Annotated[
    str | None,
    typer.Option(help="As-of date (YYYY-MM-DD); default: the last transaction's day."),
]
UnitOption = Annotated[
    str | None, typer.Option(help="Time unit D or W (default: workspace time_unit).")
]


def _score_on_spark(
    workspace: Path,
    source: str | None,
    output: str | None,
    master: str | None,
    cutoff: str | None,
    model: list[str] | None,
    top: int,
    options: dict[str, float],
    intervals: bool,
) -> None:
    from cvm._exceptions import ConfigError
    from cvm.clv import DEFAULT_MODELS
    from cvm.clv.on_spark import score_on, spark_from_settings

    settings = workspace_settings(workspace)
    target = output or settings.spark.output
    if not target:
        raise ConfigError(
            "the spark engine writes scores to a folder: --scores-dir DIR, or [spark] output"
        )
    with progress_bar("scoring on spark") as progress:
        progress(0, None, "starting spark")
        engine = spark_from_settings(settings, transactions=source, master=master)
        progress(0, None, "summarising, fitting and scoring")
        run = score_on(
            engine,
            target,
            cutoff=cutoff,
            top=top,
            models=model or DEFAULT_MODELS,
            intervals=intervals,
            **options,
        )
    print_frame(run.top.set_index("customer_id"), f"top {top} customers by CLV", digits=2)
    print_warnings(run.fit.warnings)
    console.print(
        f"{run.customers:,} customers scored on spark with {run.fit.best} as of {run.cutoff};"
        f" scores in {run.output}/run_id={run.run_id}"
    )


def _default_cutoff(ws: object) -> str:
    from cvm.clv.scoring import last_transaction_day

    return str(last_transaction_day(ws))


@app.command()
@tabular
def fit(
    workspace: WorkspaceOption = Path("."),
    cutoff: CutoffOption = None,
    model: ModelOption = None,
    unit: UnitOption = None,
    by: Annotated[
        str, typer.Option(help="sbg only: one fit per plan, or per start-month cohort.")
    ] = "plan",
    period: Annotated[str, typer.Option(help="sbg only: renewal period M, W, Q or Y.")] = "M",
) -> None:
    """Fit the transaction and spend models as of a date; compare them and keep the run.

    With ``-m sbg``: fit the contract retention model on the subscriptions instead, by plan
    or by cohort, and show each group's retention and survival.
    """
    from cvm.clv import DEFAULT_MODELS, fit_clv, save_run

    if model and "sbg" in model:
        _fit_contracts(workspace, cutoff, model, by, period)
        return

    with open_workspace(workspace) as ws, progress_bar("fitting") as progress:
        as_of = cutoff or _default_cutoff(ws)
        result = fit_clv(ws, as_of, models=model or DEFAULT_MODELS, unit=unit, progress=progress)
        run_id = save_run(ws, result, None, {"cutoff": as_of})
    print_frame(
        result.comparison, f"models as of {as_of} ({len(result.summary):,} customers)", digits=1
    )
    for name, m in result.models.items():
        print_frame(m.summary(), f"{name} parameters (time unit {result.unit})", digits=4)
    if result.spend is not None:
        print_frame(result.spend.summary(), "gamma-gamma spend parameters", digits=4)
    print_warnings(result.warnings)
    console.print(
        f"best by BIC: [bold]{result.best}[/] (MBG/NBD rather than BG/NBD, whose P(alive) is 1"
        f" for every one-time buyer; within 2 BIC points MBG/NBD, then Pareto/NBD); run {run_id}"
    )


def _fit_contracts(
    workspace: Path, cutoff: str | None, model: list[str], by: str, period: str
) -> None:
    from cvm._exceptions import ConfigError
    from cvm.clv.contracts import fit_contracts, save_contract_run

    if len(model) > 1:
        raise ConfigError("sbg models contracts, not purchases: use -m sbg alone")
    with open_workspace(workspace) as ws:
        result = fit_contracts(ws, cutoff, by=by, period=period)
        run_id = save_contract_run(ws, result)
    shown = result.table.astype({"contracts": object, "ended": object})
    print_frame(shown, f"sBG contract retention by {by} as of {result.cutoff}", digits=3)
    print_frame(
        result.survival.T.iloc[:, [1, 3, 6, 12]].rename(columns=lambda p: f"after {p}{period}"),
        f"share of new contracts still running (survival) by {by}",
        digits=3,
    )
    print_warnings(result.notes)
    console.print(
        f"retention_first = share of new contracts renewed at the end of their first {period}"
        f" period; survival = share still running; contract churn = 1 - retention. run {run_id}"
    )


@app.command()
@tabular
def evaluate(
    calibration_end: Annotated[str, typer.Option(help="Last day of the calibration period.")],
    holdout_end: Annotated[str, typer.Option(help="Last day of the holdout period.")],
    workspace: WorkspaceOption = Path("."),
    model: ModelOption = None,
    unit: UnitOption = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the charts.")] = None,
) -> None:
    """Fit on the calibration period, predict the holdout, and report how close each model got."""
    from cvm.clv import DEFAULT_MODELS
    from cvm.clv import evaluate as run_evaluation
    from cvm.report.charts import (
        calibration_chart,
        p_alive_matrix_chart,
        tracking_chart,
        write_chart,
    )

    with open_workspace(workspace, read_only=True) as ws, progress_bar("evaluating") as progress:
        result = run_evaluation(
            ws,
            calibration_end,
            holdout_end,
            models=model or DEFAULT_MODELS,
            unit=unit,
            progress=progress,
        )
        folder = out or ws.path / "evaluation"
    print_frame(result.totals, f"holdout {result.calibration_end} → {result.holdout_end}", digits=3)
    print_frame(
        result.calibration_table, "mean holdout purchases by calibration frequency", digits=3
    )
    best = result.models[result.best]
    T = float(result.summary["T"].max())
    paths = [
        write_chart(tracking_chart(result), folder / "tracking.html"),
        write_chart(calibration_chart(result), folder / "calibration.html"),
        write_chart(p_alive_matrix_chart(best, T=T), folder / "p_alive_matrix.html"),
    ]
    print_warnings(result.notes)
    console.print(f"best on the holdout: [bold]{result.best}[/], by {result.criterion}")
    if result.best_by_bic != result.best:
        console.print(f"(BIC on the calibration period alone would pick {result.best_by_bic})")
    print_charts(paths)


@app.command()
@tabular
def score(
    workspace: WorkspaceOption = Path("."),
    cutoff: CutoffOption = None,
    model: ModelOption = None,
    unit: UnitOption = None,
    horizon: Annotated[float, typer.Option(help="CLV horizon in years.")] = 1.0,
    discount_rate: Annotated[float, typer.Option(help="Annual discount rate.")] = 0.10,
    margin: Annotated[float, typer.Option(help="Share of spend kept as margin.")] = 0.30,
    intervals: Annotated[bool, typer.Option(help="95% CLV intervals per customer.")] = True,
    top: Annotated[int, typer.Option(help="Customers to show.")] = 10,
    engine: EngineOption = None,
    source: InputOption = None,
    scores_dir: Annotated[
        str | None,
        typer.Option("--scores-dir", help="spark: where scores are written ([spark] output)."),
    ] = None,
    master: MasterOption = None,
) -> None:
    """Score every customer: expected purchases, P(alive), spend and CLV; store the run.

    With ``--engine spark`` the whole job runs on Spark, reading Parquet and writing the
    scores as Parquet under ``--scores-dir``/run_id=... instead of into the workspace.
    """
    from cvm.clv import DEFAULT_MODELS, fit_clv, save_run
    from cvm.clv.scoring import score_clv

    options = {"horizon_years": horizon, "annual_discount_rate": discount_rate, "margin": margin}
    if engine_name(workspace, engine) == "spark":
        _score_on_spark(
            workspace, source, scores_dir, master, cutoff, model, top, options, intervals
        )
        return
    with open_workspace(workspace) as ws, progress_bar("scoring") as progress:
        as_of = cutoff or _default_cutoff(ws)
        result = fit_clv(ws, as_of, models=model or DEFAULT_MODELS, unit=unit, progress=progress)
        progress(0, None, "scoring")
        scores = score_clv(
            result,
            horizon_years=horizon,
            annual_discount_rate=discount_rate,
            margin=margin,
            intervals=intervals,
        )
        settings = {
            "cutoff": as_of,
            "horizon_years": horizon,
            "discount_rate": discount_rate,
            "margin": margin,
        }
        run_id = save_run(ws, result, scores, settings)
    shown = scores.sort_values("clv", ascending=False).head(top)
    print_frame(
        shown.drop(columns=["monetary_value", "spend_imputed"]),
        f"top {top} customers by CLV",
        digits=2,
    )
    print_warnings(result.warnings)
    console.print(
        f"{len(scores):,} customers scored with {result.best} as of {as_of};"
        f" customer equity {scores['clv'].sum():,.0f} over {horizon:g} year(s); run {run_id}"
    )
