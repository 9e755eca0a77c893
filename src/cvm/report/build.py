"""The report's content: sections of headline figures, tables and plotly charts, as of a day
and optionally for one segment. ``html`` renders it; the dashboard serves the same sections.

Each section reads what the workspace holds and, when its data is absent (no CLV run, no
survey, no campaign), carries a short note saying what to run instead of failing the report.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import CvmError, DataError
from cvm._sql import load_sql
from cvm.report.kpis import DateLike, _day, _last_purchase_day

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from cvm.workspace import Workspace

SQL = "cvm.report"
HOLDOUT_DAYS = 182
COHORT_PERIODS = 24

__all__ = ["Card", "Chart", "ReportData", "Section", "Table", "build_report"]


def _fmt(value: Any, kind: str = "num") -> str:
    """A cell as text: ``int``, ``num``, ``money``, ``pct`` (a share) or ``date``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if isinstance(value, pd.Timestamp | datetime | date):
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    if isinstance(value, str | bool):
        return str(value)
    v = float(value)
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "money":
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"


@dataclass
class Card:
    """One headline figure."""

    label: str
    value: str
    note: str = ""


@dataclass
class Table:
    """A small table already formatted as text, so every page shows the same figures."""

    title: str
    columns: list[str]
    rows: list[list[str]]

    @classmethod
    def from_frame(
        cls, title: str, frame: pd.DataFrame, kinds: dict[str, str] | None = None
    ) -> Table:
        kinds = kinds or {}
        rows = [
            [_fmt(v, kinds.get(str(c), "num")) for c, v in zip(frame.columns, r, strict=True)]
            for r in frame.itertuples(index=False)
        ]
        return cls(title, [str(c).replace("_", " ") for c in frame.columns], rows)


@dataclass
class Chart:
    """A plotly figure with a stable id; ``to_json`` is what a page hands to ``Plotly.newPlot``."""

    key: str
    figure: go.Figure

    def to_json(self) -> str:
        text = self.figure.to_json()
        return text.replace("</", "<\\/")  # never close the <script> that holds it


