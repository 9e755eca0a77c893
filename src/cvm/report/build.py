"""The report's content as of a day and optionally for one segment: every section of
:mod:`cvm.report.sections`, as the :class:`ReportData` that ``html`` renders and the dashboard
serves.

    report/content.py    what a page shows (cards, tables, charts, sections) and its formatting
    report/sections.py   one function per section, reading the workspace
    report/scope.py      a segment's members standing in for the customer-keyed tables
    report/charts/       every plotly figure, by subject
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from cvm._exceptions import CvmError, DataError
from cvm.engines import sql_file
from cvm.report.content import Card, Chart, ReportData, Section, Table
from cvm.report.kpis import DateLike, as_day, last_purchase_day
from cvm.report.sections import SECTIONS, Context

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["Card", "Chart", "ReportData", "Section", "Table", "alternatives", "build_report"]


def _context(ws: Workspace, day: date, evaluate: bool, freq: str) -> Context:
    runs = ws.engine.rows(sql_file(__package__, "report_runs.sql"), {"day": day})[0]
    ctx = Context(ws, day, runs[0], runs[1], runs[2], evaluate, freq)
    if ctx.clv_run is None or ctx.segments_run is None:
        later = ws.engine.rows(sql_file(__package__, "later_runs.sql"), {"day": day})[0]
        missing = {"clv": ctx.clv_run is None, "segments": ctx.segments_run is None}
        for kind, first in zip(("clv", "segments"), later, strict=True):
            if first is not None and missing[kind]:
                ctx.later[kind] = pd.Timestamp(first).date()
    return ctx


def alternatives(ws: Workspace, as_of: DateLike | None = None) -> tuple[dict[str, date], list[str]]:
    """What a page that failed for ``as_of`` can offer: the first later cutoff of each missing
    run (clv, segments) and the segments a filter can choose on that day."""
    from cvm.report.scope import segment_options

    day = (as_day(as_of, "as_of") if as_of is not None else last_purchase_day(ws)).date()
    ctx = _context(ws, day, False, "M")
    run = ctx.segments_run
    return dict(ctx.later), list(segment_options(ws, run)["choice"])


def _sections(ctx: Context) -> list[Section]:
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
    day = (as_day(as_of, "as_of") if as_of is not None else last_purchase_day(ws)).date()
    first = ws.engine.scalar(sql_file(__package__, "first_transaction.sql"))
    if first is None:
        raise DataError("no transactions: load them with `cvm ingest transactions FILE`")
    if day < pd.Timestamp(first).date():
        raise DataError(f"as_of {day} is before the first transaction ({first:%Y-%m-%d})")
    ctx = _context(ws, day, evaluate, freq)
    options = segment_options(ws, ctx.segments_run)
    if segment:
        if ctx.segments_run is None:
            raise DataError(
                f"no segments run on or before {day}: cannot filter by segment"
                + (
                    f"; the first segments are as of {ctx.later['segments']}"
                    if "segments" in ctx.later
                    else "; run `cvm segment` first"
                )
            )
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
        later=dict(ctx.later),
    )
