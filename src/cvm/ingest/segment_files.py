"""Segment and RudderStack data on disk, staged as Segment-spec messages.

Three shapes besides plain JSON lines and arrays (``cvm.ingest.events``):

- the HTTP batch envelope ``{"batch": [...], "context": ..., "sentAt": ...}``, one per line or
  a whole (pretty-printed) file: each element is one message, inheriting the envelope's
  ``context`` and ``sentAt`` (the element's own values win);
- warehouse exports, Parquet or CSV, with Segment's warehouse column names: the ``tracks``,
  ``identifies``, ``pages``, ``screens``, ``aliases`` and ``groups`` tables and the per-event
  tables (``order_completed``...). Columns ``id``, ``user_id``, ``anonymous_id``,
  ``timestamp``/``original_timestamp``/``received_at``/``sent_at``, ``event_text``/``event``,
  ``previous_id``, ``group_id``, ``name`` are the message's fields, ``context_*`` its context,
  every other column a property (a trait for identifies and groups). Warehouse times are UTC.

A message's "line" is its element or row number for these shapes.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import duckdb

from cvm._exceptions import IngestError
from cvm.ingest.staging import describe, ident

__all__ = ["WAREHOUSE_TABLES", "stage_segment_file"]

WAREHOUSE_TABLES = {
    "tracks": "track",
    "identifies": "identify",
    "pages": "page",
    "screens": "screen",
    "aliases": "alias",
    "groups": "group",
}
_FIELDS = {
    "id": "messageId",
    "user_id": "userId",
    "anonymous_id": "anonymousId",
    "timestamp": "timestamp",
    "original_timestamp": "originalTimestamp",
    "sent_at": "sentAt",
    "received_at": "receivedAt",
    "previous_id": "previousId",
    "group_id": "groupId",
}
_IGNORED = {"uuid", "uuid_ts", "loaded_at", "event", "event_text", "context", "_line"}
_TS = {"timestamp", "original_timestamp", "sent_at", "received_at"}

_EXPAND_BATCH = """
CREATE OR REPLACE TEMP TABLE _ev_lines AS
WITH parsed AS (
    SELECT line, raw,
        CASE WHEN json_valid(raw) AND ltrim(raw) LIKE '{%' THEN raw::JSON END AS j
    FROM _ev_lines
),
items AS (
    SELECT line, 0 AS k, raw FROM parsed
    WHERE j IS NULL OR json_type(j, '$.batch') IS DISTINCT FROM 'ARRAY'
    UNION ALL
    SELECT p.line, e.k, json_merge_patch(
        json_merge_patch(p.j, '{"batch": null, "writeKey": null}'),
        e.msg
    )::VARCHAR
    FROM parsed AS p,
        LATERAL (SELECT unnest(range(json_array_length(p.j, '$.batch')::BIGINT)) + 1 AS k) AS r,
        LATERAL (SELECT r.k AS k, p.j -> ('$.batch[' || (r.k - 1) || ']') AS msg) AS e
    WHERE json_type(p.j, '$.batch') = 'ARRAY'
)
SELECT row_number() OVER (ORDER BY line, k) AS line, raw FROM items
"""


def _suffixes(path: Path) -> list[str]:
    s = [x.lower() for x in path.suffixes]
    return s[:-1] if s and s[-1] in (".gz", ".gzip") else s


def _is_whole_object(path: Path) -> bool:
    """A file holding one pretty-printed JSON object (a batch envelope over many lines)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        head = fh.read(1 << 16)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        return False
    first = text.split(b"\n", 1)[0]
    try:
        json.loads(first)
    except ValueError:
        return True
    return False


def _table_kind(path: Path, columns: dict[str, str]) -> str:
    names = [n.split(".")[0].lower() for n in (path.name, path.parent.name)]
    for name in names:
        if name in WAREHOUSE_TABLES:
            return WAREHOUSE_TABLES[name]
    if "event" in columns or "event_text" in columns:
        return "track"  # a per-event table
    raise IngestError(
        f"{path}: not a Segment warehouse table: name the file (or its folder) tracks,"
        " identifies, pages, screens, aliases or groups, or give it an event column"
    )


