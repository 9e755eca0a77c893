"""The hot routes' plain cases are answered ahead of the framework (cvm.api.hot_routes);
every other case reaches the app unchanged, body included, and gets the routes' answer."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cvm.api import hot_routes
from cvm.api.config import Settings
from cvm.api.hot_routes import HotRoutes
from cvm.api.keys import KeyRing, StoredKey, hash_key
from cvm.api.main import create_app
from cvm.segments.live_cache import ProfileCache
from realtime_workspace import served

ENV_KEY = "env-admin-key"
PROFILE = b'{"customer_id": "00042", "stage": "active", "consent": {"email": true}}'


class _Inner:
    """The app behind: records what reached it, answers 299."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.calls.append((scope["method"], scope["path"], body))
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _ring(noted: bool = True) -> KeyRing:
    ring = KeyRing()
    keys = [StoredKey("dk", "decider", hash_key("decider-key")),
            StoredKey("wk", "writer", hash_key("writer-key")),
            StoredKey("ak", "analyst", hash_key("analyst-key"))]  # fmt: skip
    ring._keys = {k.key_hash: k for k in keys}
    if noted:
        ring._used = {k.name: time.monotonic() for k in keys}
    return ring


def _call(
    state: Any, method: str, path: str, headers: dict[str, str], body: list[bytes] | None = None
) -> tuple[int, bytes, _Inner]:
    inner = _Inner()
    hot = HotRoutes(inner)
    parts = list(body or [b""])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = parts.pop(0) if parts else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(parts)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": method, "path": path, "app": SimpleNamespace(state=state),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    asyncio.run(hot(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), inner


def _state(ring: KeyRing | None = None) -> SimpleNamespace:
    cache = ProfileCache()
    cache.put([("00042", PROFILE.decode())])
    return SimpleNamespace(
        settings=SimpleNamespace(open=False, api_key=ENV_KEY),
        keyring=ring or _ring(),
        live=SimpleNamespace(cache=cache),
    )


@pytest.mark.parametrize(
    "headers",
    [{"X-API-Key": ENV_KEY}, {"Authorization": "Bearer decider-key"},
     {"Authorization": "Bearer analyst-key"}],
)  # fmt: skip
def test_a_held_profile_for_a_key_that_may_read_it_is_answered_at_once(
    headers: dict[str, str],
) -> None:
    status, body, inner = _call(_state(), "GET", "/v1/profiles/00042", headers)
    assert (status, body, inner.calls) == (200, PROFILE, [])


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/v1/profiles/00042", {}),  # no key: 401 from the app
        ("GET", "/v1/profiles/00042", {"X-API-Key": "wrong"}),
        ("GET", "/v1/profiles/00042", {"Authorization": "Bearer writer-key"}),  # 403
        ("GET", "/v1/profiles/00043", {"X-API-Key": ENV_KEY}),  # not held: the table
        ("HEAD", "/v1/profiles/00042", {"X-API-Key": ENV_KEY}),
        ("GET", "/v1/profiles/00042/events", {"X-API-Key": ENV_KEY}),
        ("GET", "/v1/profiles/00042", {"X-API-Key": ENV_KEY, "Origin": "http://x.example"}),
    ],
)
def test_every_other_profile_request_reaches_the_app(
    method: str, path: str, headers: dict[str, str]
) -> None:
    status, _, inner = _call(_state(), method, path, headers)
    assert status == 299 and inner.calls == [(method, path, b"")]


def test_a_key_whose_use_is_due_and_keys_not_held_go_the_app_s_way() -> None:
    ring = _ring(noted=False)  # its last use is written by the app's own key check
    status, _, inner = _call(_state(ring), "GET", "/v1/profiles/00042",
                             {"Authorization": "Bearer decider-key"})  # fmt: skip
    assert status == 299 and len(inner.calls) == 1
    assert ring._used == {}  # nothing noted here: the app's check still finds the write due
    ring.invalidate()  # a key created or revoked: the app reads the keys again
    status, _, inner = _call(_state(ring), "GET", "/v1/profiles/00042", {"X-API-Key": ENV_KEY})
    assert status == 200  # the environment's key needs no stored key
    status, _, inner = _call(_state(ring), "GET", "/v1/profiles/00042",
                             {"Authorization": "Bearer decider-key"})  # fmt: skip
    assert status == 299 and len(inner.calls) == 1


def test_a_decision_the_app_must_answer_gets_its_body_whole() -> None:
    state = _state()  # no decider yet
    parts = [b'{"customer_id": "00', b'042", "channel": "email"}']
    whole = b"".join(parts)
    headers = {"X-API-Key": ENV_KEY, "Content-Type": "application/json",
               "Content-Length": str(len(whole))}  # fmt: skip
    status, _, inner = _call(state, "POST", "/v1/decisions", headers, parts)
    assert status == 299 and inner.calls == [("POST", "/v1/decisions", whole)]
    gzipped = {**headers, "Content-Encoding": "gzip"}
    status, _, inner = _call(state, "POST", "/v1/decisions", gzipped, [whole])
    assert inner.calls == [("POST", "/v1/decisions", whole)]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return served(tmp_path_factory.mktemp("hot"), share=0.0, cap=0.0)


def test_decisions_over_http_answer_as_the_route_does(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[bytes | None] = []
    original = hot_routes.decide_in_memory

    def spy(app: Any, body: bytes) -> bytes | None:
        made.append(original(app, body))
        return made[-1]

    monkeypatch.setattr(hot_routes, "decide_in_memory", spy)
    auth = {"X-API-Key": ENV_KEY}
    with TestClient(create_app(Settings(workspace=root, api_key=ENV_KEY))) as client:
        first = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "email"},
                            headers=auth)  # fmt: skip
        assert first.status_code == 200 and made == [None]  # the first builds the snapshot
        offer = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "email"},
                            headers=auth)  # fmt: skip
        assert offer.status_code == 200 and made[-1] is not None
        assert offer.content == made[-1]
        assert offer.headers["content-type"] == "application/json"
        body = offer.json()
        assert body["customer_id"] == "00101" and body["channel"] == "email"
        assert body["action"] == json.loads(first.content)["action"] == "offer"
        assert body["decision_id"] != first.json()["decision_id"]
        refused = client.post("/v1/decisions", json={"customer_id": "00102", "channel": "email"},
                              headers=auth)  # fmt: skip
        assert refused.json()["reason"] == "email policy: no_consent" and made[-1] is not None
        bad = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "fax"},
                          headers=auth)  # fmt: skip
        assert bad.status_code == 422 and "channel" in bad.json()["detail"]
        assert made[-1] is None  # the route answered it
        nobody = client.post("/v1/decisions", json={"anonymous_id": "x", "channel": "email"},
                             headers=auth)  # fmt: skip
        assert nobody.status_code == 404 and "not linked" in nobody.json()["detail"]
        writer = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "email"})
        assert writer.status_code == 401
