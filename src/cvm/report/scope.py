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

from cvm._exceptions import ConfigError, DataError
from cvm._sql import load_sql

if TYPE_CHECKING:
    from cvm.workspace import Workspace

SQL = "cvm.report"
KINDS = ("rfm", "tier", "lifecycle", "rule")
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
    return ws.con.execute(load_sql(SQL, "segment_options.sql"), {"run_id": run_id}).df()


def parse_segment(segment: str, options: pd.DataFrame) -> tuple[str, str]:
    """``kind:name`` (or a bare name found in exactly one kind), any case, as ``(kind, name)``."""
    kind, sep, name = segment.partition(":")
    names = options["name"].str.casefold()
    if sep and kind.casefold() in KINDS:
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
    rows = ws.con.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_catalog = ? AND table_schema = 'main'",
        [catalog],
    ).fetchall()
    names = {str(r[0]) for r in rows}
    return [t for t in SCOPED_TABLES if t in names]


def _quoted(identifier: str) -> str:
    if '"' in identifier:
        raise ConfigError(f"unsupported database name {identifier!r}")
    return f'"{identifier}"'


@contextmanager
def segment_scope(ws: Workspace, run_id: str, kind: str, name: str) -> Iterator[int]:
    """Within the block, customer-keyed tables hold only the segment's members.

    Yields the number of members; raises ``DataError`` for an empty segment.
    """
    con = ws.con
    con.execute(load_sql(SQL, "scope_members.sql"), {"run_id": run_id, "kind": kind, "name": name})
    members = int(con.execute("SELECT count(*) FROM report_scope").fetchall()[0][0])
    if members == 0:
        con.execute("DROP TABLE IF EXISTS temp.main.report_scope")
        raise DataError(f"segment {kind}:{name} has no customers in run {run_id}")
    catalog = str(con.execute("SELECT current_database()").fetchall()[0][0])
    tables = _existing(ws, catalog)
    try:
        for table in tables:
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM"
                f" {_quoted(catalog)}.main.{table}"
                " WHERE customer_id IN (SELECT customer_id FROM temp.main.report_scope)"
            )
        yield members
    finally:
        for table in tables:
            con.execute(f"DROP VIEW IF EXISTS temp.main.{table}")
        con.execute("DROP TABLE IF EXISTS temp.main.report_scope")
