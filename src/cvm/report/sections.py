"""The report's sections: each reads what the workspace holds and fills one :class:`Section`,
or leaves a short note saying what to run when its data is absent (no CLV run, no survey, no
campaign) instead of failing the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import CvmError
from cvm.engines import sql_file
from cvm.report.content import Card, Chart, Section, Table, fmt, fmt_change

if TYPE_CHECKING:
    from cvm.workspace import Workspace

HOLDOUT_DAYS = 182
COHORT_PERIODS = 24

__all__ = ["SECTIONS", "Context"]


@dataclass
class Context:
    """What every section reads: the workspace, the day, the runs as of that day, options."""

    ws: Workspace
    day: date
    clv_run: str | None
    segments_run: str | None
    previous_segments_run: str | None
    evaluate: bool
    freq: str
    later: dict[str, date] = field(default_factory=dict)

    def missing(self, kind: str, what: str, command: str) -> str:
        """Why ``kind`` (clv, segments) is missing: none yet (run ``command``), or none on or
        before the day while a later cutoff has one (offered instead)."""
        if kind in self.later:
            return (
                f"no {what} on or before {self.day}: the first are as of {self.later[kind]}"
                f" (show the report as of {self.later[kind]})"
            )
        return f"no {what} yet: run `{command}`"

    def query(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        return self.ws.engine.frame(sql_file(__package__, name), params)

    def has_table(self, table: str) -> bool:
        return bool(
            self.ws.engine.scalar(sql_file(__package__, "table_exists.sql"), {"table": table})
        )


def _headline(ctx: Context, section: Section) -> None:
    from cvm.report.kpis import kpi_snapshot

    snap = kpi_snapshot(ctx.ws, ctx.day, freq=ctx.freq).iloc[0]
    section.lead = (
        f"Period {fmt(snap['period_start'])} to {fmt(snap['period_end'] - timedelta(days=1))}"
        " against the period before."
    )
    change = snap["equity_change"]
    since = "" if pd.isna(change) else f", {fmt_change(change, 'money')} since the last run"
    section.cards = [
        Card("customers to date", fmt(snap["customers_to_date"], "int")),
        Card("active", fmt(snap["active"], "int"), "bought in the period"),
        Card("new", fmt(snap["new"], "int"), "first purchase in the period"),
        Card("retention", fmt(snap["retention_rate"], "pct"), "of last period's actives"),
        Card(
            "period churn",
            fmt(snap["churn_rate"], "pct"),
            "of last period's buyers bought nothing this period (not contract churn)",
        ),
        Card("net revenue", fmt(snap["net_revenue"], "money")),
        Card("average order value", fmt(snap["average_order_value"], "money")),
        Card(
            "customer equity",
            fmt(snap["customer_equity"], "money"),
            "sum of CLV" + since,
        ),
    ]
    if pd.isna(snap["customer_equity"]):
        section.notes.append(ctx.missing("clv", "CLV scores (customer equity)", "cvm score"))


def _value(ctx: Context, section: Section) -> None:
    from cvm.report.charts import clv_histogram_chart, treemap_chart
    from cvm.report.kpis import clv_distribution

    if ctx.clv_run is None:
        section.notes.append(ctx.missing("clv", "CLV scores", "cvm score"))
    else:
        dist = clv_distribution(ctx.ws, ctx.clv_run)
        bins = ctx.query("clv_histogram.sql", {"run_id": ctx.clv_run, "bins": 40})
        top10 = None if pd.isna(dist["top10_share"]) else float(dist["top10_share"])
        section.charts.append(Chart("clv_distribution", clv_histogram_chart(bins, top10)))
        section.cards = [
            Card("customer equity", fmt(dist["customer_equity"], "money")),
            Card("mean CLV", fmt(dist["mean"], "money")),
            Card("median CLV", fmt(dist["p50"], "money")),
            Card("top 10% hold", fmt(dist["top10_share"], "pct"), "of customer equity"),
            Card("top 20% hold", fmt(dist["top20_share"], "pct"), "of customer equity"),
        ]
        quantiles = pd.DataFrame(
            {"quantile": ["10%", "25%", "50%", "75%", "90%", "99%", "max"]}
            | {"CLV": [dist[k] for k in ("p10", "p25", "p50", "p75", "p90", "p99", "max")]}
        )
        section.tables.append(Table.from_frame("CLV quantiles", quantiles, {"CLV": "money"}))
    if ctx.segments_run is None:
        section.notes.append(ctx.missing("segments", "segments", "cvm segment"))
        return
    from cvm.segments.runs import segment_summary

    summary = segment_summary(ctx.ws, ctx.segments_run).reset_index()
    tiers = summary[summary["kind"] == "tier"][
        ["segment", "customers", "share", "revenue", "clv", "mean_clv", "mean_p_alive"]
    ].rename(columns={"segment": "tier"})
    kinds = {"customers": "int", "share": "pct", "revenue": "money", "clv": "money"}
    if len(tiers):
        section.tables.append(
            Table.from_frame(
                "Value tiers", tiers, kinds | {"mean_clv": "money", "mean_p_alive": "pct"}
            )
        )
    cells = ctx.query("segment_treemap.sql", {"run_id": ctx.segments_run})
    if len(cells):
        section.charts.append(Chart("segment_treemap", treemap_chart(cells)))


def _movement(ctx: Context, section: Section) -> None:
    from cvm.report.charts import cohort_heatmap, equity_chart, kpi_trend_chart, kpi_value_chart
    from cvm.report.kpis import cohort_table, customer_equity, kpi_timeseries, segment_migration

    trend = kpi_timeseries(ctx.ws, end=ctx.day, freq=ctx.freq)
    trend = trend[trend["period_start"] >= trend["period_start"].min()]
    if len(trend):
        section.charts.append(Chart("kpi_trend", kpi_trend_chart(trend)))
        section.charts.append(Chart("kpi_value", kpi_value_chart(trend)))
    start = pd.Timestamp(ctx.day).to_period("M").start_time - pd.DateOffset(
        months=COHORT_PERIODS - 1
    )
    cohorts = cohort_table(ctx.ws, start if ctx.freq == "M" else None, ctx.day, freq=ctx.freq)
    if len(cohorts):
        section.charts.append(Chart("cohort_heatmap", cohort_heatmap(cohorts)))
    equity = customer_equity(ctx.ws, as_of=ctx.day)
    if equity["cutoff"].nunique() > 1:
        section.charts.append(Chart("customer_equity", equity_chart(equity)))
    elif len(equity):
        section.notes.append(
            "customer equity over time needs CLV scores at two cutoffs: run `cvm score"
            " --cutoff DAY` for an earlier day too"
        )
    if ctx.segments_run is None or ctx.previous_segments_run is None:
        section.notes.append(
            "segment migration needs two segments runs: run `cvm segment --as-of DAY` for an"
            " earlier day too"
        )
        return
    from cvm.report.charts import migration_sankey
    from cvm.segments.runs import Migration

    flows = segment_migration(ctx.ws, "segment", ctx.previous_segments_run, ctx.segments_run)
    cutoffs = ctx.ws.engine.rows(
        sql_file(__package__, "run_cutoffs.sql"),
        {"first": ctx.previous_segments_run, "second": ctx.segments_run},
    )
    days = dict(cutoffs)
    table = flows.rename(columns={"from_group": "from_segment", "to_group": "to_segment"})
    migration = Migration(
        days[ctx.previous_segments_run], days[ctx.segments_run], "RFM segment", table
    )
    if len(table):
        section.charts.append(Chart("migration_sankey", migration_sankey(migration)))


def _clv_quality(ctx: Context, section: Section) -> None:
    if ctx.clv_run is None:
        section.notes.append(ctx.missing("clv", "CLV run", "cvm fit` and `cvm score"))
        return
    metrics = ctx.ws.engine.rows(sql_file(__package__, "run_metrics.sql"), {"run_id": ctx.clv_run})[
        0
    ]
    comparison = pd.DataFrame(json.loads(metrics[1] or "{}").get("comparison", []))
    if len(comparison):
        section.lead = (
            f"Run {ctx.clv_run}: {metrics[0]} chosen by BIC (MBG/NBD rather than BG/NBD, whose"
            " P(alive) is 1 for every one-time buyer; a holdout evaluation picks by holdout"
            " error instead)."
        )
        section.tables.append(Table.from_frame("Model comparison (calibration fit)", comparison))
    if not ctx.evaluate:
        return
    first = ctx.ws.engine.scalar(
        sql_file(__package__, "first_transaction_day.sql"), {"day": ctx.day}
    )
    calibration_end = ctx.day - timedelta(days=HOLDOUT_DAYS)
    if first is None or (calibration_end - first).days < HOLDOUT_DAYS:
        section.notes.append(
            f"holdout evaluation needs a year of history before {ctx.day}: skipped"
        )
        return
    from cvm.clv import TRANSACTION_MODELS, evaluate
    from cvm.report.charts import calibration_chart, tracking_chart

    chosen = str(metrics[0]) if metrics[0] in TRANSACTION_MODELS else "bgnbd"
    evaluation = evaluate(ctx.ws, calibration_end, ctx.day, models=(chosen,))
    section.charts.append(Chart("clv_tracking", tracking_chart(evaluation)))
    section.charts.append(Chart("clv_calibration", calibration_chart(evaluation)))
    totals = evaluation.totals.reset_index()
    section.tables.append(
        Table.from_frame(
            f"Holdout {evaluation.calibration_end} to {evaluation.holdout_end}: repeat purchases",
            totals,
            {"predicted": "int", "actual": "int"},
        )
    )


def _churn(ctx: Context, section: Section) -> None:
    if ctx.segments_run is None:
        section.notes.append(
            ctx.missing("segments", "churn scores", "cvm churn train` then `cvm segment")
        )
        return
    from cvm.report.charts import churn_risk_chart
    from cvm.segments.runs import segment_summary

    bins = ctx.query("churn_histogram.sql", {"run_id": ctx.segments_run})
    if bins.empty:
        section.notes.append("no churn scores: run `cvm churn train` then `cvm segment`")
        return
    section.charts.append(Chart("churn_risk", churn_risk_chart(bins)))
    section.lead = _churn_definition(ctx)
    high = bins[bins["bin"] >= 5]
    section.cards = [
        Card("customers scored", fmt(bins["customers"].sum(), "int")),
        Card("risk ≥ 50%", fmt(high["customers"].sum(), "int"), "customers"),
        Card("CLV at risk", fmt(high["clv"].sum(), "money"), "held by them"),
    ]
    summary = segment_summary(ctx.ws, ctx.segments_run).reset_index()
    stages = summary[summary["kind"] == "lifecycle"][
        ["segment", "customers", "clv", "mean_p_alive", "mean_churn_risk"]
    ].rename(columns={"segment": "lifecycle stage"})
    section.tables.append(
        Table.from_frame(
            "Churn risk by lifecycle stage",
            stages,
            {"customers": "int", "clv": "money", "mean_p_alive": "pct", "mean_churn_risk": "pct"},
        )
    )


def _churn_definition(ctx: Context) -> str:
    """What the churn risk on this page means: the definition of the model that scored it."""
    from cvm.segments.churn import churn_definition

    rows = ctx.ws.engine.rows(
        sql_file(__package__, "churn_definition.sql"), {"run_id": ctx.segments_run}
    )
    if not rows or rows[0][1] is None:
        return "churn risk: scored by a churn model of an earlier version"
    target, horizon = str(rows[0][0]), int(rows[0][1])
    other = (
        "The headline's period churn counts last period's buyers with no purchase this period."
        if target == "purchases"
        else ""
    )
    text = churn_definition(target, horizon)
    return f"{text[0].upper()}{text[1:]}. {other}".strip()


def _campaigns(ctx: Context, section: Section) -> None:
    from cvm.report.charts import campaign_lift_chart
    from cvm.report.kpis import imported_outcomes

    results = imported_outcomes(ctx.ws)
    if results.empty:
        section.notes.append(
            "no campaigns yet: design one with a control group (`cvm campaign`), then"
            " `cvm campaign measure` it to see what it earned"
        )
        return
    section.cards = [
        Card("campaigns", fmt(results["campaign_id"].nunique(), "int")),
        Card("incremental revenue", fmt(results["incremental_revenue"].sum(), "money")),
        Card("cost", fmt(results["cost"].sum(), "money")),
    ]
    shown = results.drop(columns=["name"])
    section.tables.append(
        Table.from_frame(
            "Results per treatment arm (against its control)",
            shown,
            {
                "customers": "int", "conversion": "pct", "control_conversion": "pct",
                "lift": "pct", "revenue_per_customer": "money",
                "control_revenue_per_customer": "money", "incremental_revenue": "money",
                "cost": "money", "roi": "pct",
            },
        )
    )  # fmt: skip
    lifts = ctx.query("campaign_lifts.sql", {}) if ctx.has_table("response_priors") else None
    if lifts is None or lifts.empty:
        section.notes.append("lift intervals appear once a campaign is measured")
        return
    section.charts.append(Chart("campaign_lift", campaign_lift_chart(lifts, "conversion")))
    if (lifts["metric"] == "revenue").any():
        section.charts.append(Chart("campaign_revenue_lift", campaign_lift_chart(lifts, "revenue")))


def _voice(ctx: Context, section: Section) -> None:
    answers = int(ctx.ws.engine.scalar(sql_file(__package__, "survey_answers.sql")))
    if answers == 0:
        section.notes.append("no survey answers yet: load them with `cvm ingest surveys FILE`")
        return
    from cvm.report.charts import nps_chart, quality_profile_chart, value_map_chart
    from cvm.survey import csat, nps, value_map

    try:
        vmap = value_map(ctx.ws, n_boot=200)
    except CvmError as exc:
        section.notes.append(f"value map: {exc}")
    else:
        if "relative_price" in vmap.map:
            section.charts.append(Chart("value_map", value_map_chart(vmap)))
        else:
            section.notes.append("the survey has no price attribute: no value map")
        section.charts.append(Chart("quality_profile", quality_profile_chart(vmap)))
    try:
        table = nps(ctx.ws)
    except CvmError as exc:
        section.notes.append(f"NPS: {exc}")
    else:
        if len(table):
            section.charts.append(Chart("nps", nps_chart(table)))
    try:
        sat = csat(ctx.ws)
    except CvmError as exc:
        section.notes.append(f"CSAT: {exc}")
    else:
        if len(sat):
            shown = sat.reset_index(drop=sat.index.name is None)
            section.tables.append(Table.from_frame("CSAT", shown))


SECTIONS: list[tuple[str, str, Callable[[Context, Section], None]]] = [
    ("headline", "Headline", _headline),
    ("value", "Where value sits", _value),
    ("movement", "How it moves", _movement),
    ("clv_quality", "CLV model quality", _clv_quality),
    ("churn", "Churn risk", _churn),
    ("campaigns", "What campaigns earned", _campaigns),
    ("voice", "Voice of the customer", _voice),
]
