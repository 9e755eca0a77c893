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

from cvm._exceptions import DataError
from cvm.engines import Engine, fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = [
    "apply_merges",
    "customer_tables",
    "merge_customers",
    "named_queries",
    "resolve_batch",
    "resolve_customer_id",
    "run_named",
]

SOURCES_NORMALISED = {"email"}
"""Sources whose ids are compared case-insensitively (stored lower-cased and trimmed)."""

_MAX_ROUNDS = 10_000
_NAME = re.compile(r"^--\s*name:\s*([a-z_]+)\s*$", re.MULTILINE)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


@cache
def named_queries(name: str) -> dict[str, str]:
    """The statements of ``cvm/ingest/sql/<name>``, keyed by their ``-- name: x`` header."""
    text = sql_file(__package__, name).text
    parts = _NAME.split(text)
    return {key: body.strip() for key, body in zip(parts[1::2], parts[2::2], strict=True)}


def run_named(engine: Engine, file: str, query: str, **params: object) -> None:
    """Run the statement ``query`` of ``file`` with the parameters it names."""
    sql = named_queries(file)[query]
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    engine.run(sql, used or None)


def resolve_batch(engine: Engine, *, load_id: str, reason: str, now: datetime) -> int:
    """Fold one load's ids into the identity graph; returns the number of customers merged.

    Reads the temporary tables ``_id_batch_nodes(source, source_id, first_seen)`` and
    ``_id_batch_edges(a_source, a_id, b_source, b_id)``; leaves ``_id_resolved`` (every id of
    the touched components and its customer, NULL while anonymous) for the caller. Runs inside
    the caller's transaction.
    """
    for step in ("touched_keys", "nodes", "pseudo_nodes", "edges", "labels_init"):
        run_named(engine, "identity_resolve.sql", step)
    for _ in range(_MAX_ROUNDS):
        run_named(engine, "identity_resolve.sql", "labels_step")
        row = engine.one(named_queries("identity_resolve.sql")["labels_changed"])
        run_named(engine, "identity_resolve.sql", "labels_swap")
        if not row or row[0] == 0:
            break
    else:  # pragma: no cover - a chain of ids longer than any real identity graph
        raise DataError(f"identity graph did not settle after {_MAX_ROUNDS} rounds")
    run_named(engine, "identity_resolve.sql", "survivors")
    run_named(engine, "identity_resolve.sql", "merge_map")
    merged = apply_merges(engine, load_id=load_id, reason=reason, now=now)
    for step in ("identities_update", "identities_insert", "links_delete", "links_insert"):
        run_named(engine, "identity_resolve.sql", step, load_id=load_id)
    return merged


def customer_tables(engine: Engine) -> list[str]:
    """Every table holding a ``customer_id`` column except ``customers`` (combined apart);
    views (``latest_scores``...) follow their tables."""
    rows = engine.rows(sql_file(__package__, "customer_tables.sql"))
    return [r[0] for r in rows if _IDENT.match(r[0])]


def apply_merges(engine: Engine, *, load_id: str | None, reason: str, now: datetime) -> int:
    """Merge every ``from_id`` of ``_id_merge_map`` into its ``into_id`` across all tables."""
    merged = int(
        engine.scalar(fill(sql_file(__package__, "count_rows.sql"), table="_id_merge_map")) or 0
    )
    if merged == 0:
        return 0
    params = {"load_id": load_id, "reason": reason, "now": now}
    for step in ("log_chain", "log_drop_self", "log_insert"):
        run_named(engine, "identity_merge.sql", step, **params)
    for step in ("customers_combined", "customers_delete", "customers_insert"):
        run_named(engine, "identity_merge.sql", step)
    tables = customer_tables(engine)
    for table in tables:  # a name from the catalog, checked against _IDENT
        engine.run(fill(sql_file(__package__, "identity_repoint.sql"), table=table))
    if "assignments" in tables:
        run_named(engine, "identity_merge.sql", "assignments_dedupe")
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
    lookup = named_queries("identity_lookup.sql")
    found = ws.engine.scalar(lookup["identity"], {"source": source, "source_id": source_id})
    if found is not None:
        return str(found)
    if source == "anonymous":
        found = ws.engine.scalar(lookup["identity"], {"source": "alias", "source_id": source_id})
        return str(found) if found is not None else None
    if source == "user":
        found = ws.engine.scalar(lookup["merged_into"], {"customer_id": source_id})
        return str(found) if found is not None else source_id
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
    engine = ws.engine
    with engine.transaction():
        pair = {"from_id": source_current, "into_id": target_current}
        engine.run(named_queries("identity_lookup.sql")["merge_pair"], pair)
        apply_merges(
            engine, load_id=None, reason=reason, now=datetime.now(UTC).replace(tzinfo=None)
        )
