"""GET /v1/profiles/{id}: a purchase sent over HTTP (POST /v1/track) shows in the profile
within a second; unknown and erased ids are 404; merged ids answer with their survivor; no
fitted model means scores marked unavailable, not zeros; the events page with a next link."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli_run import cvm_ok
from cvm.api import Settings, create_app
from cvm.ingest.identity import merge_customers
from cvm.privacy import erase_customer
from cvm.workspace import Workspace
from live_workspace import CRM, LAST_DAY, live_workspace

FRESH_SECONDS = 1.0
"""The freshness target: a purchase sent over HTTP shows in the profile within 1 s of sending
(its batch window's commit, then one refresh of that customer, triggered by the commit)."""


@pytest.fixture(scope="module")
def scored_path(tmp_path_factory: pytest.TempPathFactory, cdnow_log) -> Path:
    path = live_workspace(tmp_path_factory.mktemp("profiles"), cdnow_log)
    cvm_ok(CliRunner(), "score", "-w", str(path), "-m", "mbgnbd", "--no-intervals")
    return path


@pytest.fixture(scope="module")
def client(scored_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(workspace=scored_path, open=True))) as served:
        yield served


def _cursor(client: TestClient) -> Workspace:
    return client.app.state.owner.get().cursor()  # type: ignore[attr-defined]


def _commit(client: TestClient, ws: Workspace, ids: set[str]) -> None:
    """What the collection writer does after a committed batch: call every hook."""
    for hook in client.app.state.after_commit:  # type: ignore[attr-defined]
        hook(ws, ids)


def _ready(client: TestClient) -> None:
    """The first hook call builds every customer's row; wait for it."""
    ws = _cursor(client)
    _commit(client, ws, {CRM})
    ws.close()
    assert client.app.state.live.wait_idle(120)  # type: ignore[attr-defined]


