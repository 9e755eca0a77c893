"""A segments run on any engine: the whole segment table, as the workspace's ``cvm segment``
builds it, and the rule segments, written as Parquet partitioned by run.

The run does on the engine what :func:`cvm.segments.runs.segment` does on a workspace, with
the same code: the profile (``profile.sql``) with CLV fitted and scored as of the day
(:func:`cvm.clv.profile.fit_profile_clv`, the workspace's own fit), RFM scores, named RFM
segment, tier and lifecycle (``segments.sql``, the RFM map from
:func:`cvm.segments.assign.rfm_map_table`), churn risk and its reasons from the newest model
trained on the engine (:func:`cvm.segments.churn_on_engine.score_profile_churn`), then the
rule segments. It writes three folders under the output (the contract that ``cvm runs
import`` reads): ``profile/`` (the segment table, one row per customer), ``segments/`` (one
row per customer and rule segment) and ``_runs/`` (the run's record, one row).

A rule passes the same guard as on the workspace (:func:`cvm.rules.check`: parsed,
allow-listed, type-checked against the segment table's columns in the locked sandbox), so it
may name ``tier``, ``lifecycle``, ``clv`` or ``churn_risk`` here too. Only then is its checked
tree put into ``rule_members.sql`` and run by the engine, which renders it in its own dialect
(Spark SQL on Spark): the user's text never reaches the engine, only the tree the guard
accepted. A child segment's tree holds its ancestors' rules, as
:func:`cvm.segments.rules.evaluate_rules` requires. Every rule is evaluated in one pass over
the segment table (``rule_members.sql``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pandas as pd
import sqlglot.expressions as exp

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm.clv.profile import fit_profile_clv
from cvm.engines import Engine, fill, location, sql_file
from cvm.features.on_engine import (
    bind_sources,
    new_run_id,
    on_sources,
    profile_on_engine,
    source_name,
    write_record_row,
    write_run,
)
from cvm.features.profile import PROFILE_TABLE
from cvm.segments.assign import SEGMENT_TABLE, segments_on
from cvm.segments.churn_on_engine import CHURN_SCORES, score_profile_churn
from cvm.segments.rule_checks import check_rules, table_columns
from cvm.segments.rules import rule_expression, run_params
from cvm.segments.settings import Rule, SegmentSettings

if TYPE_CHECKING:
    from cvm.segments.churn_on_engine import EngineChurn

MEMBERS_TABLE = "rule_members"


def rule_members_on_engine(
    engine: Engine, rules: dict[str, Rule], table: str = PROFILE_TABLE
) -> str:
    """Keep ``(customer_id, segment)`` for every member of every rule as ``rule_members``."""
    check_rules(engine, table, rules)  # each rule as written, for messages naming it
    whole = {
        name: Rule(name, rule_expression(rule, rules), None, rule.description)
        for name, rule in rules.items()
    }
    checked = check_rules(engine, table, whole)
    items = [
        _member_case(exp.Literal.string(name), rule.tree()) for name, rule in checked.items()
    ] or [_member_case(exp.null(), exp.false())]
    query = fill(sql_file(__package__, "rule_members.sql"), table=table, segments=items)
    engine.materialize(MEMBERS_TABLE, query)
    return MEMBERS_TABLE


def _member_case(segment: exp.Expression, rule: exp.Expression) -> exp.Expression:
    """``rule_member_case.sql``'s item: the segment's name where its rule holds."""
    case = fill(sql_file(__package__, "rule_member_case.sql"), segment=segment, rule=rule)
    return cast(exp.Expression, cast(exp.Select, case).selects[0].unalias())


def last_day(engine: Engine) -> date:
    """The newest transaction's day in the engine's sources (after ``bind_sources``)."""
    found = engine.scalar(on_sources(sql_file(__package__, "default_as_of.sql")))
    if found is None:
        raise DataError("the transactions folder holds no rows: nothing to segment")
    return parse_day(found, "as_of", DataError)


SEGMENT_ROWS = "segment_rows"
"""The segment table of a run on an engine, churn folded in: what ``profile/`` holds."""


@dataclass
class SegmentRun:
    """What a segments run on an engine wrote: the segment table and the rule segments."""

    run_id: str
    as_of: date
    customers: int
    sizes: pd.Series
    written: dict[str, str | Path]
    churn_run: str | None = None
    clv_model: str | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def segments_on_engine(
    engine: Engine,
    output: str | Path,
    rules: dict[str, Rule],
    as_of: date | str | None = None,
    *,
    settings: SegmentSettings | None = None,
    churn_model: EngineChurn | None = None,
    churn_run: str | None = None,
) -> SegmentRun:
    """Segment every customer as of a day on ``engine``, as ``cvm segment`` does on a
    workspace; write the segment table, the rule segments' members and the run's record.

    Parameters
    ----------
    engine, output : where the job runs, and the folder (or URI) it writes under.
    rules : the rule segments (``[segments.rules]``).
    as_of : the day; default the newest transaction, event or contract day.
    settings : RFM, tiers and lifecycle (``[segments]``); default: the defaults.
    churn_model, churn_run : a churn model trained on an engine and its name (the model
        file's); without one, ``churn_risk`` and ``churn_reasons`` are NULL.

    The segment table goes under ``output``/profile/run_id=..., the members (one row per
    customer and segment) under ``output``/segments/run_id=..., the record under
    ``output``/_runs/run_id=... When CLV cannot be fitted it stays NULL (tiers too) and the
    reason is in the run's notes.
    """
    settings = settings or SegmentSettings()
    bind_sources(engine)
    day = parse_day(as_of, "as_of", DataError) if as_of is not None else last_day(engine)
    notes: list[str] = []
    fit = fit_profile_clv(engine, day, notes, relation=source_name("transactions"))
    if fit is None:
        profile_on_engine(engine, day)
    else:  # the CLV job's summary is the profile's: same day, source and unit
        profile_on_engine(engine, day, clv="clv_scores", summary="clv_summary")
    segments_on(engine, day, settings)
    if churn_model is not None:
        score_profile_churn(engine, churn_model)
    else:
        engine.run(sql_file(__package__, "engine_no_churn.sql"))
    table = fold_churn(engine)
    members = rule_members_on_engine(engine, rules, table)
    run_id = new_run_id("segments")
    written = {
        "profile": write_run(engine, table, location(output, "profile"), run_id, day),
        "segments": write_run(engine, members, location(output, "segments"), run_id, day),
    }
    counts = _counts(engine, table, members)
    sizes = pd.Series(counts["rule"], dtype=int).reindex(list(rules), fill_value=0)
    run = SegmentRun(
        run_id,
        day,
        sum(counts["lifecycle"].values()),  # every customer has a stage
        sizes.astype(int),
        written,
        churn_run=churn_run if churn_model is not None else None,
        clv_model=None if fit is None else fit.best,
        counts=counts,
        notes=notes,
    )
    written["record"] = write_record(engine, output, run, rules, settings)
    return run


def fold_churn(engine: Engine) -> str:
    """``customer_segments`` with ``churn_risk`` and ``churn_reasons`` from ``churn_scores``,
    as ``segment_rows``: what ``add_churn.sql`` does on the workspace, in SQL that every
    engine has (no ``* REPLACE``, no UPDATE)."""
    columns = [
        exp.column(c, table="s", quoted=True)
        for c in table_columns(engine, SEGMENT_TABLE)
        if c.lower() not in ("churn_risk", "churn_reasons")
    ]
    reasons = [
        exp.column(c, table="c", quoted=True) for c in CHURN_SCORES.names if c.startswith("reason_")
    ]
    engine.run(fill(sql_file(__package__, "engine_churn.sql"), columns=columns, reasons=reasons))
    return SEGMENT_ROWS


def _counts(engine: Engine, table: str, members: str) -> dict[str, dict[str, int]]:
    """Customers per RFM segment, tier, lifecycle stage and rule segment, in one query."""
    query = fill(sql_file(__package__, "engine_run_counts.sql"), table=table, members=members)
    out: dict[str, dict[str, int]] = {kind: {} for kind in ("rfm", "tier", "lifecycle", "rule")}
    for kind, value, n in sorted(engine.rows(query)):
        out[str(kind)][str(value)] = int(n)
    return out


def write_record(
    engine: Engine,
    output: str | Path,
    run: SegmentRun,
    rules: dict[str, Rule],
    settings: SegmentSettings,
) -> str | Path:
    """Write the run's record under ``output``/_runs/run_id=...: the same columns as a CLV
    run's record, with the params a workspace segments run keeps in ``model_runs``."""
    params = {
        **run_params(run.as_of, run.churn_run, rules, settings),
        "engine": engine.name,
        "clv_model": run.clv_model,
    }
    metrics = {**run.counts, "notes": run.notes}
    return write_record_row(
        engine, output, run.run_id, "segments", "rfm+lifecycle", params, metrics, run.as_of
    )
