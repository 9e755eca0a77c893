"""A report of one segment: the customer-keyed tables seen through that segment's members.

Every section reads the canonical tables by name (``transactions``, ``scores``...). To describe
a sub-population without a second copy of every query, the report creates temporary views with
those names over the segment's members; DuckDB resolves an unqualified name to a temporary
view before the stored table, so the same SQL answers for the segment. The views live on the
report's connection only and are dropped when the block ends (a read-only connection can hold
them too: they are temporary).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd
import sqlglot.expressions as exp

from cvm._exceptions import ConfigError, DataError
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

SEGMENT_KINDS = ("rfm", "tier", "lifecycle", "rule")
SCOPED_TABLES = (
    "customers",
    "transactions",
    "scores",
    "survey_responses",
    "assignments",
    "campaign_outcomes",
)


def segment_options(ws: Workspace, run_id: str | None) -> pd.DataFrame:
    """Every segment of a segments run as ``choice`` (``kind:name``), ``kind``, ``name``,
    ``customers``; empty without a run."""
    if run_id is None:
        return pd.DataFrame(columns=["choice", "kind", "name", "customers"])
    return ws.engine.frame(sql_file(__package__, "segment_options.sql"), {"run_id": run_id})


def parse_segment(segment: str, options: pd.DataFrame) -> tuple[str, str]:
    """``kind:name`` (or a bare name found in exactly one kind), any case, as ``(kind, name)``.

    >>> options = pd.DataFrame(
    ...     {"choice": ["tier:Gold", "rfm:Champions"], "kind": ["tier", "rfm"],
    ...      "name": ["Gold", "Champions"]}
    ... )
    >>> parse_segment("champions", options)
    ('rfm', 'Champions')
    >>> parse_segment("tier:gold", options)
    ('tier', 'Gold')
    """
    kind, sep, name = segment.partition(":")
    names = options["name"].str.casefold()
    if sep and kind.casefold() in SEGMENT_KINDS:
        match = options[(options["kind"] == kind.casefold()) & (names == name.casefold())]
    else:
        match = options[names == segment.casefold()]
    if match.empty:
        known = ", ".join(options["choice"].head(30)) or "none: run `cvm segment` first"
        raise ConfigError(f"unknown segment {segment!r}; known segments: {known}")
    if len(match) > 1:
        choices = ", ".join(match["choice"])
        raise ConfigError(f"segment {segment!r} is ambiguous: use one of {choices}")
    return str(match["kind"].iloc[0]), str(match["name"].iloc[0])


def _existing(ws: Workspace, catalog: str) -> list[str]:
    rows = ws.engine.rows(sql_file(__package__, "scope_tables.sql"), {"catalog": catalog})
    names = {str(r[0]) for r in rows}
    return [t for t in SCOPED_TABLES if t in names]


@contextmanager
def segment_scope(ws: Workspace, run_id: str, kind: str, name: str) -> Iterator[int]:
    """Within the block, customer-keyed tables hold only the segment's members.

    Yields the number of members; raises ``DataError`` for an empty segment.
    """
    engine = ws.engine
    members_sql = sql_file(__package__, "scope_members.sql")
    engine.run(members_sql, {"run_id": run_id, "kind": kind, "name": name})
    members = int(engine.scalar(sql_file(__package__, "scope_count.sql")))
    if members == 0:
        engine.run(sql_file(__package__, "scope_drop.sql"))
        raise DataError(f"segment {kind}:{name} has no customers in run {run_id}")
    catalog = str(engine.scalar(sql_file(__package__, "current_database.sql")))
    tables = _existing(ws, catalog)
    try:
        for table in tables:
            stored = exp.table_(table, db="main", catalog=catalog, quoted=True)
            engine.run(fill(sql_file(__package__, "scope_view.sql"), view=table, source=stored))
        yield members
    finally:
        for table in tables:
            view = exp.table_(table, db="main", catalog="temp", quoted=True)
            engine.run(fill(sql_file(__package__, "scope_drop_view.sql"), view=view))
        engine.run(sql_file(__package__, "scope_drop.sql"))
