"""Keys: made with a role, shown once, stored as SHA-256 only, sent three ways, revoked by name,
compared in constant time; and the audit log of privileged calls."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cvm.api import Settings, create_app
from cvm.api.deps import require_role
from cvm.api.keys import create_key, list_keys, revoke_key
from cvm.cli import app as cli
from cvm.workspace import Workspace
from handmade import add_orders, rows


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    with Workspace.create(tmp_path / "shop") as ws:
        add_orders(ws, "0042", ["2025-01-05", "2025-02-05", "2025-03-05"])
        add_orders(ws, "0007", ["2025-02-10"], amount=0.0)  # a $0 order
    return tmp_path / "shop"


def _make(ws_path: Path, **roles: str) -> dict[str, str]:
    """name -> key, made before the service starts (as `cvm keys create` does)."""
    with Workspace.open(ws_path) as ws:
        return {name: create_key(ws, name, role) for name, role in roles.items()}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def basic(user: str, password: str = "") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def served(ws_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    keys = _make(ws_path, ops="admin", bi="analyst", web="writer", shopfront="decider")
    with TestClient(create_app(Settings(workspace=ws_path))) as client:
        yield client, keys


def test_a_key_is_shown_once_and_stored_only_as_its_sha256(ws_path: Path) -> None:
    keys = _make(ws_path, ops="admin", web="writer")
    with Workspace.open(ws_path, read_only=True) as ws:
        stored = rows(ws, "SELECT name, role, key_hash FROM api_keys ORDER BY name")
        every_cell = rows(ws, "SELECT * FROM api_keys")
        listed = list_keys(ws)
    assert stored == [
        ("ops", "admin", hashlib.sha256(keys["ops"].encode()).hexdigest()),
        ("web", "writer", hashlib.sha256(keys["web"].encode()).hexdigest()),
    ]
    for key in keys.values():
        assert key.startswith("cvm_") and len(key) > 40
        assert not any(key in str(cell) for row in every_cell for cell in row)
    # the list shows name, role and times: never the key nor its hash
    assert [sorted(row) for row in listed] == [
        ["created_at", "last_used_at", "name", "revoked_at", "role"]
    ] * 2
    for _name, _role, digest in stored:
        assert not any(digest in str(v) for row in listed for v in row.values())
    assert keys["ops"] != keys["web"]


def test_cli_creates_prints_once_lists_and_revokes(ws_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(
        cli, ["keys", "create", "--name", "web", "--role", "writer", "-w", str(ws_path)]
    )
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    with Workspace.open(ws_path, read_only=True) as ws:
        (digest,) = rows(ws, "SELECT key_hash FROM api_keys WHERE name = 'web'")[0]
    assert digest == hashlib.sha256(key.encode()).hexdigest()
    listed = runner.invoke(cli, ["keys", "list", "-w", str(ws_path)])
    assert listed.exit_code == 0 and "web" in listed.stdout and "writer" in listed.stdout
    assert key not in listed.stdout and digest not in listed.stdout
    again = runner.invoke(
        cli, ["keys", "create", "--name", "web", "--role", "admin", "-w", str(ws_path)]
    )
    assert again.exit_code == 1 and "exists already" in again.output
    wrong = runner.invoke(
        cli, ["keys", "create", "--name", "x", "--role", "root", "-w", str(ws_path)]
    )
    assert wrong.exit_code == 1 and "unknown role 'root'" in wrong.output
    gone = runner.invoke(cli, ["keys", "revoke", "web", "-w", str(ws_path)])
    assert gone.exit_code == 0 and "revoked web" in gone.stdout
    unknown = runner.invoke(cli, ["keys", "revoke", "nobody", "-w", str(ws_path)])
    assert unknown.exit_code == 1 and "no key named 'nobody'" in unknown.output
    with Workspace.open(ws_path, read_only=True) as ws:
        (revoked,) = rows(ws, "SELECT revoked_at IS NOT NULL FROM api_keys WHERE name = 'web'")[0]
        audit = rows(ws, "SELECT who, action, target, outcome FROM audit_log ORDER BY ts")
    assert revoked
    assert [(a, t, o) for _w, a, t, o in audit] == [
        ("cli keys create", "web", "ok"),
        ("cli keys revoke", "web", "ok"),
    ]
    assert all(w.startswith("cli") for w, *_ in audit)
    # the revoked key no longer opens the service
    with TestClient(create_app(Settings(workspace=ws_path))) as client:
        assert client.post("/v1/keys", json={}, headers=basic(key)).status_code == 401


def test_a_key_is_taken_as_bearer_x_api_key_or_basic_user_name(served) -> None:
    client, keys = served
    key = keys["bi"]
    for headers in (bearer(key), {"X-API-Key": key}, basic(key), basic("", key)):
        assert client.get("/api/kpis", headers=headers).status_code == 200, headers
    refused = [
        {},
        bearer(key + "x"),
        {"X-API-Key": key[:-1]},
        basic(key[:-1]),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": f"Token {key}"},
        {"Authorization": "Bearer "},
    ]
    for headers in refused:
        answer = client.get("/api/kpis", headers=headers)
        assert answer.status_code == 401, headers
        # a browser asks for the key (as the user name) on a 401
        assert answer.headers["www-authenticate"].startswith("Basic realm=")


def test_keys_are_found_by_hash_and_confirmed_in_constant_time(
    served, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, keys = served
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert client.get("/api/kpis", headers=bearer(keys["bi"])).status_code == 200
    # the key is found by its SHA-256 in memory (a guess's hash says nothing of how close the
    # guess came), then confirmed against the stored hash in constant time
    sent = hashlib.sha256(keys["bi"].encode()).hexdigest().encode()
    assert calls == [(sent, sent)]
    calls.clear()
    assert client.get("/api/kpis", headers=bearer("cvm_guess")).status_code == 401
    assert calls == []


def test_the_environment_key_is_an_admin_key_compared_in_constant_time(
    ws_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    with TestClient(create_app(Settings(workspace=ws_path, api_key="s3cret-env"))) as client:
        made = client.post(
            "/v1/keys", json={"name": "ops", "role": "admin"}, headers=bearer("s3cret-env")
        )
        assert made.status_code == 201, made.text
        assert calls
        assert client.get("/v1/keys", headers={"X-API-Key": "s3cret-env"}).status_code == 200
        assert client.get("/v1/keys", headers=bearer("s3cret-en")).status_code == 401


def test_keys_over_http_for_an_admin_only(served) -> None:
    client, keys = served
    admin = bearer(keys["ops"])
    made = client.post("/v1/keys", json={"name": "app-ios", "role": "decider"}, headers=admin)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["name"], body["role"]) == ("app-ios", "decider") and body["key"].startswith("cvm_")
    new_key = body["key"]
    # the new key works at once, with its role only
    assert client.get("/api/health", headers=bearer(new_key)).status_code == 200
    assert client.get("/api/kpis", headers=bearer(new_key)).status_code == 403
    listed = client.get("/v1/keys", headers=admin)
    assert listed.status_code == 200
    assert {k["name"]: k["role"] for k in listed.json()["keys"]} == {
        "ops": "admin", "bi": "analyst", "web": "writer",
        "shopfront": "decider", "app-ios": "decider",
    }  # fmt: skip
    assert new_key not in listed.text
    assert hashlib.sha256(new_key.encode()).hexdigest() not in listed.text
    used = {k["name"]: k["last_used_at"] for k in listed.json()["keys"]}
    assert used["ops"] is not None and used["web"] is None
    taken = client.post("/v1/keys", json={"name": "app-ios", "role": "admin"}, headers=admin)
    assert taken.status_code == 400 and "exists already" in taken.json()["detail"]
    bad = client.post("/v1/keys", json={"name": "no spaces", "role": "root"}, headers=admin)
    assert bad.status_code == 422
    for name in ("bi", "web", "shopfront"):
        other = bearer(keys[name])
        assert client.get("/v1/keys", headers=other).status_code == 403
        attempt = client.post("/v1/keys", json={"name": "x" + name, "role": "admin"}, headers=other)
        assert attempt.status_code == 403
        assert client.delete("/v1/keys/ops", headers=other).status_code == 403
    # revoked: refused from the next call on
    revoked = client.delete("/v1/keys/app-ios", headers=admin)
    assert revoked.status_code == 200 and revoked.json() == {"name": "app-ios", "was_working": True}
    assert client.get("/api/health", headers=bearer(new_key)).status_code == 401
    again = client.delete("/v1/keys/app-ios", headers=admin)
    assert again.json() == {"name": "app-ios", "was_working": False}
    assert client.delete("/v1/keys/nobody", headers=admin).status_code == 404


def test_a_key_revoked_before_the_service_starts_is_refused(ws_path: Path) -> None:
    keys = _make(ws_path, old="analyst", new="analyst")
    with Workspace.open(ws_path) as ws:
        assert revoke_key(ws, "old") is True
    with TestClient(create_app(Settings(workspace=ws_path))) as client:
        assert client.get("/api/kpis", headers=bearer(keys["old"])).status_code == 401
        assert client.get("/api/kpis", headers=bearer(keys["new"])).status_code == 200


def _audit(client: TestClient) -> list[tuple]:
    """The audit rows through the service's own connection (it holds the workspace)."""
    ws = client.app.state.owner.get().cursor()  # type: ignore[attr-defined]
    try:
        return rows(
            ws, "SELECT who, action, target, outcome, status FROM audit_log ORDER BY ts, action"
        )
    finally:
        ws.close()


