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

import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm.engines import Engine, fill, sql_file
from cvm.ingest.staging import column, describe, read_function

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


_ISO = exp.Literal.string("%Y-%m-%dT%H:%M:%S.%fZ")


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _str(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _text(col: str, ctype: str) -> exp.Expression:
    """A column as message text; warehouse timestamps as UTC ISO 8601."""
    q = column(col)
    t = ctype.upper()
    if col in _TS:
        if "WITH TIME ZONE" in t or t == "TIMESTAMPTZ":
            return _fn("strftime", _fn("timezone", _str("UTC"), q), _ISO)
        if t.startswith("TIMESTAMP") or t == "DATE":
            return _fn("strftime", exp.cast(q, "TIMESTAMP"), _ISO)
        txt = _fn("replace", exp.Trim(this=exp.cast(q, "VARCHAR")), _str(" UTC"), _str("Z"))
        zoned = _fn("regexp_matches", txt, _str("(Z|[+-]\\d\\d(:?\\d\\d)?)$"))
        return (
            exp.case()
            .when(zoned, txt.copy())
            .when(
                exp.NEQ(this=txt.copy(), expression=_str("")),
                exp.DPipe(this=txt.copy(), expression=_str("Z")),
            )
        )
    return exp.cast(q, "VARCHAR")


def _object(pairs: list[tuple[str, exp.Expression]]) -> exp.Expression:
    """``json_object(key, value, ...)``."""
    args: list[exp.Expression] = []
    for key, value in pairs:
        args += [_str(key), value]
    return _fn("json_object", *args)


def _stage_warehouse(engine: Engine, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        relation = read_function("read_parquet")
    else:
        relation = read_function("read_csv", all_varchar=exp.true(), header=exp.true())
    params = {"path": str(path)}
    try:
        columns = {k.lower(): v for k, v in describe(engine, relation, params).items()}
    except engine.error as exc:
        first = str(exc).strip().splitlines()[0]
        raise IngestError(f"{path}: cannot read as {fmt}: {first}") from exc
    kind = _table_kind(path, columns)
    items: list[tuple[str, exp.Expression]] = [("type", _str(kind))]
    for col, key in _FIELDS.items():
        if col in columns:
            items.append((key, _text(col, columns[col])))
    if kind == "track":
        names = [c for c in ("event_text", "event") if c in columns]
        event = [exp.cast(column(n), "VARCHAR") for n in names]
        items.append(
            ("event", exp.Coalesce(this=event[0], expressions=event[1:]) if event else exp.null())
        )
    if kind in ("page", "screen") and "name" in columns:
        items.append(("name", exp.cast(column("name"), "VARCHAR")))
    context = [c for c in columns if c.startswith("context_")]
    rest = [
        c
        for c in columns
        if c not in _FIELDS and c not in _IGNORED and c not in context
        and not (kind in ("page", "screen") and c == "name")
    ]  # fmt: skip
    if context:
        items.append(("context", _object([(c[len("context_") :], column(c)) for c in context])))
    if rest:
        bag = "traits" if kind in ("identify", "group") else "properties"
        items.append((bag, _object([(c, column(c)) for c in rest])))
    query = fill(
        sql_file(__package__, "segment_warehouse.sql"),
        message=_object(items),
        source=relation,
    )
    try:
        engine.run(query, params)
    except engine.error as exc:
        first = str(exc).strip().splitlines()[0]
        raise IngestError(f"{path}: cannot read as a Segment warehouse table: {first}") from exc


def stage_segment_file(
    engine: Engine,
    path: Path,
    stage_json: Callable[[Engine, Path], None],
) -> None:
    """Fill ``_ev_lines(line, raw)`` from any Segment file: warehouse Parquet/CSV, a whole-file
    batch envelope, or JSON lines/array (``stage_json``), batch envelopes expanded."""
    last = (_suffixes(path) or [""])[-1]
    if last in (".parquet", ".pq"):
        _stage_warehouse(engine, path, "parquet")
        return
    if last in (".csv", ".tsv"):
        _stage_warehouse(engine, path, "csv")
        return
    if _is_whole_object(path):
        size = path.stat().st_size * (20 if path.name.endswith(".gz") else 1)
        biggest = min(max(size + 1024, 1 << 20), 1 << 30)
        try:
            engine.run(
                sql_file(__package__, "events_lines_object.sql"),
                {"path": str(path), "max": biggest},
            )
        except engine.error as exc:
            first = str(exc).strip().splitlines()[0]
            raise IngestError(f"{path}: cannot read as a JSON object: {first}") from exc
    else:
        stage_json(engine, path)
    engine.run(sql_file(__package__, "events_expand_batch.sql"))
