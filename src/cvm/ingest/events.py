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
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm._progress import Progress, no_progress
from cvm.engines import Capability, Engine, fill, sql_file
from cvm.ingest import erased, readers
from cvm.ingest.identity import named_queries, resolve_batch, run_named
from cvm.ingest.keyed import load_order_items_from
from cvm.ingest.options import resolve_options, timestamp_floor
from cvm.ingest.result import LoadResult
from cvm.ingest.segment_files import stage_segment_file
from cvm.ingest.transactions import load_transactions_from

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["EventsLoadResult", "load_events", "load_messages"]

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


def _stage_lines(engine: Engine, path: Path, shown: Path | None = None) -> None:
    """``_ev_lines(line, raw)``: one row per line (JSON lines) or per element (JSON array)."""
    if _is_array(path):
        name, what = "events_lines_array.sql", "a JSON array of messages"
    else:
        name, what = "events_lines.sql", "JSON lines"
    try:
        engine.run(sql_file(__package__, name), {"path": str(path), "max": MAX_LINE_BYTES})
    except engine.error as exc:
        first = str(exc).splitlines()[0]
        raise IngestError(f"{shown or path}: cannot read as {what}: {first}") from exc


def _run(engine: Engine, query: str, **params: object) -> None:
    run_named(engine, "events_load.sql", query, **params)


def _record_load(engine: Engine, load_id: str, kind: str, source: str, now: datetime) -> None:
    params = {"load_id": load_id, "kind": kind, "source": source, "now": now}
    run_named(engine, "events_loads.sql", "start", **params)


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
    engine = ws.engine
    engine.require(Capability.CSV_SNIFF, f"loading {src}")  # lines read by the CSV scanner
    bad: dict[int, str] = {}

    @contextmanager
    def stage(engine: Engine) -> Iterator[None]:
        def stage_json(engine: Engine, path: Path) -> None:
            if _is_array(path) or readers.valid_utf8(path):
                _stage_lines(engine, path)
                return
            # only the lines that are not UTF-8 are refused, with their own text
            copy, found = readers.utf8_copy(path, None)
            bad.update(found)
            try:
                _stage_lines(engine, copy, shown=path)
            finally:
                copy.unlink(missing_ok=True)

        stage_segment_file(engine, src, stage_json)
        yield
        _run(engine, "lines_drop")

    with engine.memory_limit(ws.config.load_memory_limit):
        return _load(ws, stage, bad, source=str(src), name=src.name, report=report)


def load_messages(ws: Workspace, lines: Sequence[str], *, source: str) -> EventsLoadResult:
    """Load Segment-spec messages held in memory, one JSON text each (line ``i + 1``).

    The same load as :func:`load_events` (validation, ``messageId`` deduplication, identity
    linking, traits, orders) for messages already read off the wire, such as one window of
    the service's collection: they are handed to the database as one Arrow column, with no
    file in between. Each text is one message, never a batch envelope (the wire layer
    expands those); the caller bounds how many a call holds.
    """
    import pyarrow as pa

    table = pa.table(
        {
            "line": pa.array(range(1, len(lines) + 1), type=pa.int64()),
            "raw": pa.array(lines, type=pa.string()),
        }
    )

    @contextmanager
    def stage(engine: Engine) -> Iterator[None]:
        with engine.register("_ev_lines", table):
            yield

    return _load(ws, stage, {}, source=source, name=source, report=no_progress)


