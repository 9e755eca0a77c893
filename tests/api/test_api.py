"""The service: JSON routes, clear errors (404, 422, 400), the optional API key, and the
dashboard page with its filters, over a workspace opened read-only per request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from report_workspace import full_workspace

from cvm.api import Settings, create_app
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_workspace(tmp_path_factory)


@pytest.fixture(scope="module")
def client(ws_path: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(Settings(workspace=ws_path, open=True))
    ) as served:  # closes the workspace it owns
        yield served


def test_health_names_the_workspace_without_its_path(client: TestClient, ws_path: Path) -> None:
    body = client.get("/api/health").json()
    assert body.pop("profiles_in_memory") in (True, False)  # loaded beside the first requests
    assert body == {"status": "ok", "workspace": ws_path.name, "database": True}
    assert str(ws_path.parent) not in str(body)


def test_kpis_match_counts_from_the_transactions(client: TestClient, ws_path: Path) -> None:
    # June 2025 counted here from the rows: buyers (not refunds, positive amounts) and the net
    # of every row, refunds included
    with Workspace.open(ws_path, read_only=True) as ws:
        active, net = ws.con.execute(
            "SELECT count(DISTINCT customer_id) FILTER (WHERE NOT is_refund AND amount > 0),"
            " sum(amount) FROM transactions"
            " WHERE ts >= TIMESTAMP '2025-06-01' AND ts < TIMESTAMP '2025-07-01'"
        ).fetchall()[0]
    body = client.get("/api/kpis", params={"as_of": "2025-06-30"}).json()
    assert active > 0
    assert body["active"] == active
    assert body["as_of"].startswith("2025-06-30")
    assert body["net_revenue"] == pytest.approx(net)


def test_malformed_queries_are_422_with_a_message(client: TestClient) -> None:
    bad_day = client.get("/api/kpis", params={"as_of": "30/06/2025"})
    assert bad_day.status_code == 422
    assert "as_of" in bad_day.json()["detail"]
    bad_freq = client.get("/api/kpis", params={"freq": "fortnight"})
    assert bad_freq.status_code == 422
    assert "freq" in bad_freq.json()["detail"]


def test_library_errors_are_400_not_tracebacks(client: TestClient) -> None:
    early = client.get("/api/kpis", params={"as_of": "1990-01-01"})
    page = client.get("/dashboard", params={"segment": "no such segment"})
    assert page.status_code == 400
    assert "unknown segment" in page.text  # an HTML page with the message, status kept
    assert page.headers["content-type"].startswith("text/html")
    # before the first purchase the answer is an empty period, not an error: zero customers,
    # and rates that are undefined (null), never NaN in the JSON
    assert early.status_code == 200
    body = early.json()
    assert body["active"] == 0 and body["new"] == 0
    assert body["retention_rate"] is None


def test_customer_profile_and_scores(client: TestClient, ws_path: Path) -> None:
    with Workspace.open(ws_path, read_only=True) as ws:
        cid, orders = ws.con.execute(
            "SELECT customer_id, count(*) FROM transactions WHERE amount > 0"
            " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchall()[0]
    body = client.get(f"/api/customers/{cid}").json()
    assert body["customer_id"] == cid
    assert body["orders"] == orders
    assert body["scores"]["clv"]["clv"] > 0
    assert body["scores"]["segments"]["segment"]


def test_unknown_customer_is_a_404_with_json(client: TestClient) -> None:
    response = client.get("/api/customers/NOBODY")
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown customer 'NOBODY'"}


def test_segments_list_every_kind(client: TestClient) -> None:
    body = client.get("/api/segments").json()
    kinds = {row["kind"] for row in body["segments"]}
    assert {"rfm", "tier", "lifecycle"} <= kinds
    assert body["run_id"].startswith("segments-")


def test_api_key_guards_the_api_and_health(ws_path: Path) -> None:
    guarded = TestClient(create_app(Settings(workspace=ws_path, api_key="s3cret")))
    assert guarded.get("/api/segments").status_code == 401
    assert guarded.get("/api/segments", headers={"X-API-Key": "wrong"}).status_code == 401
    assert guarded.get("/api/segments", headers={"X-API-Key": "s3cret"}).status_code == 200
    # no endpoint answers without a key unless the service is opened (CVM_OPEN=1)
    assert guarded.get("/api/health").status_code == 401
    assert guarded.get("/api/health", headers={"X-API-Key": "s3cret"}).status_code == 200


def test_dashboard_page_uses_the_served_plotly_and_filters(client: TestClient) -> None:
    page = client.get("/dashboard", params={"segment": "lifecycle:active"})
    assert page.status_code == 200
    html = page.text
    assert '<script src="/static/plotly.min.js">' in html
    assert 'name="as_of"' in html and 'name="segment"' in html
    assert '<option value="lifecycle:active" selected>' in html
    assert "plotly.js v" not in html  # not inlined: loaded once from the route
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("application/javascript")
    assert len(js.content) > 1_000_000


def test_workspace_missing_is_a_clear_error(tmp_path: Path) -> None:
    response = TestClient(create_app(Settings(workspace=tmp_path, open=True))).get("/api/health")
    assert response.status_code == 503
    assert "not a workspace" in response.json()["detail"]


def test_next_best_action_of_a_customer(client: TestClient, ws_path: Path) -> None:
    with Workspace.open(ws_path, read_only=True) as ws:
        run_id, cid, offer = ws.con.execute(
            "SELECT run_id, customer_id, offer_id FROM plan_decisions WHERE status = 'chosen'"
            " ORDER BY run_id DESC, customer_id LIMIT 1"
        ).fetchall()[0]
        n_offers = ws.con.execute(
            "SELECT count(*) FROM plan_decisions WHERE run_id = ? AND customer_id = ?",
            [run_id, cid],
        ).fetchall()[0][0]
    body = client.get(f"/api/customers/{cid}/next-best-action").json()
    assert (body["run_id"], body["customer_id"], body["chosen"]) == (run_id, cid, offer)
    assert len(body["offers"]) == n_offers
    assert body["offers"][0]["offer_id"] == offer and body["offers"][0]["why"].startswith("chosen")
    missing = client.get("/api/customers/NOBODY/next-best-action")
    assert missing.status_code == 404 and "unknown customer" in missing.json()["detail"]