@dataclass
class Section:
    """One part of the report: headline cards, tables, charts and notes."""

    key: str
    title: str
    lead: str = ""
    cards: list[Card] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything a report page shows, as of ``as_of`` for ``segment`` (None: everyone)."""

    title: str
    workspace: str
    as_of: date
    segment: str | None
    generated_at: datetime
    sections: list[Section]
    segment_choices: list[str] = field(default_factory=list)
    runs: dict[str, str | None] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]


@dataclass
class _Context:
    ws: Workspace
    day: date
    clv_run: str | None
    segments_run: str | None
    previous_segments_run: str | None
    evaluate: bool
    freq: str

    def query(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        return self.ws.con.execute(load_sql(SQL, name), params).df()

    def has_table(self, table: str) -> bool:
        rows = self.ws.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchall()
        return bool(rows[0][0])


def _headline(ctx: _Context, section: Section) -> None:
    from cvm.report.kpis import kpi_snapshot

    snap = kpi_snapshot(ctx.ws, ctx.day, freq=ctx.freq).iloc[0]
    section.lead = (
        f"Period {_fmt(snap['period_start'])} to {_fmt(snap['period_end'] - timedelta(days=1))}"
        " against the period before."
    )
    change = snap["equity_change"]
    section.cards = [
        Card("customers to date", _fmt(snap["customers_to_date"], "int")),
        Card("active", _fmt(snap["active"], "int"), "bought in the period"),
        Card("new", _fmt(snap["new"], "int"), "first purchase in the period"),
        Card("retention", _fmt(snap["retention_rate"], "pct"), "of last period's actives"),
        Card(
            "period churn",
            _fmt(snap["churn_rate"], "pct"),
            "of last period's buyers bought nothing this period (not contract churn)",
        ),
        Card("net revenue", _fmt(snap["net_revenue"], "money")),
        Card("average order value", _fmt(snap["average_order_value"], "money")),
        Card(
            "customer equity",
            _fmt(snap["customer_equity"], "money"),
            "sum of CLV" + ("" if pd.isna(change) else f", {change:+,.0f} since the last run"),
        ),
    ]
    if pd.isna(snap["customer_equity"]):
        section.notes.append("no CLV scores yet: run `cvm score` for customer equity")


def _value(ctx: _Context, section: Section) -> None:
    from cvm.report.figures import clv_histogram_chart, treemap_chart
    from cvm.report.kpis import clv_distribution

    if ctx.clv_run is None:
        section.notes.append("no CLV scores yet: run `cvm score` to value customers")
    else:
        dist = clv_distribution(ctx.ws, ctx.clv_run)
        bins = ctx.query("clv_histogram.sql", {"run_id": ctx.clv_run, "bins": 40})
        top10 = None if pd.isna(dist["top10_share"]) else float(dist["top10_share"])
        section.charts.append(Chart("clv_distribution", clv_histogram_chart(bins, top10)))
        section.cards = [
            Card("customer equity", _fmt(dist["customer_equity"], "money")),
            Card("mean CLV", _fmt(dist["mean"], "money")),
            Card("median CLV", _fmt(dist["p50"], "money")),
            Card("top 10% hold", _fmt(dist["top10_share"], "pct"), "of customer equity"),
            Card("top 20% hold", _fmt(dist["top20_share"], "pct"), "of customer equity"),
        ]
        quantiles = pd.DataFrame(
            {"quantile": ["10%", "25%", "50%", "75%", "90%", "99%", "max"]}
            | {"CLV": [dist[k] for k in ("p10", "p25", "p50", "p75", "p90", "p99", "max")]}
        )
        section.tables.append(Table.from_frame("CLV quantiles", quantiles, {"CLV": "money"}))
    if ctx.segments_run is None:
        section.notes.append("no segments yet: run `cvm segment` for value tiers and segments")
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


def _movement(ctx: _Context, section: Section) -> None:
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
    if len(equity) > 1:
        section.charts.append(Chart("customer_equity", equity_chart(equity)))
    if ctx.segments_run is None or ctx.previous_segments_run is None:
        section.notes.append(
            "segment migration needs two segments runs: run `cvm segment --as-of DAY` for an"
            " earlier day too"
        )
        return
    from cvm.report.charts import migration_sankey
    from cvm.segments.runs import Migration

    flows = segment_migration(ctx.ws, "segment", ctx.previous_segments_run, ctx.segments_run)
    cutoffs = ctx.ws.con.execute(
        "SELECT run_id, CAST(cutoff AS DATE) FROM model_runs WHERE run_id IN (?, ?)",
        [ctx.previous_segments_run, ctx.segments_run],
    ).fetchall()
    days = dict(cutoffs)
    table = flows.rename(columns={"from_group": "from_segment", "to_group": "to_segment"})
    migration = Migration(
        days[ctx.previous_segments_run], days[ctx.segments_run], "RFM segment", table
    )
    if len(table):
        section.charts.append(Chart("migration_sankey", migration_sankey(migration)))


def _clv_quality(ctx: _Context, section: Section) -> None:
    if ctx.clv_run is None:
        section.notes.append("no CLV run yet: run `cvm fit` and `cvm score`")
        return
    metrics = ctx.ws.con.execute(
        "SELECT model, metrics FROM model_runs WHERE run_id = ?", [ctx.clv_run]
    ).fetchall()[0]
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
    first = ctx.ws.con.execute(
        "SELECT CAST(min(ts) AS DATE) FROM transactions WHERE ts < CAST(? AS DATE) + 1",
        [ctx.day],
    ).fetchall()[0][0]
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


def _churn(ctx: _Context, section: Section) -> None:
    if ctx.segments_run is None:
        section.notes.append("no churn scores: run `cvm churn train` then `cvm segment`")
        return
    from cvm.report.figures import churn_risk_chart
    from cvm.segments.runs import segment_summary

    bins = ctx.query("churn_histogram.sql", {"run_id": ctx.segments_run})
    if bins.empty:
        section.notes.append("no churn scores: run `cvm churn train` then `cvm segment`")
        return
    section.charts.append(Chart("churn_risk", churn_risk_chart(bins)))
    section.lead = _churn_definition(ctx)
    high = bins[bins["bin"] >= 5]
    section.cards = [
        Card("customers scored", _fmt(bins["customers"].sum(), "int")),
        Card("risk ≥ 50%", _fmt(high["customers"].sum(), "int"), "customers"),
        Card("CLV at risk", _fmt(high["clv"].sum(), "money"), "held by them"),
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


def _churn_definition(ctx: _Context) -> str:
    """What the churn risk on this page means: the definition of the model that scored it."""
    from cvm.segments.churn import churn_definition

    rows = ctx.ws.con.execute(
        "SELECT coalesce(c.params->>'target', 'purchases'), c.params->>'horizon_days'"
        " FROM model_runs AS s JOIN model_runs AS c ON c.run_id = s.params->>'churn_run'"
        " WHERE s.run_id = ?",
        [ctx.segments_run],
    ).fetchall()
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


def _campaigns(ctx: _Context, section: Section) -> None:
    from cvm.report.figures import campaign_lift_chart
    from cvm.report.kpis import imported_outcomes

    results = imported_outcomes(ctx.ws)
    if results.empty:
        section.notes.append(
            "no campaigns yet: design one with a control group (`cvm campaign`), then"
            " `cvm campaign measure` it to see what it earned"
        )
        return
    section.cards = [
        Card("campaigns", _fmt(results["campaign_id"].nunique(), "int")),
        Card("incremental revenue", _fmt(results["incremental_revenue"].sum(), "money")),
        Card("cost", _fmt(results["cost"].sum(), "money")),
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


def _voice(ctx: _Context, section: Section) -> None:
    answers = int(ctx.ws.con.execute("SELECT count(*) FROM survey_responses").fetchall()[0][0])
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


SECTIONS: list[tuple[str, str, Callable[[_Context, Section], None]]] = [
    ("headline", "Headline", _headline),
    ("value", "Where value sits", _value),
    ("movement", "How it moves", _movement),
    ("clv_quality", "CLV model quality", _clv_quality),
    ("churn", "Churn risk", _churn),
    ("campaigns", "What campaigns earned", _campaigns),
    ("voice", "Voice of the customer", _voice),
]


def _context(ws: Workspace, day: date, evaluate: bool, freq: str) -> _Context:
    runs = ws.con.execute(load_sql(SQL, "report_runs.sql"), {"day": day}).fetchall()[0]
    return _Context(ws, day, runs[0], runs[1], runs[2], evaluate, freq)


def _sections(ctx: _Context) -> list[Section]:
    out = []
    for key, title, fill in SECTIONS:
        section = Section(key, title)
        try:
            fill(ctx, section)
        except CvmError as exc:
            section.charts.clear()
            section.notes.append(str(exc))
        out.append(section)
    return out


def build_report(
    ws: Workspace,
    *,
    as_of: DateLike | None = None,
    segment: str | None = None,
    evaluate: bool = True,
    freq: str = "M",
) -> ReportData:
    """Gather every section of the report as of ``as_of`` (default: the last purchase day).

    Parameters
    ----------
    ws : an open workspace (read-only is enough).
    as_of : the report's day; KPIs describe the period ending that day and CLV, segments and
        churn come from the newest runs with a cutoff on or before it.
    segment : ``kind:name`` (kind ``rfm``, ``tier``, ``lifecycle`` or ``rule``) or a bare
        segment name from the newest segments run: every section then describes only its
        members (see :mod:`cvm.report.scope`).
    evaluate : refit the run's chosen CLV model on a holdout for the tracking and calibration
        charts (the slowest part; skipped with False).
    freq : KPI period, D, W, M, Q or Y.

    Returns
    -------
    ReportData
    """
    from cvm.report.kpis import frequency
    from cvm.report.scope import parse_segment, segment_options, segment_scope

    frequency(freq)
    day = (_day(as_of, "as_of") if as_of is not None else _last_purchase_day(ws)).date()
    first = ws.con.execute("SELECT min(ts) FROM transactions").fetchall()[0][0]
    if first is None:
        raise DataError("no transactions: load them with `cvm ingest transactions FILE`")
    if day < pd.Timestamp(first).date():
        raise DataError(f"as_of {day} is before the first transaction ({first:%Y-%m-%d})")
    ctx = _context(ws, day, evaluate, freq)
    options = segment_options(ws, ctx.segments_run)
    if segment:
        if ctx.segments_run is None:
            raise DataError(f"no segments run on or before {day}: cannot filter by segment")
        kind, name = parse_segment(segment, options)
        with segment_scope(ws, ctx.segments_run, kind, name):
            sections = _sections(ctx)
        segment = f"{kind}:{name}"
    else:
        sections = _sections(ctx)
    return ReportData(
        title=f"Customer value report: {ws.config.name}",
        workspace=str(ws.path),
        as_of=day,
        segment=segment,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        sections=sections,
        segment_choices=list(options["choice"]),
        runs={
            "clv": ctx.clv_run,
            "segments": ctx.segments_run,
            "previous_segments": ctx.previous_segments_run,
        },
    )
