"""A segments run: every customer's RFM segment, tier, lifecycle stage, rule segments and
churn risk as of a day, stored in ``scores`` and ``segment_members``; summaries and
migration between two days."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from cvm._dates import parse_day
from cvm._exceptions import ConfigError, DataError
from cvm._progress import Progress, no_progress
from cvm.clv.profile import profile_with_clv
from cvm.engines import fill, sql_file
from cvm.segments.assign import SEGMENT_TABLE, default_as_of, segment_table, settings_of
from cvm.segments.churn import latest_churn_model, score_churn
from cvm.segments.rule_checks import check_rules
from cvm.segments.rules import evaluate_rules, run_params

if TYPE_CHECKING:
    from cvm.workspace import Workspace

BY = {"rfm": "rfm_segment", "tier": "tier", "lifecycle": "lifecycle"}


@dataclass
class SegmentRun:
    """What ``segment`` made: the run id, the day, and counts per kind of segment."""

    run_id: str
    as_of: date
    customers: int
    churn_run: str | None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def segment(
    ws: Workspace,
    as_of: date | str | None = None,
    *,
    churn: bool = True,
    progress: Progress = no_progress,
) -> SegmentRun:
    """Segment every customer as of a day and store the run (kind ``'segments'``).

    Builds the profile (CLV from the newest ``clv`` run at that day, else fitted), scores
    RFM, tiers and lifecycle in SQL, scores churn risk with the newest churn model (when one
    was trained and ``churn``), checks and evaluates the rule segments of cvm.toml, and
    writes ``scores`` (rfm, segment, tier, lifecycle, churn_risk, churn_reasons) and
    ``segment_members`` in one transaction.
    """
    settings = settings_of(ws)
    day = parse_day(as_of, "as_of") if as_of is not None else default_as_of(ws)
    notes: list[str] = []
    progress(0, 4, "profile")
    profile_with_clv(ws, day, notes=notes)
    progress(1, 4, "RFM, tiers, lifecycle")
    segment_table(ws, day, settings, profile="customer_profile")
    check_rules(ws.engine, SEGMENT_TABLE, settings.rules)  # refuse a bad rule before the slow part
    progress(2, 4, "churn risk")
    churn_run = _add_churn(ws, day) if churn else None
    if not churn or churn_run is None:
        ws.engine.run(sql_file(__package__, "no_churn_reasons.sql"))
    progress(3, 4, "storing")
    members = evaluate_rules(ws, settings.rules, table=SEGMENT_TABLE)
    rows, cols = np.nonzero(members.to_numpy(bool))
    pairs = pd.DataFrame(
        {
            "customer_id": members.index.to_numpy(dtype=object)[rows],
            "segment": np.array(members.columns, dtype=object)[cols],
        }
    )
    cutoff = pd.Timestamp(day).to_pydatetime()
    params = run_params(day, churn_run, settings.rules, settings)
    engine = ws.engine
    with engine.transaction():
        run_id = ws.record_run("segments", model="rfm+lifecycle", params=params, cutoff=cutoff)
        engine.run(sql_file(__package__, "store.sql"), {"run_id": run_id, "cutoff": cutoff})
        if len(pairs):
            with engine.register("segment_member_pairs", pairs):
                engine.run(sql_file(__package__, "store_members.sql"), {"run_id": run_id})
        counts = run_counts(ws, run_id)
        engine.run(
            sql_file(__package__, "run_metrics.sql"),
            {"metrics": json.dumps({**counts, "notes": notes}), "run_id": run_id},
        )
    progress(4, 4, "done")
    total = sum(counts["lifecycle"].values())
    return SegmentRun(run_id, day, total, churn_run, counts, notes)


def _add_churn(ws: Workspace, day: date) -> str | None:
    """Score churn on the current profile and fold it into the segment table."""
    found = latest_churn_model(ws)
    if found is None:
        return None
    run_id, model, channels, attributes = found
    scored = score_churn(ws, model, channels, attributes=attributes, as_of=day)
    reasons = [c for c in scored.columns if c.startswith("reason_")]
    frame = pd.DataFrame(
        {"customer_id": scored.index, "risk": scored["churn_risk"].to_numpy(dtype=float)}
        | {c: scored[c].astype(object).to_numpy() for c in reasons}
    )
    listing: list[exp.Expression] = [exp.column(c, table="c", quoted=True) for c in reasons]
    with ws.engine.register("churn_scored_frame", frame):
        ws.engine.run(fill(sql_file(__package__, "add_churn.sql"), reasons=listing or [exp.null()]))
        ws.engine.run(sql_file(__package__, "clear_churn_reasons.sql"))
    return run_id


def run_counts(ws: Workspace, run_id: str) -> dict[str, dict[str, int]]:
    """Customers per RFM segment, tier and lifecycle stage, and members per rule, of a run."""
    out: dict[str, dict[str, int]] = {}
    params = {"run_id": run_id}
    for kind, column in (("rfm", "segment"), ("tier", "tier"), ("lifecycle", "lifecycle")):
        query = fill(sql_file(__package__, "run_counts.sql"), column=column)
        out[kind] = {str(k): int(v) for k, v in ws.engine.rows(query, params)}
    rows = ws.engine.rows(sql_file(__package__, "member_counts.sql"), params)
    out["rule"] = {str(k): int(v) for k, v in rows}
    return out


def latest_segments_run(ws: Workspace, as_of: date | str | None = None) -> str:
    """The newest segments run (at ``as_of`` when given)."""
    day = parse_day(as_of, "as_of") if as_of is not None else None
    rows = ws.engine.rows(sql_file(__package__, "latest_run.sql"), {"day": day})
    if not rows:
        when = f" as of {day}" if day else ""
        raise DataError(f"no segments run{when}: run `cvm segment` first")
    return str(rows[0][0])


def segments_run_exists(ws: Workspace, run_id: str) -> bool:
    """Whether ``run_id`` is a stored segments run."""
    return bool(ws.engine.scalar(sql_file(__package__, "run_exists.sql"), {"run_id": run_id}))


def segment_summary(ws: Workspace, run_id: str | None = None) -> pd.DataFrame:
    """Size, share, revenue, CLV, P(alive) and churn risk of every segment of a run.

    One row per (kind, segment); kind is ``rfm``, ``tier``, ``lifecycle`` or ``rule``.
    """
    if run_id is not None and not segments_run_exists(ws, run_id):
        raise DataError(f"unknown segments run {run_id!r}: see `cvm segments` for the newest")
    run = run_id or latest_segments_run(ws)
    frame = ws.engine.frame(sql_file(__package__, "summary.sql"), {"run_id": run})
    return frame.set_index(["kind", "segment"])


@dataclass
class Migration:
    """Movement between two days: one row per (from, to) with customers and CLV."""

    from_date: date
    to_date: date
    by: str
    table: pd.DataFrame

    def matrix(self, value: str = "customers") -> pd.DataFrame:
        """``value`` (customers, clv_from or clv_to) as a from x to matrix, with totals."""
        wide = self.table.pivot_table(
            index="from_segment", columns="to_segment", values=value, aggfunc="sum", fill_value=0
        )
        wide["total"] = wide.sum(axis=1)
        wide.loc["total"] = wide.sum(axis=0)
        return wide


def migration(
    ws: Workspace,
    from_date: date | str,
    to_date: date | str,
    *,
    by: str = "rfm",
    options: dict[str, Any] | None = None,
) -> Migration:
    """How customers and CLV moved between segments from one day to another.

    Each side is segmented afresh as of its day (CLV from a stored run at that day or fitted),
    so the two snapshots use the same rules. ``by`` is ``rfm``, ``tier`` or ``lifecycle``.
    Customers unknown on the first day appear as ``(not yet)``; those without a segment on a
    day (prospects have no RFM segment or tier) as ``(none)``.
    """
    if by not in BY:
        raise ConfigError(f"by must be one of {', '.join(BY)}, got {by!r}")
    start, stop = parse_day(from_date, "from"), parse_day(to_date, "to")
    if stop <= start:
        raise DataError(f"--to {stop} must be after --from {start}")
    settings = settings_of(ws)
    column = BY[by]
    for name, day in (("migration_from", start), ("migration_to", stop)):
        segment_table(ws, day, settings, **(options or {}))
        ws.engine.run(fill(sql_file(__package__, "migration_side.sql"), side=name, column=column))
    table = ws.engine.frame(sql_file(__package__, "migration.sql"))
    return Migration(start, stop, by, table)


def value_at_risk(ws: Workspace, run_id: str, top: int = 10) -> pd.DataFrame:
    """The ``top`` customers of a run by churn risk x CLV: the value most worth keeping."""
    query = sql_file(__package__, "value_at_risk.sql")
    return ws.engine.frame(query, {"run_id": run_id, "top": top})
