"""Segment's wire format read fast (orjson) and, for what only the standard parser takes,
exactly as before: NaN and overflowing numbers refused per message, limits in bytes, and one
event whatever escapes its sender used."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cvm.api import Settings, create_app
from cvm.api.collect_wire import parse_body
from cvm.workspace import Workspace

AT = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def track(n: int, **properties: Any) -> dict[str, Any]:
    return {"type": "track", "userId": f"{n:04d}", "event": "Product Viewed",
            "messageId": f"w-{n}", "timestamp": AT, "properties": properties}  # fmt: skip


def test_nan_and_overflow_are_refused_alone_and_the_rest_kept() -> None:
    good = json.dumps({"batch": [track(1, sku="01"), {}, {}, track(4, sku="04")]})
    body = good.replace("{}", '{"type": "track", "userId": "0002", "event": "x", '
                        '"timestamp": "' + AT + '", "properties": {"p": NaN}}', 1)  # fmt: skip
    body = body.replace("{}", '{"type": "track", "userId": "0003", "event": "x", '
                        '"timestamp": "' + AT + '", "properties": {"p": 1e999}}', 1)  # fmt: skip
    parcel = parse_body(body.encode(), kind="batch", gzipped=False)
    assert [p for p, _ in parcel.lines] == [0, 3]
    assert [(p, reason) for p, _, reason in parcel.refused] == [
        (1, "not valid JSON"),
        (2, "not valid JSON"),
    ]
    assert [json.loads(text)["messageId"] for _, text in parcel.lines] == ["w-1", "w-4"]


def test_the_32_kb_limit_counts_bytes_not_characters() -> None:
    over = track(1, blob="é" * 17_000)  # 17,000 characters, 34,000 bytes
    under = track(2, blob="é" * 15_000)  # 30,000 bytes
    parcel = parse_body(json.dumps({"batch": [over, under]}).encode(), kind="batch",
                        gzipped=False)  # fmt: skip
    assert [(p, reason) for p, _, reason in parcel.refused] == [(0, "message larger than 32 KB")]
    assert [p for p, _ in parcel.lines] == [1]
    assert json.loads(parcel.lines[0][1])["properties"]["blob"] == "é" * 15_000


def test_envelope_fields_merge_under_the_message_own_values_in_their_order() -> None:
    body = {"batch": [{**track(1), "context": {"library": {"name": "mine"}}}],
            "context": {"library": {"name": "lib", "version": "2.0"}, "ip": "10.0.0.1"},
            "sentAt": AT, "writeKey": "secret"}  # fmt: skip
    parcel = parse_body(json.dumps(body).encode(), kind="batch", gzipped=False)
    message = json.loads(parcel.lines[0][1])
    assert message["context"] == {"library": {"name": "mine", "version": "2.0"}, "ip": "10.0.0.1"}
    assert list(message["context"]) == ["library", "ip"]
    assert message["sentAt"] == AT and "writeKey" not in message and "batch" not in message


def test_one_message_sent_escaped_then_in_utf8_is_one_event(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    Workspace.create(root).close()
    message = track(7, name="Zoë ☃ 😀", path="/a/b")
    escaped = json.dumps({"batch": [message]}, ensure_ascii=True).encode()
    plain = json.dumps({"batch": [message]}, ensure_ascii=False).encode("utf-8")
    assert b"\\u00eb" in escaped and "ë".encode() in plain
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        for body in (escaped, plain, escaped):
            answer = client.post("/v1/batch", content=body,
                                 headers={"Content-Type": "application/json"})  # fmt: skip
            assert answer.json() == {"success": True}, answer.text
    with Workspace.open(root) as ws:
        stored = ws.engine.rows("SELECT properties->>'$.name', properties->>'$.path' FROM events")
        loads = ws.engine.rows("SELECT sum(rows_loaded), sum(rows_duplicate) FROM loads")
        refused = ws.engine.rows("SELECT count(*) FROM rejected_rows")
    assert stored == [("Zoë ☃ 😀", "/a/b")]
    assert loads == [(1, 2)] and refused == [(0,)]