def _get(client: TestClient, customer_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/profiles/{customer_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _purchase(client: TestClient, customer: str, order: str) -> tuple[dict, dict, float, float]:
    """Send a purchase of ``customer`` over HTTP (``POST /v1/track`` "Order Completed", as a
    shop's Segment client sends it) and poll the profile until it changes (at most 5 s):
    (before, after, seconds from sending until fresh, seconds the track call took)."""
    before = _get(client, customer)
    event = {
        "type": "track",
        "userId": customer,
        "event": "Order Completed",
        "messageId": f"msg-{order}",
        "timestamp": f"{LAST_DAY}T12:00:00Z",
        "properties": {"order_id": order, "total": 40.0, "currency": "USD"},
    }
    started = time.monotonic()
    sent = client.post("/v1/track", json=event)
    hook_time = time.monotonic() - started
    assert sent.status_code == 200, sent.text
    after = before
    while time.monotonic() - started < 5.0 and after["updated_at"] == before["updated_at"]:
        time.sleep(0.02)
        after = _get(client, customer)
    return before, after, time.monotonic() - started, hook_time


def test_a_purchase_changes_frequency_clv_and_stage_soon(client: TestClient) -> None:
    """Of three purchases sent over HTTP (three customers), one is fresh within FRESH_SECONDS,
    each within 5 s.

    The budget holds on a machine with at most two runnable processes per core; a machine
    loaded beyond that by other work (a suite run beside others) stretches it in proportion,
    and the assertion says what was measured."""
    _ready(client)
    ws = _cursor(client)
    lapsed = ws.con.execute(
        "SELECT customer_id FROM live_profiles WHERE lifecycle IN ('lapsed', 'churned')"
        " AND frequency >= 1 AND clv IS NOT NULL ORDER BY customer_id LIMIT 3"
    ).fetchall()
    ws.close()
    assert len(lapsed) == 3
    timings = []
    for k, (customer,) in enumerate(lapsed):
        before, after, elapsed, hook_time = _purchase(client, str(customer), f"live-order-{k}")
        timings.append(elapsed)
        ws = _cursor(client)
        orders = ws.con.execute(
            "SELECT count(*) FROM transactions WHERE customer_id = ? AND NOT is_refund",
            [customer],
        ).fetchone()
        ws.close()
        assert hook_time < 1.0  # the commit (one batch window) does not wait for the refresh
        assert after["updated_at"] != before["updated_at"], f"not refreshed in {elapsed:.2f} s"
        assert after["scores"]["frequency"] == before["scores"]["frequency"] + 1
        assert orders is not None
        assert after["profile"]["orders"] == before["profile"]["orders"] + 1 == orders[0]
        assert after["profile"]["days_since_last"] == 0
        assert after["scores"]["clv"] > before["scores"]["clv"]
        assert after["scores"]["p_alive"] > before["scores"]["p_alive"]
        assert before["lifecycle"] in ("lapsed", "churned")
        assert after["lifecycle"] in ("active", "reactivated")
    cores = os.cpu_count() or 1
    budget = max(FRESH_SECONDS, os.getloadavg()[0] / (2 * cores))
    assert min(timings) < budget, f"seconds until fresh: {timings} (budget {budget:.2f} s)"


def test_unknown_id_is_a_json_404(client: TestClient) -> None:
    answer = client.get("/v1/profiles/no-such-customer")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "unknown customer 'no-such-customer'"}
    assert client.get("/v1/profiles/no-such-customer/events").status_code == 404


def test_merged_id_answers_with_the_survivor(client: TestClient) -> None:
    _ready(client)
    ws = _cursor(client)
    merge_customers(ws, "00003", "00002", "test: same person")
    _commit(client, ws, {"00002"})
    ws.close()
    assert client.app.state.live.wait_idle(30)  # type: ignore[attr-defined]
    survivor = _get(client, "00002")
    assert survivor["merged_ids"] == ["00003"]
    via_old_id = _get(client, "00003")
    assert via_old_id["customer_id"] == "00002"
    assert via_old_id["profile"]["orders"] == survivor["profile"]["orders"]


def test_erased_id_does_not_come_back(client: TestClient) -> None:
    _ready(client)
    assert _get(client, "00010")["customer_id"] == "00010"
    ws = _cursor(client)
    erase_customer(ws, "00010", compact=False)
    _commit(client, ws, {"00010"})
    ws.close()
    assert client.app.state.live.wait_idle(30)  # type: ignore[attr-defined]
    gone = client.get("/v1/profiles/00010")
    assert gone.status_code == 404, gone.text
    assert client.get("/v1/profiles/00010/events").status_code == 404


def test_events_page_newest_first_with_a_next_link(client: TestClient) -> None:
    ws = _cursor(client)
    for i in range(5):
        ws.con.execute(
            "INSERT INTO events (message_id, type, customer_id, user_id, ts, event, properties)"
            " VALUES (?, 'track', '00020', '00020', ?, 'Product Viewed', '{\"n\": 1}')",
            [f"view-{i}", f"1998-06-{20 + i} 08:00:00"],
        )
    stored = ws.con.execute("SELECT count(*) FROM events WHERE customer_id = '00020'").fetchone()
    ws.close()
    seen: list[str] = []
    url: str | None = "/v1/profiles/00020/events?limit=2"
    pages = 0
    while url is not None:
        page = client.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [e["message_id"] for e in body["events"]]
        url = body["next"]
        pages += 1
    assert stored is not None and len(seen) == stored[0] == 5 and pages == 3
    assert seen == [f"view-{i}" for i in (4, 3, 2, 1, 0)]
    bad = client.get("/v1/profiles/00020/events?cursor=not-a-cursor")
    assert bad.status_code == 422 and "cursor" in bad.json()["detail"]


def test_without_a_fitted_model_scores_are_marked_unavailable(tmp_path: Path, cdnow_log) -> None:
    path = live_workspace(tmp_path, cdnow_log)
    with TestClient(create_app(Settings(workspace=path, open=True))) as served:
        answer = served.get(f"/v1/profiles/{CRM}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["scores"]["available"] is False
    assert "cvm score" in body["scores"]["reason"]
    assert body["scores"]["clv"] is None and body["scores"]["p_alive"] is None
    assert body["profile"]["orders"] > 0 and body["lifecycle"] is not None


def test_profiles_need_a_key_when_the_service_has_one(scored_path: Path) -> None:
    with TestClient(create_app(Settings(workspace=scored_path, api_key="k-123"))) as served:
        assert served.get(f"/v1/profiles/{CRM}").status_code == 401
        assert served.get(f"/v1/profiles/{CRM}", headers={"X-API-Key": "k-123"}).status_code == 200


def test_an_empty_workspace_answers_404_not_an_error(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "empty").close()
    with TestClient(create_app(Settings(workspace=tmp_path / "empty", open=True))) as served:
        answer = served.get("/v1/profiles/anyone")
    assert answer.status_code == 404 and answer.json()["detail"] == "unknown customer 'anyone'"


def test_an_identify_updates_consent_and_ids(client: TestClient) -> None:
    _ready(client)
    assert _get(client, CRM)["consent"]["sms"] is False
    ws = _cursor(client)  # what an identify with new traits commits
    ws.con.execute("UPDATE customers SET consent_sms = true WHERE customer_id = ?", [CRM])
    ws.con.execute(
        "INSERT INTO identities (source, source_id, customer_id) VALUES ('anonymous', 'a-77', ?)",
        [CRM],
    )
    _commit(client, ws, {CRM})
    ws.close()
    assert client.app.state.live.wait_idle(30)  # type: ignore[attr-defined]
    answer = _get(client, CRM)
    assert answer["consent"] == {"email": True, "sms": True, "push": False, "mail": False}
    assert {"source": "anonymous", "id": "a-77"} in answer["ids"]


def test_profiles_are_answered_from_memory_and_an_erasure_drops_them(client: TestClient) -> None:
    _ready(client)
    cache = client.app.state.live.cache  # type: ignore[attr-defined]
    ws = _cursor(client)
    stored = ws.con.execute("SELECT count(DISTINCT customer_id) FROM live_profiles").fetchone()
    ws.close()
    assert cache.ready and stored is not None and len(cache) == stored[0]
    held = cache.get("00011")
    assert held is not None and client.get("/v1/profiles/00011").content == held
    erased = client.post("/v1/privacy/erase", json={"customer": "00011"})
    assert erased.status_code == 200, erased.text
    assert cache.get("00011") is None  # at once, not at the next refresh
    assert client.get("/v1/profiles/00011").status_code == 404
