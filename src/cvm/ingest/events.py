"""Segment-spec events (identify, track, page, screen, alias, group) from JSON files.

A file is JSON lines (``.jsonl``/``.ndjson``, optionally gzipped) or one JSON array of
messages. Lines are read as text by DuckDB so that a line that is not JSON keeps its line number
and raw text in ``rejected_rows``; each good line is parsed with DuckDB's JSON functions and kept
as JSON (properties, traits, context), so nothing in a message is lost. Validation,
deduplication by ``messageId``, identity resolution and the "Order Completed" transactions are
set-based SQL in ``events_*.sql`` and ``identity_*.sql``, all in one database transaction.
"""

from __future__ import annotations

import gzip
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from cvm._exceptions import IngestError
from cvm._progress import Progress, no_progress
from cvm.ingest import erased, readers
from cvm.ingest.identity import named_queries, resolve_batch
from cvm.ingest.options import timestamp_floor
from cvm.ingest.result import LoadResult
from cvm.ingest.segment_files import stage_segment_file
from cvm.workspace.connection import memory_limit, transaction

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["EventsLoadResult", "load_events"]

MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longest JSON line accepted (DuckDB's CSV reader default is 2 MB)."""

_STEPS = 6


@dataclass
class EventsLoadResult(LoadResult):
    """A ``LoadResult`` for the events, plus the orders the file's "Order Completed" made."""

    orders: LoadResult | None = None
    customers_merged: int = 0


def _is_array(path: Path) -> bool:
    """Whether the file is one JSON array (first non-blank byte ``[``), gzip or not."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4096)
    except (OSError, EOFError) as exc:
        raise IngestError(f"{path}: cannot read ({exc})") from exc
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def _stage_lines(con: duckdb.DuckDBPyConnection, path: Path, shown: Path | None = None) -> None:
    """``_ev_lines(line, raw)``: one row per line (JSON lines) or per element (JSON array)."""
    if _is_array(path):
        sql = (
            "CREATE OR REPLACE TEMP TABLE _ev_lines AS"
            " SELECT row_number() OVER () AS line, json::VARCHAR AS raw"
            " FROM read_json_objects($path, format = 'array', maximum_object_size = $max)"
        )
        what = "a JSON array of messages"
    else:
        sql = (
            "CREATE OR REPLACE TEMP TABLE _ev_lines AS"
            " SELECT row_number() OVER () AS line, raw"
            " FROM read_csv($path, columns = {'raw': 'VARCHAR'}, header = false,"
            " delim = chr(1), quote = '', escape = '', auto_detect = false,"
            " parallel = false, max_line_size = $max)"
        )
        what = "JSON lines"
    try:
        con.execute(sql, {"path": str(path), "max": MAX_LINE_BYTES})
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise IngestError(f"{shown or path}: cannot read as {what}: {first}") from exc


def _run(con: duckdb.DuckDBPyConnection, query: str, **params: object) -> None:
    sql = named_queries("events_load.sql")[query]
    con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql} or None)


def load_events(
    ws: Workspace, path: str | Path, *, progress: Progress | None = None
) -> EventsLoadResult:
    """Load one file of Segment-spec messages into ``events``, resolving identities.

    Parameters
    ----------
    ws : Workspace
    path : str or Path
        ``.jsonl``/``.ndjson`` (one message a line) or ``.json`` (an array), optionally ``.gz``.
    progress : Progress, optional
        Called after each stage.

    Returns
    -------
    EventsLoadResult
        Counts of the events (``rows_read = loaded + duplicates + rejected + erased``), the
        orders made from "Order Completed"/"Order Refunded" and the number of customers merged.

    Notes
    -----
    Idempotent by ``messageId`` (a message without one gets a content hash as id); a known
    ``messageId`` with other content is refused. Refused messages land in ``rejected_rows`` with
    their line, raw text and reason; the load is one transaction.
    """
    report = progress or no_progress
    src = Path(path)
    if not src.is_file():
        raise IngestError(f"{src}: no such file")
    now = datetime.now(UTC).replace(tzinfo=None)
    load_id = f"events-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    source = str(src)
    con = ws.con
    with memory_limit(con, ws.config.load_memory_limit), transaction(con):
        con.execute(
            "INSERT INTO loads (load_id, kind, source, started_at) VALUES (?, 'events', ?, ?)",
            [load_id, source, now],
        )
        erased.install(con)
        report(0, _STEPS, "reading")
        bad: dict[int, str] = {}

        def stage_json(con: duckdb.DuckDBPyConnection, path: Path) -> None:
            if _is_array(path) or readers.valid_utf8(path):
                _stage_lines(con, path)
                return
            # only the lines that are not UTF-8 are refused, with their own text
            copy, found = readers.utf8_copy(path, None)
            bad.update(found)
            try:
                _stage_lines(con, copy, shown=path)
            finally:
                copy.unlink(missing_ok=True)

        stage_segment_file(con, src, stage_json)
        report(1, _STEPS, "validating")
        _run(con, "parse")
        con.execute("DROP TABLE _ev_lines")
        _run(con, "fields", tz=ws.config.timezone, now=now, floor=timestamp_floor(ws.config))
        for line in bad:
            con.execute(
                "UPDATE _ev_rows SET reason = 'unreadable row: invalid UTF-8' WHERE line = ?",
                [line],
            )
        con.execute("DROP TABLE _ev_docs")
        refused = erased.refuse_rows(con, "_ev_rows")
        _run(con, "classify")
        _run(con, "rejects_insert", load_id=load_id, source=source)
        _run(con, "new_rows")
        report(2, _STEPS, "resolving identities")
        _run(con, "identity_nodes")
        _run(con, "identity_edges")
        merged = resolve_batch(
            con, load_id=load_id, reason=f"identify/alias in {src.name}", now=now
        )
        report(3, _STEPS, "storing events")
        _run(con, "events_insert", load_id=load_id)
        _run(con, "events_relink", load_id=load_id)
        _run(con, "events_relink_apply")
        report(4, _STEPS, "updating customers")
        _update_customers(con, load_id=load_id, now=now, floor=timestamp_floor(ws.config))
        report(5, _STEPS, "orders")
        orders = _load_orders(ws, load_id=load_id, source=source, now=now)
        result = _result(con, load_id=load_id, source=source)
        result.erased = refused
        result.rows_read += refused
        _finish_load(con, result)
        _drop_work_tables(con)
        erased.uninstall(con)
        report(_STEPS, _STEPS, "done")
    result.orders = orders
    result.customers_merged = merged
    return result


def _drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Free this load's temporary tables (their names are fixed by the .sql files)."""
    names = con.execute(
        "SELECT table_name FROM duckdb_tables()"
        " WHERE temporary AND regexp_matches(table_name, '^_(ev|id)_[a-z_]+$')"
    ).fetchall()
    for (name,) in names:
        con.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def _result(con: duckdb.DuckDBPyConnection, *, load_id: str, source: str) -> EventsLoadResult:
    counts = con.execute(named_queries("events_load.sql")["counts"]).fetchone()
    reasons = con.execute(named_queries("events_load.sql")["top_reasons"]).fetchall()
    read, loaded, dups, rejected = (int(x or 0) for x in counts) if counts else (0, 0, 0, 0)
    return EventsLoadResult(
        kind="events",
        source=source,
        load_id=load_id,
        rows_read=read,
        loaded=loaded,
        duplicates=dups,
        rejected=rejected,
        top_reasons=[(str(r), int(n)) for r, n in reasons],
    )


def _update_customers(
    con: duckdb.DuckDBPyConnection, *, load_id: str, now: datetime, floor: str
) -> None:
    """New customers get a row; identify traits fill in what is known (see events_customers)."""
    for step in ("seen", "insert_new", "first_seen", "traits", "traits_update"):
        sql = named_queries("events_customers.sql")[step]
        params = {"load_id": load_id, "now": now, "floor": floor}
        con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql} or None)


