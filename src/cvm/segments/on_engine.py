"""Rule segments on any engine: the profile built from source folders, each rule run where the
data is, its members written as Parquet partitioned by run.

A rule passes the same guard as on the workspace (:func:`cvm.rules.check`: parsed,
allow-listed, type-checked against the profile's columns in the locked sandbox). Only then is
its checked tree put into ``rule_members.sql`` and run by the engine, which renders it in its
own dialect (Spark SQL on Spark): the user's text never reaches the engine, only the tree the
guard accepted. A child segment's tree holds its ancestors' rules, as
:func:`cvm.segments.rules.evaluate_rules` requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import sqlglot.expressions as exp

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm.engines import Engine, fill, location, sql_file
from cvm.features.on_engine import (
    bind_sources,
    new_run_id,
    on_sources,
    profile_on_engine,
    write_run,
)
from cvm.features.profile import PROFILE_TABLE
from cvm.segments.rule_checks import check_rules
from cvm.segments.rules import rule_expression
from cvm.segments.settings import Rule

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
    parts = [
        fill(
            sql_file(__package__, "rule_members.sql"),
            segment=exp.Literal.string(name),
            table=table,
            rule=rule.tree(),
        )
        for name, rule in checked.items()
    ]
    if not parts:
        parts = [fill(sql_file(__package__, "rule_members.sql"), segment=exp.null(), table=table,
                      rule=exp.false())]  # fmt: skip
    union = parts[0] if len(parts) == 1 else exp.union(*parts, distinct=False)
    engine.materialize(MEMBERS_TABLE, union)
    return MEMBERS_TABLE


def last_day(engine: Engine) -> date:
    """The newest transaction's day in the engine's sources (after ``bind_sources``)."""
    found = engine.scalar(on_sources(sql_file(__package__, "default_as_of.sql")))
    if found is None:
        raise DataError("the transactions folder holds no rows: nothing to segment")
    return parse_day(found, "as_of", DataError)


@dataclass
class SegmentRun:
    """What a segments run on an engine wrote: the profile and the rule segments' members."""

    run_id: str
    as_of: date
    customers: int
    sizes: pd.Series
    written: dict[str, str | Path]


def segments_on_engine(
    engine: Engine,
    output: str | Path,
    rules: dict[str, Rule],
    as_of: date | str | None = None,
) -> SegmentRun:
    """Build the profile as of a day and every rule segment on ``engine``; write both.

    The profile goes under ``output``/profile/run_id=..., the members (one row per customer
    and segment) under ``output``/segments/run_id=...
    """
    bind_sources(engine)
    day = parse_day(as_of, "as_of", DataError) if as_of is not None else last_day(engine)
    profile = profile_on_engine(engine, day)
    members = rule_members_on_engine(engine, rules, profile)
    run_id = new_run_id("segments")
    written = {
        "profile": write_run(engine, profile, location(output, "profile"), run_id, day),
        "segments": write_run(engine, members, location(output, "segments"), run_id, day),
    }
    counts = engine.frame(fill(sql_file(__package__, "rule_member_counts.sql"), table=members))
    sizes = counts.set_index("segment")["customers"].reindex(list(rules), fill_value=0)
    customers = int(engine.scalar(fill(sql_file(__package__, "rule_profile_count.sql"),
                                       table=profile)) or 0)  # fmt: skip
    return SegmentRun(run_id, day, customers, sizes.astype(int), written)