def _load(
    ws: Workspace,
    stage: Callable[[Engine], AbstractContextManager[None]],
    bad: dict[int, str],
    *,
    source: str,
    name: str,
    report: Progress,
) -> EventsLoadResult:
    """The events load of the lines ``stage`` makes readable as ``_ev_lines`` for its block,
    in one transaction; ``bad`` names the lines that were not UTF-8 (filled by ``stage``)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    load_id = f"events-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    engine = ws.engine
    with engine.transaction():
        _record_load(engine, load_id, "events", source, now)
        erased.install(engine)
        report(0, _STEPS, "reading")
        with stage(engine):
            report(1, _STEPS, "validating")
            floor = timestamp_floor(ws.config)
            _run(engine, "fields", tz=ws.config.timezone, now=now, floor=floor)
        for line in bad:
            _run(engine, "invalid_text", line=line)
        refused = erased.refuse_rows(engine, "_ev_rows")
        _run(engine, "classify")
        _run(engine, "rejects_insert", load_id=load_id, source=source)
        _run(engine, "new_rows")
        report(2, _STEPS, "resolving identities")
        _run(engine, "identity_nodes")
        _run(engine, "identity_edges")
        merged = resolve_batch(engine, load_id=load_id, reason=f"identify/alias in {name}", now=now)
        report(3, _STEPS, "storing events")
        _run(engine, "events_insert", load_id=load_id)
        _run(engine, "events_relink", load_id=load_id)
        _run(engine, "events_relink_apply")
        report(4, _STEPS, "updating customers")
        _update_customers(engine, load_id=load_id, now=now, floor=timestamp_floor(ws.config))
        report(5, _STEPS, "orders")
        orders = _load_orders(ws, load_id=load_id, source=source, now=now)
        result = _result(engine, load_id=load_id, source=source)
        result.erased = refused
        result.rows_read += refused
        _finish_load(engine, result)
        _drop_work_tables(engine)
        erased.uninstall(engine)
        report(_STEPS, _STEPS, "done")
    result.orders = orders
    result.customers_merged = merged
    return result


def _drop_work_tables(engine: Engine) -> None:
    """Free this load's temporary tables (their names are fixed by the .sql files)."""
    for (name,) in engine.rows(named_queries("events_loads.sql")["work_tables"]):
        table = exp.Table(this=exp.to_identifier(name, quoted=True), db=exp.to_identifier("temp"))
        engine.run(fill(sql_file(__package__, "drop_table.sql"), table=table))


def _result(engine: Engine, *, load_id: str, source: str) -> EventsLoadResult:
    counts = engine.one(named_queries("events_load.sql")["counts"])
    reasons = engine.rows(named_queries("events_load.sql")["top_reasons"])
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


def _update_customers(engine: Engine, *, load_id: str, now: datetime, floor: str) -> None:
    """New customers get a row; identify traits fill in what is known (see events_customers)."""
    for step in ("seen", "insert_new", "first_seen", "traits", "traits_update"):
        run_named(engine, "events_customers.sql", step, load_id=load_id, now=now, floor=floor)


def _load_orders(ws: Workspace, *, load_id: str, source: str, now: datetime) -> LoadResult | None:
    """ "Order Completed"/"Order Refunded" through the shared transaction loader (own load row).

    None when the file has no such event. The order ids are the transaction ids, so an order
    also loaded from a CSV export is stored once. Their products then load as order lines
    (own load row too).
    """
    if not ws.engine.scalar(named_queries("events_orders.sql")["any"]):
        return None
    run_named(
        ws.engine, "events_orders.sql", "stage",
        load_id=load_id, workspace_currency=ws.config.currency,
    )  # fmt: skip
    result = _load_staged(
        ws, "_ev_orders", "transactions", load_transactions_from, f"{load_id}-orders", source, now
    )
    if result is None:
        return None
    run_named(ws.engine, "events_orders.sql", "stage_items", load_id=load_id)
    _load_staged(
        ws, "_ev_items", "order_items", load_order_items_from, f"{load_id}-items", source, now
    )
    return result


def _load_staged(
    ws: Workspace,
    table: str,
    kind: str,
    load: Callable[..., LoadResult],
    load_id: str,
    source: str,
    now: datetime,
) -> LoadResult | None:
    """Load the rows staged in ``table`` as ``kind`` under their own load row (None if none)."""
    engine = ws.engine
    if not engine.scalar(fill(sql_file(__package__, "count_rows.sql"), table=table)):
        return None
    _record_load(engine, load_id, kind, source, now)
    result = load(
        engine,
        table,
        load_id=load_id,
        source=source,
        options=resolve_options(ws.config, kind),
    )
    _finish_load(engine, result)
    return result


def _finish_load(engine: Engine, result: LoadResult) -> None:
    run_named(
        engine,
        "events_loads.sql",
        "finish",
        now=datetime.now(UTC).replace(tzinfo=None),
        rows_read=result.rows_read,
        loaded=result.loaded,
        duplicates=result.duplicates,
        rejected=result.rejected,
        load_id=result.load_id,
    )
