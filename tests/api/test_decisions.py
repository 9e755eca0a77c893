"""``POST /v1/decisions`` and its outcomes over HTTP: answers, refusals, and the log."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from cvm.api.config import Settings
from cvm.api.main import create_app
from cvm.workspace import Workspace
from realtime_workspace import served


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return served(tmp_path_factory.mktemp("decisions"), share=0.0, cap=0.0)


def test_decisions_answer_log_and_take_outcomes(root: Path) -> None:
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        offer = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "email"})
        assert offer.status_code == 200, offer.text
        body = offer.json()
        assert body["action"] == "offer" and body["offer_id"] == "ten-off"
        assert body["arm"] == "treatment" and body["expected_value"] > 0
        refused = client.post("/v1/decisions", json={"customer_id": "00102", "channel": "email"})
        assert refused.status_code == 200
        assert refused.json()["action"] == "none"
        assert refused.json()["reason"] == "email policy: no_consent"
        assert refused.json()["offer_id"] is None
        out = client.post(
            f"/v1/decisions/{body['decision_id']}/outcome",
            json={"order_id": "W-77", "revenue": 19.5},
        )
        assert out.status_code == 200, out.text
        assert out.json()["campaign_id"] == "rt.ten-off" and out.json()["attributed"]
        assert out.json()["transaction_id"] == "W-77"
    con = duckdb.connect(str(root / "cvm.duckdb"), read_only=True)
    try:
        logged = con.execute(
            "SELECT customer_id, arm, offer_id FROM decisions ORDER BY customer_id"
        ).fetchall()
        order = con.execute(
            "SELECT customer_id, amount FROM transactions WHERE transaction_id = 'W-77'"
        )
        assert order.fetchall() == [("00101", 19.5)]
    finally:
        con.close()
    assert logged == [("00101", "treatment", "ten-off"), ("00102", "none", None)]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"customer_id": "99999", "channel": "email"}, 404, "unknown customer '99999'"),
        ({"anonymous_id": "nobody", "channel": "email"}, 404, "not linked"),
        ({"channel": "email"}, 422, "give customer_id or anonymous_id"),
        ({"customer_id": "00101", "channel": "fax"}, 422, "channel"),
        ({"customer_id": "00101", "channel": "email", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_requests_are_answered_clearly(root: Path, body: dict, status: int, words: str) -> None:
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        answer = client.post("/v1/decisions", json=body)
    assert answer.status_code == status
    assert words in answer.json()["detail"]


def test_outcome_of_an_unknown_decision_and_a_bad_revenue(root: Path) -> None:
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        missing = client.post("/v1/decisions/nope/outcome", json={"revenue": 3})
        negative = client.post("/v1/decisions/nope/outcome", json={"revenue": -3})
    assert missing.status_code == 404 and "unknown decision 'nope'" in missing.json()["detail"]
    assert negative.status_code == 422


def test_a_key_is_needed_when_the_service_has_one(root: Path) -> None:
    app = create_app(Settings(workspace=root, api_key="k-decide-1"))
    with TestClient(app) as client:
        body = {"customer_id": "00101", "channel": "email"}
        assert client.post("/v1/decisions", json=body).status_code == 401
        ok = client.post("/v1/decisions", json=body, headers={"X-API-Key": "k-decide-1"})
        assert ok.status_code == 200


def test_a_workspace_without_offers_is_told_what_to_add(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "bare").close()
    with TestClient(create_app(Settings(workspace=tmp_path / "bare", open=True))) as client:
        answer = client.post("/v1/decisions", json={"customer_id": "1", "channel": "email"})
    assert answer.status_code == 400
    assert "no offers" in answer.json()["detail"]


def test_consent_withdrawn_over_http_is_honoured_within_a_second(tmp_path: Path) -> None:
    """A withdrawal sent as a Segment identify reaches decisions without a new snapshot and
    without a table read per decision: the service reads the committed customers' consent."""
    root = served(tmp_path, share=0.0, cap=0.0)
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        other = client.post("/v1/decisions", json={"customer_id": "00104", "channel": "email"})
        assert other.status_code == 200  # the decider and its snapshot exist now
        withdraw = {"type": "identify", "userId": "00101", "messageId": "m-consent-1",
                    "traits": {"consent_email": False}}  # fmt: skip
        assert client.post("/v1/identify", json=withdraw).status_code == 200
        committed = time.monotonic()
        while True:
            got = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "email"})
            if got.json()["reason"] == "email policy: no_consent":
                break
            assert got.json()["offer_id"] == "ten-off"  # before the change arrived
            assert time.monotonic() - committed < 1.0, "consent not honoured within 1 s"
            time.sleep(0.02)
        assert got.json()["action"] == "none" and got.json()["offer_id"] is None


def test_an_erased_customer_is_refused_and_no_decision_keeps_their_id(tmp_path: Path) -> None:
    """After an erasure over HTTP, a decision for the customer is refused as for an unknown one
    (the snapshot still held them), and nothing logged before or after names them."""
    root = served(tmp_path, share=0.0, cap=0.0)
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        first = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "email"})
        assert first.json()["offer_id"] == "ten-off"  # in the snapshot, offered
        erased = client.post("/v1/privacy/erase", json={"customer": "00101"})
        assert erased.status_code == 200, erased.text
        again = client.post("/v1/decisions", json={"customer_id": "00101", "channel": "email"})
        assert again.status_code == 404 and "unknown customer" in again.json()["detail"]
        kept = client.post("/v1/decisions", json={"customer_id": "00104", "channel": "email"})
        assert kept.status_code == 200  # the others are still decided
    with Workspace.open(root, read_only=True) as ws:
        named = ws.engine.scalar("SELECT count(*) FROM decisions WHERE customer_id = '00101'")
        others = ws.engine.scalar("SELECT count(*) FROM decisions WHERE customer_id = '00104'")
    assert named == 0 and others == 1
