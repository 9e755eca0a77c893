"""Event collection on Segment's HTTP Tracking API, in process (the lifespan runs: ``with``).

Each test counts what landed in the workspace by reading the tables after the service has
closed it, against the messages it sent: once each, refused ones in ``rejected_rows``.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cvm.api import Settings, create_app
from cvm.workspace import Workspace

NOW = datetime.now(UTC)


def ts(minutes: int = 0) -> str:
    return (NOW - timedelta(minutes=60 - minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def track(n: int, user: str = "0042", event: str = "Product Viewed", **extra: Any) -> dict:
    return {"type": "track", "userId": user, "event": event, "messageId": f"m-{n:04d}",
            "timestamp": ts(n % 50), "properties": {"sku": f"00{n}"}, **extra}  # fmt: skip


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "shop"
    Workspace.create(path).close()
    return path


def rows(root: Path, sql: str) -> list[tuple[Any, ...]]:
    with Workspace.open(root) as ws:
        return ws.engine.rows(sql)


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_every_endpoint_stores_its_message_type(root: Path) -> None:
    sent = {
        "track": {"userId": "0042", "event": "Signed Up", "messageId": "t1", "timestamp": ts()},
        "identify": {"userId": "0042", "messageId": "i1", "timestamp": ts(),
                     "traits": {"email": "Ann@Example.com"}},
        "page": {"anonymousId": "anon-1", "name": "Home", "messageId": "p1", "timestamp": ts()},
        "screen": {"userId": "0042", "name": "Cart", "messageId": "s1", "timestamp": ts()},
        "group": {"userId": "0042", "groupId": "acme", "messageId": "g1", "timestamp": ts()},
        "alias": {"userId": "0042", "previousId": "anon-1", "messageId": "a1", "timestamp": ts()},
    }  # fmt: skip
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        for kind, body in sent.items():
            answer = client.post(f"/v1/{kind}", json=body)
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"success": True}
    stored = dict(rows(root, "SELECT message_id, type FROM events"))
    assert stored == {"t1": "track", "i1": "identify", "p1": "page", "s1": "screen",
                      "g1": "group", "a1": "alias"}  # fmt: skip
    # the alias linked the anonymous page view to the customer
    assert rows(root, "SELECT customer_id FROM events WHERE message_id = 'p1'") == [("0042",)]
    assert rows(root, "SELECT DISTINCT source FROM loads") == [("http",)]


def test_batch_envelope_gzip_and_import(root: Path) -> None:
    batch = {"batch": [track(i) for i in range(1, 4)], "context": {"library": {"name": "x"}},
             "sentAt": ts(59), "writeKey": "ignored"}  # fmt: skip
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        body = gzip.compress(json.dumps(batch).encode())
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        assert client.post("/v1/batch", content=body, headers=headers).json() == {"success": True}
        more = {"batch": [track(i) for i in range(4, 6)]}
        assert client.post("/v1/import", json=more).status_code == 200
    got = rows(root, "SELECT message_id, context->>'$.library.name' FROM events ORDER BY 1")
    assert got == [("m-0001", "x"), ("m-0002", "x"), ("m-0003", "x"), ("m-0004", None),
                   ("m-0005", None)]  # fmt: skip


def test_the_same_batch_twice_is_stored_once(root: Path) -> None:
    batch = {"batch": [track(i) for i in range(1, 11)]}
    no_id = {"userId": "0007", "event": "Clicked", "timestamp": ts()}  # the id is a hash
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        for sent_at in (ts(1), ts(2)):  # a retry carries a new sentAt
            answer = client.post("/v1/batch", json={**batch, "sentAt": sent_at})
            assert answer.json() == {"success": True}
            assert client.post("/v1/track", json={**no_id, "sentAt": sent_at}).status_code == 200
    assert rows(root, "SELECT count(*), count(DISTINCT message_id) FROM events") == [(11, 11)]
    loaded = rows(root, "SELECT sum(rows_loaded), sum(rows_duplicate) FROM loads")
    assert loaded == [(11, 11)]


def test_a_malformed_message_is_refused_and_the_rest_stored(root: Path) -> None:
    batch = {"batch": [track(1), {"type": "track", "userId": "0042", "messageId": "bad",
                                  "timestamp": ts()}, track(3), "text", track(4)]}  # fmt: skip
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        answer = client.post("/v1/batch", json=batch)
    assert answer.status_code == 400
    body = answer.json()
    assert body["success"] is False and body["code"] == "invalid_request"
    assert body["rejected"] == [
        {"index": 1, "reason": "track without event name"},
        {"index": 3, "reason": "not a JSON object"},
    ]
    assert "track without event name" in body["message"]
    assert sorted(rows(root, "SELECT message_id FROM events")) == [("m-0001",), ("m-0003",),
                                                                   ("m-0004",)]  # fmt: skip
    refused = rows(root, "SELECT kind, source, reason, raw FROM rejected_rows ORDER BY line")
    assert [(k, s, r) for k, s, r, _ in refused] == [
        ("events", "http", "track without event name"),
        ("events", "http", "not a JSON object"),
    ]
    assert json.loads(refused[0][3])["messageId"] == "bad" and refused[1][3] == '"text"'


def test_segment_size_limits_answer_400(root: Path) -> None:
    big = track(2, properties={"blob": "x" * (33 * 1024)})
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        one = client.post("/v1/batch", json={"batch": [track(1), big]})
        single = client.post("/v1/track", json={**track(3), "type": None, **big})
        huge = client.post("/v1/batch", json={"batch": [track(i) for i in range(4, 4000)]})
        bomb = gzip.compress(b'{"batch": [' + b" " * (600 * 1024) + b"]}")
        zipped = client.post("/v1/batch", content=bomb, headers={"Content-Encoding": "gzip"})
        garbage = client.post("/v1/batch", content=b"\x1f\x8bnot gzip",
                              headers={"Content-Encoding": "gzip"})  # fmt: skip
    assert one.status_code == 400 and one.json()["rejected"] == [
        {"index": 1, "reason": "message larger than 32 KB"}
    ]
    assert single.status_code == 400 and "larger than 32 KB" in single.json()["message"]
    assert huge.status_code == 400 and "larger than 500 KB" in huge.json()["message"]
    assert zipped.status_code == 400 and "larger than 500 KB" in zipped.json()["message"]
    assert garbage.status_code == 400 and "gzip" in garbage.json()["message"]
    assert rows(root, "SELECT message_id FROM events") == [("m-0001",)]
    reasons = [r for (r,) in rows(root, "SELECT reason FROM rejected_rows ORDER BY rejected_at")]
    assert reasons[0] == "message larger than 32 KB" and len(reasons) == 5


def test_order_completed_over_http_becomes_a_transaction(root: Path) -> None:
    order = track(1, event="Order Completed",
                  properties={"order_id": "0001", "total": 59.9, "currency": "USD"})  # fmt: skip
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        assert client.post("/v1/track", json=order).status_code == 200
    got = rows(root, "SELECT transaction_id, customer_id, amount FROM transactions")
    assert got == [("0001", "0042", 59.9)]


def test_the_write_key_is_the_basic_user_name(root: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("CVM_API_KEY", raising=False)
    settings = Settings(workspace=root, api_key="wk-9f3b2c")
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/track", json=track(1)).status_code == 401
        assert client.post("/v1/track", json=track(2), headers=basic("wrong")).status_code == 401
        ok = client.post("/v1/track", json=track(3), headers=basic("wk-9f3b2c"))
        assert ok.status_code == 200
        also = client.post("/v1/track", json=track(4), headers={"X-API-Key": "wk-9f3b2c"})
        assert also.status_code == 200
    assert sorted(rows(root, "SELECT message_id FROM events")) == [("m-0003",), ("m-0004",)]


def test_hooks_see_the_customers_and_a_failing_hook_loses_nothing(root: Path) -> None:
    seen: list[set[str]] = []

    def broken(ws: Workspace, customers: set[str]) -> None:
        raise RuntimeError("scoring is down")

    app = create_app(Settings(workspace=root, open=True))
    app.state.after_commit.extend([broken, lambda ws, customers: seen.append(customers)])
    with TestClient(app) as client:
        batch = {"batch": [track(1, user="0001"), track(2, user="0002")]}
        assert client.post("/v1/batch", json=batch).status_code == 200
        assert client.post("/v1/track", json=track(3, user="0003")).status_code == 200
    assert seen == [{"0001", "0002"}, {"0003"}]
    assert rows(root, "SELECT count(*) FROM events") == [(3,)]


def test_a_full_queue_answers_429_with_retry_after(root: Path) -> None:
    release = threading.Event()
    app = create_app(Settings(workspace=root, open=True, queue_size=2, batch_interval_ms=1))
    app.state.after_commit.append(lambda ws, customers: release.wait(30))
    answers: list[int] = []
    with TestClient(app) as client:
        # the first commit holds the writer in its hook; the second request waits queued
        assert client.post("/v1/track", json=track(1)).status_code == 200
        waiting = threading.Thread(
            target=lambda: answers.append(
                client.post("/v1/batch", json={"batch": [track(2), track(3)]}).status_code
            )
        )
        waiting.start()
        for _ in range(3000):  # until the second request is queued
            if app.state.collector.queued:
                break
            threading.Event().wait(0.01)
        assert app.state.collector.queued == 2
        full = client.post("/v1/track", json=track(4))
        release.set()
        waiting.join(30)
    assert full.status_code == 429
    assert int(full.headers["Retry-After"]) >= 1
    assert answers == [200]
    assert sorted(rows(root, "SELECT message_id FROM events")) == [
        ("m-0001",),
        ("m-0002",),
        ("m-0003",),
    ]


def test_a_request_that_fails_its_window_fails_alone(root: Path, monkeypatch: Any) -> None:
    import cvm.api.collect as collect
    from cvm._exceptions import IngestError

    real = collect.load_messages
    windows: list[int] = []

    def picky(ws: Workspace, lines: list[str], *, source: str) -> Any:
        text = "\n".join(lines)
        windows.append(len(lines))
        if "poison" in text:
            raise IngestError(f"{source}: cannot read as JSON lines: poison")
        if "flaky" in text:
            raise RuntimeError("disk full")
        return real(ws, lines, source=source)

    monkeypatch.setattr(collect, "load_messages", picky)
    # a window of 2 s: the three requests share it even when the machine is busy
    app = create_app(Settings(workspace=root, open=True, batch_interval_ms=2000))
    answers: dict[str, Any] = {}
    with TestClient(app) as client:

        def send(name: str, body: dict) -> None:
            answers[name] = client.post("/v1/batch", json=body)

        bodies = {
            "good": {"batch": [track(1), track(2)]},
            "poison": {"batch": [track(3, event="poison")]},
            "flaky": {"batch": [track(4, event="flaky")]},
        }
        threads = [threading.Thread(target=send, args=item) for item in bodies.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert windows[0] == 4  # the three requests shared a window, then went one by one
    assert answers["good"].status_code == 200
    assert answers["poison"].status_code == 400
    assert "poison" in answers["poison"].json()["detail"]
    assert answers["flaky"].status_code == 503 and answers["flaky"].headers["Retry-After"] == "1"
    assert "/" not in answers["flaky"].json()["detail"].replace("/v1", "")
    assert sorted(rows(root, "SELECT message_id FROM events")) == [("m-0001",), ("m-0002",)]
