"""Identity resolution: every id a person shows (userId, anonymousId, e-mail, CRM id) maps to
one customer id, and two customer ids found to be one person are merged.

The ids are nodes of a graph whose edges are the pairings that identify and alias calls (and the
tabular loaders) reveal; a customer is a connected component. Components are found in SQL by
min-label propagation, one statement per round, so the work grows with the ids a load touches,
not with the store. A component's survivor is its customer id first seen earliest (ties: the
smallest id), which makes the final mapping independent of the order files are loaded in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

import duckdb

from cvm._exceptions import DataError
from cvm._sql import load_sql
from cvm.workspace.connection import transaction

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["merge_customers", "resolve_customer_id"]

SOURCES_NORMALISED = {"email"}
"""Sources whose ids are compared case-insensitively (stored lower-cased and trimmed)."""

_MAX_ROUNDS = 10_000
_NAME = re.compile(r"^--\s*name:\s*([a-z_]+)\s*$", re.MULTILINE)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


@cache
def named_queries(name: str) -> dict[str, str]:
    """The statements of ``cvm/ingest/<name>``, keyed by their ``-- name: x`` header."""
    text = load_sql("cvm.ingest", name)
    parts = _NAME.split(text)
    return {key: body.strip() for key, body in zip(parts[1::2], parts[2::2], strict=True)}


def _run(con: duckdb.DuckDBPyConnection, file: str, query: str, **params: object) -> None:
    sql = named_queries(file)[query]
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    con.execute(sql, used or None)


def resolve_batch(
    con: duckdb.DuckDBPyConnection, *, load_id: str, reason: str, now: datetime
) -> int:
    """Fold one load's ids into the identity graph; returns the number of customers merged.

    Reads the temporary tables ``_id_batch_nodes(source, source_id, first_seen)`` and
    ``_id_batch_edges(a_source, a_id, b_source, b_id)``; leaves ``_id_resolved`` (every id of
    the touched components and its customer, NULL while anonymous) for the caller. Runs inside
    the caller's transaction.
    """
    for step in ("touched_keys", "nodes", "pseudo_nodes", "edges", "labels_init"):
        _run(con, "identity_resolve.sql", step)
    for _ in range(_MAX_ROUNDS):
        _run(con, "identity_resolve.sql", "labels_step")
        row = con.execute(named_queries("identity_resolve.sql")["labels_changed"]).fetchone()
        _run(con, "identity_resolve.sql", "labels_swap")
        if not row or row[0] == 0:
            break
    else:  # pragma: no cover - a chain of ids longer than any real identity graph
        raise DataError(f"identity graph did not settle after {_MAX_ROUNDS} rounds")
    _run(con, "identity_resolve.sql", "survivors")
    _run(con, "identity_resolve.sql", "merge_map")
    merged = _apply_merges(con, load_id=load_id, reason=reason, now=now)
    for step in ("identities_update", "identities_insert", "links_delete", "links_insert"):
        _run(con, "identity_resolve.sql", step, load_id=load_id)
    return merged


def customer_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table holding a ``customer_id`` column except ``customers`` (combined apart);
    views (``latest_scores``...) follow their tables."""
    rows = con.execute(
        "SELECT c.table_name FROM information_schema.columns AS c"
        " JOIN information_schema.tables AS t USING (table_schema, table_name)"
        " WHERE c.table_schema = 'main' AND c.column_name = 'customer_id'"
        " AND t.table_type = 'BASE TABLE' AND c.table_name <> 'customers' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows if _IDENT.match(r[0])]


def _apply_merges(
    con: duckdb.DuckDBPyConnection, *, load_id: str | None, reason: str, now: datetime
) -> int:
    """Merge every ``from_id`` of ``_id_merge_map`` into its ``into_id`` across all tables."""
    row = con.execute("SELECT count(*) FROM _id_merge_map").fetchone()
    merged = int(row[0]) if row else 0
    if merged == 0:
        return 0
    params = {"load_id": load_id, "reason": reason, "now": now}
    for step in ("log_chain", "log_drop_self", "log_insert"):
        _run(con, "identity_merge.sql", step, **params)
    for step in ("customers_combined", "customers_delete", "customers_insert"):
        _run(con, "identity_merge.sql", step)
    for table in customer_tables(con):
        # the table name comes from the catalog and is checked against _IDENT above
        con.execute(
            f'UPDATE "{table}" AS t SET customer_id = m.into_id FROM _id_merge_map AS m'
            " WHERE t.customer_id = m.from_id"
        )
    if "assignments" in customer_tables(con):
        _run(con, "identity_merge.sql", "assignments_dedupe")
    return merged


def _normalise(source: str, source_id: str) -> tuple[str, str]:
    source = source.strip().lower()
    source_id = source_id.strip()
    if source in SOURCES_NORMALISED:
        source_id = source_id.lower()
    return source, source_id


def resolve_customer_id(ws: Workspace, source: str, source_id: str) -> str | None:
    """The customer id behind one id of a person, or ``None`` while it is unknown (a prospect).

    Parameters
    ----------
    ws : Workspace
    source : str
        ``user`` (a Segment userId), ``anonymous`` (an anonymousId), ``alias`` (an alias
        previousId), ``email``, or a tabular source such as ``crm``.
    source_id : str
        The id in that source; e-mails are compared lower-cased.

    Notes
    -----
    A userId is a customer id: an unknown userId resolves to itself, a merged one to its
    survivor. An anonymous id resolves once identify or alias linked it to a customer.
    """
    source, source_id = _normalise(source, source_id)
    row = ws.con.execute(
        "SELECT customer_id FROM identities WHERE source = ? AND source_id = ? LIMIT 1",
        [source, source_id],
    ).fetchone()
    if row:
        return str(row[0])
    if source == "anonymous":
        row = ws.con.execute(
            "SELECT customer_id FROM identities WHERE source = 'alias' AND source_id = ? LIMIT 1",
            [source_id],
        ).fetchone()
        return str(row[0]) if row else None
    if source == "user":
        row = ws.con.execute(
            "SELECT into_customer_id FROM customer_merges WHERE from_customer_id = ?"
            " ORDER BY merged_at DESC LIMIT 1",
            [source_id],
        ).fetchone()
        return str(row[0]) if row else source_id
    return None


def merge_customers(ws: Workspace, from_id: str, into_id: str, reason: str) -> None:
    """Merge customer ``from_id`` into ``into_id``: every table's rows follow the survivor.

    The merge is recorded in ``customer_merges``; ``from_id`` and all its ids stay in
    ``identities``, now pointing at the survivor, and so do customers merged into ``from_id``
    before. Merging a customer into itself (or one already merged into the other) does nothing.

    Raises
    ------
    DataError
        When an id is empty.
    """
    if not from_id.strip() or not into_id.strip():
        raise DataError("merge_customers: both customer ids must be non-empty")
    source_current = resolve_customer_id(ws, "user", from_id) or from_id
    target_current = resolve_customer_id(ws, "user", into_id) or into_id
    if source_current == target_current:
        return
    con = ws.con
    with transaction(con):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _id_merge_map AS"
            " SELECT ?::VARCHAR AS from_id, ?::VARCHAR AS into_id",
            [source_current, target_current],
        )
        _apply_merges(con, load_id=None, reason=reason, now=datetime.now(UTC).replace(tzinfo=None))