def _load_orders(ws: Workspace, *, load_id: str, source: str, now: datetime) -> LoadResult | None:
    """ "Order Completed"/"Order Refunded" through the shared transaction loader (own load row).

    None when the file has no such event. The order ids are the transaction ids, so an order
    also loaded from a CSV export is stored once.
    """
    from cvm.ingest.options import resolve_options
    from cvm.ingest.transactions import load_transactions_from

    con = ws.con
    con.execute(
        named_queries("events_orders.sql")["stage"],
        {"load_id": load_id, "workspace_currency": ws.config.currency},
    )
    row = con.execute("SELECT count(*) FROM _ev_orders").fetchone()
    if not row or row[0] == 0:
        return None
    orders_id = f"{load_id}-orders"
    con.execute(
        "INSERT INTO loads (load_id, kind, source, started_at) VALUES (?, 'transactions', ?, ?)",
        [orders_id, source, now],
    )
    result = load_transactions_from(
        con,
        "_ev_orders",
        load_id=orders_id,
        source=source,
        options=resolve_options(ws.config, "transactions"),
    )
    _finish_load(con, result)
    _load_order_lines(ws, load_id=load_id, source=source, now=now)
    return result


def _load_order_lines(ws: Workspace, *, load_id: str, source: str, now: datetime) -> None:
    """The products of this load's "Order Completed" events as order lines (own load row)."""
    from cvm.ingest.options import resolve_options
    from cvm.ingest.tabular import load_order_items_from

    con = ws.con
    con.execute(named_queries("events_orders.sql")["stage_items"], {"load_id": load_id})
    if not con.execute("SELECT count(*) FROM _ev_items").fetchall()[0][0]:
        return
    items_id = f"{load_id}-items"
    con.execute(
        "INSERT INTO loads (load_id, kind, source, started_at) VALUES (?, 'order_items', ?, ?)",
        [items_id, source, now],
    )
    result = load_order_items_from(
        con,
        "_ev_items",
        load_id=items_id,
        source=source,
        options=resolve_options(ws.config, "order_items"),
    )
    _finish_load(con, result)


def _finish_load(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
    con.execute(
        "UPDATE loads SET finished_at = ?, rows_read = ?, rows_loaded = ?,"
        " rows_duplicate = ?, rows_rejected = ? WHERE load_id = ?",
        [
            datetime.now(UTC).replace(tzinfo=None),
            result.rows_read,
            result.loaded,
            result.duplicates,
            result.rejected,
            result.load_id,
        ],
    )