def test_privileged_calls_and_refusals_are_audited_reads_are_not(served) -> None:
    client, keys = served
    admin = bearer(keys["ops"])
    assert client.get("/api/kpis", headers=bearer(keys["bi"])).status_code == 200
    assert client.get("/api/health", headers=admin).status_code == 200
    assert _audit(client) == []  # reading is not privileged
    client.post("/v1/keys", json={"name": "tmp", "role": "writer"}, headers=admin)
    client.delete("/v1/keys/tmp", headers=admin)
    client.get("/v1/keys", headers=bearer(keys["web"]))  # a writer: 403
    client.get("/v1/keys")  # no key: 401
    client.get("/v1/keys", headers=bearer("cvm_wrong"))  # wrong key: 401
    client.post("/v1/keys", json={"name": "tmp", "role": "writer"}, headers=admin)  # 400
    logged = sorted(_audit(client), key=lambda r: (r[1], str(r[0]), r[4]))
    assert logged == sorted(
        [
            ("ops", "POST /v1/keys", "tmp", "ok", 201),
            ("ops", "DELETE /v1/keys/{name}", "tmp", "ok", 200),
            ("web", "GET /v1/keys", None, "refused", 403),
            (None, "GET /v1/keys", None, "refused", 401),
            (None, "GET /v1/keys", None, "refused", 401),
            ("ops", "POST /v1/keys", "tmp", "failed", 400),
        ],
        key=lambda r: (r[1], str(r[0]), r[4]),
    )
    listed = client.get("/v1/audit", params={"limit": 3}, headers=admin)
    assert listed.status_code == 200 and len(listed.json()["entries"]) == 3


