"""Each role is refused what it may not do: 401 without a working key, 403 with the wrong role,
on a route of every kind, and on every route the service has (walked from the app itself, so
routes added later are covered without naming them here)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import fastapi.routing
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cvm.api import Settings, create_app
from cvm.api.deps import require_role
from cvm.api.keys import KEY_ROLES, create_key
from cvm.workspace import Workspace
from handmade import add_orders

# Who may call a route of each kind: written out here, not read from cvm.api.deps.GRANTS.
MAY_CALL = {
    ("POST", "/t/track"): {"writer", "admin"},  # collection (Segment's write key)
    ("POST", "/t/decisions"): {"decider", "admin"},
    ("GET", "/t/profiles/{id}"): {"decider", "analyst", "admin"},
    ("GET", "/api/kpis"): {"analyst", "admin"},  # reads
    ("GET", "/api/segments"): {"analyst", "admin"},
    ("GET", "/dashboard"): {"analyst", "admin"},  # the pages
    ("POST", "/t/jobs"): {"admin"},  # jobs, erasure, keys
    ("POST", "/t/erase/{id}"): {"admin"},
    ("GET", "/v1/keys"): {"admin"},
    ("GET", "/api/health"): {"writer", "decider", "analyst", "admin"},  # any working key
}


def _stand_ins(app: FastAPI) -> None:
    """Routes of the kinds other modules serve, guarded as those modules guard theirs."""

    @app.post("/t/track", dependencies=[require_role("writer")])
    def track() -> dict[str, bool]:
        return {"success": True}

    @app.post("/t/decisions", dependencies=[require_role("decider")])
    def decide() -> dict[str, str]:
        return {"action": "none"}

    @app.get("/t/profiles/{id}", dependencies=[require_role("decider", "analyst")])
    def profile(id: str) -> dict[str, str]:
        return {"customer_id": id}

    @app.post("/t/jobs", dependencies=[require_role("admin")])
    def job() -> dict[str, str]:
        return {"job_id": "j1"}

    @app.post("/t/erase/{id}", dependencies=[require_role("admin")])
    def erase(id: str) -> dict[str, bool]:
        return {"erased": True}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict]]:
    root = tmp_path_factory.mktemp("roles") / "shop"
    with Workspace.create(root) as ws:
        add_orders(ws, "0042", ["2025-01-05", "2025-02-05", "2025-03-05"], amount=42.5)
        add_orders(ws, "0007", ["2025-02-10"], amount=0.0)
        keys = {role: create_key(ws, f"{role}-key", role) for role in KEY_ROLES}
        create_key(ws, "gone", "admin")
    with Workspace.open(root) as ws:
        from cvm.api.keys import revoke_key

        revoke_key(ws, "gone")
    app = create_app(Settings(workspace=root))
    _stand_ins(app)
    with TestClient(app) as client:
        yield client, keys


def _url(path: str) -> str:
    return path.replace("{id}", "0042")


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(("method", "path"), sorted(MAY_CALL))
def test_each_role_is_refused_what_it_may_not_do(served, method: str, path: str) -> None:
    client, keys = served
    for role, key in keys.items():
        answer = client.request(method, _url(path), headers=_bearer(key))
        if role in MAY_CALL[(method, path)]:
            assert answer.status_code not in (401, 403), (role, answer.text)
        else:
            assert answer.status_code == 403, (role, answer.text)
            assert "role" in answer.json()["detail"]


@pytest.mark.parametrize(("method", "path"), sorted(MAY_CALL))
def test_no_key_a_wrong_key_and_a_revoked_key_are_401(served, method: str, path: str) -> None:
    client, keys = served
    revoked = _revoked_key(client, keys["admin"])
    for headers in ({}, _bearer("cvm_" + "A" * 43), _bearer(revoked), {"X-API-Key": ""}):
        answer = client.request(method, _url(path), headers=headers)
        assert answer.status_code == 401, (headers, answer.text)


_made = iter(range(10_000))


def _revoked_key(client: TestClient, admin_key: str) -> str:
    """A key made and revoked through the service."""
    admin = _bearer(admin_key)
    name = f"short-lived-{next(_made)}"
    made = client.post("/v1/keys", json={"name": name, "role": "admin"}, headers=admin)
    assert made.status_code == 201, made.text
    assert client.delete(f"/v1/keys/{name}", headers=admin).status_code == 200
    return str(made.json()["key"])


def _routes(app: Any) -> list[Any]:
    """Every route with its full path and all its dependencies (FastAPI >= 0.16x keeps an
    included router's routes inside it; older versions copy them into ``app.routes``)."""
    if hasattr(fastapi.routing, "iter_route_contexts"):
        found = list(fastapi.routing.iter_route_contexts(app.routes))
        return [r for r in found if isinstance(r.original_route, APIRoute)]
    return [r for r in app.routes if isinstance(r, APIRoute)]


def _guard_roles(route: Any) -> set[str] | None:
    """The roles the route's guard names (None: any working key)."""
    found: set[str] = set()

    def walk(dependant: Any) -> None:
        found.update(getattr(dependant.call, "cvm_roles", ()))
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return found or None


def test_every_route_of_the_service_wants_a_key_and_its_role(served) -> None:
    """Walks every route the app serves, those added by later modules too."""
    client, keys = served
    may = {  # which guard names each key passes, written out independently of GRANTS
        "admin": {"admin", "analyst", "reader", "decider", "writer"},
        "analyst": {"analyst", "reader"},
        "decider": {"decider"},
        "writer": {"writer"},
    }
    routes = _routes(client.app)
    assert len(routes) >= 15
    for route in routes:
        url = re.sub(r"\{[^}]+\}", "0042", route.path_format)
        for method in sorted(set(route.methods) - {"HEAD"}):
            for headers in ({}, _bearer("cvm_wrong")):
                answer = client.request(method, url, headers=headers)
                assert answer.status_code == 401, (method, route.path_format, headers)
            roles = _guard_roles(route)
            for role, key in keys.items():
                allowed = roles is None or bool(may[role] & roles)
                if allowed and method != "GET":
                    continue  # not run: it would start a job or erase; refusals are checked
                answer = client.request(method, url, headers=_bearer(key))
                if allowed:
                    assert answer.status_code not in (401, 403), (route.path_format, role)
                else:
                    assert answer.status_code == 403, (method, route.path_format, role)


def test_the_openapi_document_and_docs_want_a_key(served) -> None:
    client, keys = served
    for path, role in (("/api/openapi.json", "writer"), ("/api/docs", "writer"), ("/", "analyst")):
        assert client.get(path, follow_redirects=False).status_code == 401
        ok = client.get(path, headers=_bearer(keys[role]), follow_redirects=False)
        assert ok.status_code in (200, 307), path


def _basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_the_dashboard_asks_a_browser_for_the_key_as_user_name(served) -> None:
    """A browser gets a Basic challenge, the user types the key as user name (no password),
    and the browser sends it with the page and its script."""
    client, keys = served
    challenge = client.get("/dashboard")
    assert challenge.status_code == 401
    assert challenge.headers["www-authenticate"] == 'Basic realm="cvm", charset="UTF-8"'
    page = client.get("/dashboard", headers=_basic(keys["analyst"]))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/plotly.min.js">' in page.text
    js = client.get("/static/plotly.min.js", headers=_basic(keys["analyst"]))
    assert js.status_code == 200 and len(js.content) > 1_000_000
    # a write key opens no page
    assert client.get("/dashboard", headers=_basic(keys["writer"])).status_code == 403


def test_a_route_cannot_name_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="unknown role 'root'"):
        require_role("root")
    with pytest.raises(ValueError, match="at least one role"):
        require_role()


def test_roles_of_keys_and_guards_are_the_documented_ones() -> None:
    from cvm.api.deps import GRANTS, ROLES

    assert set(KEY_ROLES) == {"admin", "analyst", "writer", "decider"}
    assert set(GRANTS) == set(KEY_ROLES)
    assert set(ROLES) == set(KEY_ROLES) | {"reader"}  # reader: what analyst holds