def _text(col: str, ctype: str) -> str:
    """A column as message text; warehouse timestamps as UTC ISO 8601."""
    q = ident(col)
    t = ctype.upper()
    if col in _TS:
        if "WITH TIME ZONE" in t or t == "TIMESTAMPTZ":
            return f"strftime(timezone('UTC', {q}), '%Y-%m-%dT%H:%M:%S.%fZ')"
        if t.startswith("TIMESTAMP") or t == "DATE":
            return f"strftime(CAST({q} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%fZ')"
        txt = f"replace(trim(CAST({q} AS VARCHAR)), ' UTC', 'Z')"
        return (
            f"CASE WHEN regexp_matches({txt}, '(Z|[+-]\\d\\d(:?\\d\\d)?)$') THEN {txt}"
            f" WHEN {txt} <> '' THEN {txt} || 'Z' END"
        )
    return f"CAST({q} AS VARCHAR)"


def _stage_warehouse(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        relation = "read_parquet($path)"
    else:
        relation = "read_csv($path, all_varchar = true, header = true)"
    params = {"path": str(path)}
    try:
        columns = {k.lower(): v for k, v in describe(con, relation, params).items()}
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise IngestError(f"{path}: cannot read as {fmt}: {first}") from exc
    kind = _table_kind(path, columns)
    items = [f"'type', '{kind}'"]
    for col, key in _FIELDS.items():
        if col in columns:
            items.append(f"'{key}', {_text(col, columns[col])}")
    if kind == "track":
        names = [ident(c) for c in ("event_text", "event") if c in columns]
        event = f"coalesce({', '.join(f'CAST({n} AS VARCHAR)' for n in names)})"
        items.append(f"'event', {event}" if names else "'event', NULL")
    if kind in ("page", "screen") and "name" in columns:
        items.append(f"'name', CAST({ident('name')} AS VARCHAR)")
    context = [c for c in columns if c.startswith("context_")]
    rest = [
        c
        for c in columns
        if c not in _FIELDS and c not in _IGNORED and c not in context
        and not (kind in ("page", "screen") and c == "name")
    ]  # fmt: skip
    if context:
        pairs = ", ".join(f"'{c[len('context_') :]}', {ident(c)}" for c in context)
        items.append(f"'context', json_object({pairs})")
    if rest:
        pairs = ", ".join(f"'{c}', {ident(c)}" for c in rest)
        bag = "traits" if kind in ("identify", "group") else "properties"
        items.append(f"'{bag}', json_object({pairs})")
    sql = (
        "CREATE OR REPLACE TEMP TABLE _ev_lines AS SELECT row_number() OVER () AS line,"
        f" json_object({', '.join(items)})::VARCHAR AS raw FROM {relation}"
    )
    try:
        con.execute(sql, params)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise IngestError(f"{path}: cannot read as a Segment warehouse table: {first}") from exc


def stage_segment_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    stage_json: Callable[[duckdb.DuckDBPyConnection, Path], None],
) -> None:
    """Fill ``_ev_lines(line, raw)`` from any Segment file: warehouse Parquet/CSV, a whole-file
    batch envelope, or JSON lines/array (``stage_json``), batch envelopes expanded."""
    last = (_suffixes(path) or [""])[-1]
    if last in (".parquet", ".pq"):
        _stage_warehouse(con, path, "parquet")
        return
    if last in (".csv", ".tsv"):
        _stage_warehouse(con, path, "csv")
        return
    if _is_whole_object(path):
        sql = (
            "CREATE OR REPLACE TEMP TABLE _ev_lines AS"
            " SELECT row_number() OVER () AS line, json::VARCHAR AS raw"
            " FROM read_json_objects($path, format = 'unstructured', maximum_object_size = $max)"
        )
        size = path.stat().st_size * (20 if path.name.endswith(".gz") else 1)
        try:
            con.execute(sql, {"path": str(path), "max": min(max(size + 1024, 1 << 20), 1 << 30)})
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise IngestError(f"{path}: cannot read as a JSON object: {first}") from exc
    else:
        stage_json(con, path)
    con.execute(_EXPAND_BATCH)
