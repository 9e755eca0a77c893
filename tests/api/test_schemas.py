"""Every route declares its answer in the OpenAPI document, the answers keep to it, and the
routes are guarded by roles (a key without the role is 403, a wrong key still 401)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from report_workspace import full_workspace

from cvm.api import Settings, create_app
from cvm.api.deps import ROLES, Caller, CurrentCaller, current_caller, require_role
from cvm.api.schemas import (
    CustomerCard,
    KpiSnapshot,
    NextBestAction,
    OfferDecision,
    RunScores,
    SegmentRow,
    Segments,
)
from cvm.workspace import Workspace


def _component(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    name = ref.rsplit("/", 1)[-1]
    found: dict[str, Any] = schema["components"]["schemas"][name]
    return found


def test_every_route_has_a_response_schema(tmp_path: Path) -> None:
    schema = create_app(Settings(workspace=tmp_path)).openapi()
    operations = [(p, m, op) for p, ops in schema["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 6
    for path, method, op in operations:
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert ok, (path, method)
        for answer in ok.values():
            content = answer.get("content")
            assert content, (path, method, "no content declared")
            for media, body in content.items():
                if media == "application/json":
                    ref = body["schema"].get("$ref")
                    assert ref, (path, method, body["schema"])  # a named model, not "object"
                    assert _component(schema, ref)["properties"], (path, ref)
                else:
                    assert body["schema"] == {"type": "string"}, (path, media)


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_workspace(tmp_path_factory)


def test_answers_carry_exactly_the_declared_fields(ws_path: Path) -> None:
    client = TestClient(create_app(Settings(workspace=ws_path, open=True)))
    with Workspace.open(ws_path, read_only=True) as ws:
        (cid,) = ws.con.execute(
            "SELECT customer_id FROM plan_decisions WHERE status = 'chosen'"
            " ORDER BY customer_id LIMIT 1"
        ).fetchall()[0]
    kpis = client.get("/api/kpis").json()
    assert set(kpis) == _fields(KpiSnapshot)
    segments = client.get("/api/segments").json()
    assert set(segments) == _fields(Segments)
    rows = segments["segments"]
    assert rows and all(set(r) == _fields(SegmentRow) for r in rows)
    card = client.get(f"/api/customers/{cid}").json()
    assert set(card) == _fields(CustomerCard)
    assert {"clv", "segments"} <= set(card["scores"])
    for kind, scores in card["scores"].items():
        assert set(scores) <= _fields(RunScores), kind
        assert None not in scores.values()  # a score the run did not make is absent
    action = client.get(f"/api/customers/{cid}/next-best-action").json()
    assert set(action) == _fields(NextBestAction)
    offers = action["offers"]
    assert offers and all(set(o) == _fields(OfferDecision) for o in offers)


def test_the_role_guards(ws_path: Path) -> None:
    app = create_app(Settings(workspace=ws_path, open=True))
    admin = APIRouter()

    @admin.get("/api/admin-only", dependencies=[require_role("admin")])
    def admin_only(caller: CurrentCaller) -> dict[str, str | None]:
        return {"key": caller.key}

    app.include_router(admin)
    client = TestClient(app)
    # a service opened for local demo use: every caller holds every role
    assert client.get("/api/admin-only").json() == {"key": None}
    assert client.get("/api/kpis").status_code == 200
    app.dependency_overrides[current_caller] = lambda: Caller("k", frozenset({"reader"}))
    refused = client.get("/api/admin-only")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "this key does not have the admin role"}
    assert client.get("/api/kpis").status_code == 200
    app.dependency_overrides[current_caller] = lambda: Caller("k", frozenset())
    assert client.get("/api/kpis").status_code == 403
    assert client.get("/api/health").status_code == 200  # any working key
    assert client.get("/static/plotly.min.js").status_code == 403  # pages: analysts


def test_the_one_key_holds_every_role_and_a_wrong_key_is_401(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    app: FastAPI = create_app(Settings(workspace=tmp_path / "w", api_key="s3cret"))

    @app.get("/api/admin-only", dependencies=[require_role("admin")])
    def admin_only(caller: CurrentCaller) -> dict[str, list[str]]:
        return {"roles": sorted(caller.roles)}

    client = TestClient(app)
    assert client.get("/api/admin-only").status_code == 401
    assert client.get("/api/admin-only", headers={"X-API-Key": "nope"}).status_code == 401
    held = client.get("/api/admin-only", headers={"X-API-Key": "s3cret"})
    assert held.status_code == 200 and held.json() == {"roles": sorted(ROLES)}


def test_an_unknown_role_is_refused_when_the_route_is_declared() -> None:
    with pytest.raises(ValueError, match="unknown role 'root'"):
        require_role("root")


def test_openapi_lists_403_on_guarded_routes(tmp_path: Path) -> None:
    schema = create_app(Settings(workspace=tmp_path)).openapi()
    assert "403" in schema["paths"]["/api/kpis"]["get"]["responses"]
    assert "403" in schema["paths"]["/dashboard"]["get"]["responses"]  # an analyst's page
    assert "403" not in schema["paths"]["/api/health"]["get"]["responses"]  # any key


def test_a_customer_with_orders_but_no_crm_record(tmp_path: Path) -> None:
    from handmade import add_orders

    with Workspace.create(tmp_path / "w") as ws:
        add_orders(ws, "0042", ["2024-01-05", "2024-02-05", "2024-03-05"])  # a leading zero
    client = TestClient(create_app(Settings(workspace=tmp_path / "w", open=True)))
    answer = client.get("/api/customers/0042")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["customer_id"], body["orders"], body["country"]) == ("0042", 3, None)
    assert body["scores"] == {}
    assert client.get("/api/customers/42").status_code == 404
