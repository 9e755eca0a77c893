"""`cvm kpis`: customer KPIs as of a date, over time, and cohort retention."""

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

app = typer.Typer()  # commands at the top level of `cvm`

SNAPSHOT_ROWS = (
    "active", "new", "retained", "reactivated", "churned", "retention_rate", "churn_rate",
    "repeat_purchase_rate", "customers_to_date", "orders", "net_revenue", "average_order_value",
    "purchase_frequency", "revenue_per_customer", "customer_equity", "equity_change",
)  # fmt: skip
TREND_COLUMNS = (
    "period_start", "active", "new", "retained", "reactivated", "churned", "retention_rate",
    "repeat_purchase_rate", "orders", "net_revenue", "average_order_value",
    "revenue_per_customer",
)  # fmt: skip


@app.command()
@tabular
def kpis(
    workspace: WorkspaceOption = Path("."),
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Snapshot date (default: last purchase day).")
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First period of the trend (YYYY-MM-DD).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last period of the trend.")] = None,
    freq: Annotated[str, typer.Option(help="Period: D, W, M, Q or Y.")] = "M",
    cohorts: Annotated[bool, typer.Option(help="Also the cohort retention table.")] = False,
    out: Annotated[Path | None, typer.Option(help="Folder to write the charts into.")] = None,
    engine: EngineOption = None,
    source: InputOption = None,
    results_dir: ResultsOption = None,
    master: MasterOption = None,
) -> None:
    """Active, new, retained, reactivated and churned customers, rates, order value, equity.

    Without --from/--to: a snapshot of the period ending --as-of. With them: one row per
    period (and charts with --out). With ``--engine spark`` the periods and cohorts are
    computed on Spark from Parquet and written under ``--results-dir`` (kpis/, cohorts/), with
    customer equity as of the last day from CLV fitted there (equity/).
    """
    from cvm.report.kpis import cohort_table, customer_equity, kpi_snapshot, kpi_timeseries

    if engine_name(workspace, engine) == "spark":
        _kpis_on_spark(workspace, source, results_dir, master, from_, to or as_of, freq)
        return
    with open_workspace(workspace, read_only=True) as ws:
        snap = kpi_snapshot(ws, as_of, freq=freq)
        trend = kpi_timeseries(ws, from_, to, freq=freq) if (from_ or to or out) else None
        cohort = cohort_table(ws, from_, to, freq=freq) if (cohorts or out) else None
        equity = customer_equity(ws) if out else None
    row = snap.iloc[0]
    start, end = row["period_start"], row["period_end"]
    snapshot = snap[[c for c in SNAPSHOT_ROWS if c in snap]].T.reset_index()
    snapshot.columns = ["kpi", "value"]
    print_frame(
        snapshot,
        f"KPIs for {start:%Y-%m-%d} to {end:%Y-%m-%d} (as of {row['as_of']:%Y-%m-%d})",
        index=False,
        digits=3,
        by_row="kpi",
    )
    if trend is not None and (from_ or to):
        print_frame(trend[list(TREND_COLUMNS)], f"KPIs per period ({freq})", index=False, digits=3)
    if cohort is not None and cohorts:
        matrix = cohort.pivot(index="cohort", columns="age", values="retention")
        shown = (100 * matrix.iloc[:, :13]).map(lambda v: "" if v != v else f"{v:.0f}")
        shown.columns = [str(c) for c in shown.columns]
        shown.index = [f"{c:%Y-%m-%d}" for c in shown.index]
        print_frame(
            shown.reset_index(names="cohort"),
            "cohort retention (%) by periods since acquisition",
            index=False,
            digits=3,
        )
    if out is not None and trend is not None and cohort is not None and equity is not None:
        from cvm.report.charts import (
            cohort_heatmap,
            equity_chart,
            kpi_trend_chart,
            kpi_value_chart,
            write_chart,
        )

        paths = [
            write_chart(kpi_trend_chart(trend), out / "kpi_trend.html"),
            write_chart(kpi_value_chart(trend), out / "kpi_value.html"),
            write_chart(cohort_heatmap(cohort), out / "cohort_retention.html"),
            write_chart(
                cohort_heatmap(cohort, "revenue_per_customer"), out / "cohort_revenue.html"
            ),
        ]
        if len(equity):
            paths.append(write_chart(equity_chart(equity), out / "customer_equity.html"))
        print_charts(paths)


def _kpis_on_spark(
    workspace: Path,
    source: str | None,
    results: str | None,
    master: str | None,
    start: str | None,
    end: str | None,
    freq: str,
) -> None:
    from cvm.cli._spark import spark_engine, workspace_settings
    from cvm.report.kpis_on_engine import kpis_on_engine

    settings = workspace_settings(workspace)
    with progress_bar("KPIs on spark") as progress:
        progress(0, None, "starting spark")
        engine, target = spark_engine(settings, source, results, master)
        progress(0, None, "KPIs and cohorts")
        run = kpis_on_engine(engine, target, start=start, end=end, freq=freq)
    shown = run.periods.tail(12)
    print_frame(shown[list(TREND_COLUMNS)], f"KPIs per period ({freq})", index=False, digits=3)
    if run.equity is not None:
        row = run.equity.iloc[0]
        console.print(
            f"customer equity as of {run.as_of:%Y-%m-%d}: {row['customer_equity']:,.2f} over"
            f" {int(row['customers']):,} customers (CLV fitted on spark, {row['model']});"
            f" in {run.written['equity']}"
        )
    print_warnings(run.notes)
    console.print(
        f"{len(run.periods):,} periods and {len(run.cohorts):,} cohort rows to {run.as_of:%Y-%m-%d}"
        f" on spark; in {run.written['kpis']} and {run.written['cohorts']}"
    )