def test_erasure_is_audited_without_the_customer_id(ws_path: Path) -> None:
    keys = _make(ws_path, ops="admin", bi="analyst")
    app: FastAPI = create_app(Settings(workspace=ws_path))

    @app.post("/v1/test-erase/{customer_id}", dependencies=[require_role("admin")])
    def erase(customer_id: str) -> dict[str, bool]:
        return {"erased": True}

    erase_routes = [
        r.path for r in app.routes if "erase" in getattr(r, "path", "") and "{" in r.path
    ]
    secret_id = "0042-jane.doe@example.com"
    with TestClient(app) as client:
        for path in erase_routes:  # every erase route the app has, whatever its shape
            url = path.split("{", 1)[0] + secret_id
            body = {"customer_id": secret_id, "customer_ids": [secret_id], "confirm": True}
            client.post(url, json=body, headers=bearer(keys["ops"]))
            refused = client.post(url, json=body, headers=bearer(keys["bi"]))
            assert refused.status_code == 403
        logged = _audit(client)
    assert ("ops", "POST /v1/test-erase/{customer_id}", None, "ok", 200) in logged
    assert ("bi", "POST /v1/test-erase/{customer_id}", None, "refused", 403) in logged
    for row in logged:
        assert not any(part in str(cell) for cell in row for part in (secret_id, "0042", "jane"))


def test_an_open_service_answers_without_a_key_and_says_so_in_the_audit(ws_path: Path) -> None:
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as client:
        assert client.get("/api/kpis").status_code == 200
        made = client.post("/v1/keys", json={"name": "demo", "role": "writer"})
        assert made.status_code == 201
        assert _audit(client) == [("(open service)", "POST /v1/keys", "demo", "ok", 201)]


def test_the_open_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().open is False
    monkeypatch.setenv("CVM_OPEN", "1")
    assert Settings().open is True
