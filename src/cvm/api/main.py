"""The FastAPI application: routers, error handlers, and the report cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cvm._exceptions import CvmError, WorkspaceBusyError, WorkspaceError
from cvm.api.audit import AuditMiddleware
from cvm.api.collect import AfterCommit, Collector
from cvm.api.config import Settings
from cvm.api.deps import current_caller, require_role
from cvm.api.errors import RESPONSES, public_detail
from cvm.api.hot_routes import DECISION_ROLES, PROFILE_ROLES, HotRoutes
from cvm.api.jobs import JobQueueFullError, JobRunner
from cvm.api.keys import KeyRing
from cvm.api.routes import (
    campaigns,
    collect,
    customers,
    decisions,
    health,
    jobs,
    keys,
    kpis,
    pages,
    plans,
    privacy,
    profiles,
    segments,
)
from cvm.api.service import ReportCache, WorkspaceOwner, replay_decisions
from cvm.segments.live_worker import LiveRefresher

__all__ = ["create_app"]

HEALTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    k: v for k, v in RESPONSES.items() if k in (401, 503)
}
# The pages answer HTML, their errors JSON: declared as such (a model there would be filed
# under the route's text/html).
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": answer["description"],
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}},
            "text/html": {"schema": {"type": "string"}},  # a page that says what exists instead
        },
    }
    for code, answer in RESPONSES.items()
}
OPENAPI_URL = "/api/openapi.json"

SECURITY_SCHEMES = {
    "basicKey": {
        "type": "http",
        "scheme": "basic",
        "description": "The key as user name, password empty (how Segment sends a write key)",
    },
    "bearerKey": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer KEY"},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def _cvm_error(request: Request, exc: Exception) -> JSONResponse:
    status = 503 if isinstance(exc, WorkspaceError) else 400
    headers = {"Retry-After": "1"} if isinstance(exc, WorkspaceBusyError) else None
    return JSONResponse(status_code=status, content={"detail": public_detail(exc)}, headers=headers)


class HeadAsGet:
    """Answer HEAD on every GET route as GET does, without the body (not 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _queue_full(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=429, content={"detail": str(exc)}, headers={"Retry-After": "5"})


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = list(exc.errors()) if isinstance(exc, RequestValidationError) else []
    message = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors
    )
    return JSONResponse(status_code=422, content={"detail": message or "invalid request"})


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for ``settings`` (default: from the environment)."""
    owner_settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        replay_decisions(app.state.owner)  # answered by a killed service, not yet stored
        if app.state.settings.live_at_start:
            app.state.live.start()  # loads the profiles into memory, then keeps them fresh
        yield
        app.state.collector.close()  # commits what is queued before the workspace closes
        app.state.live.stop()
        decisions.close_decider(app)
        app.state.jobs.close()
        app.state.owner.close()

    app = FastAPI(
        lifespan=lifespan,
        title="cvm",
        summary="Customer Value Management: the dashboard and a JSON API over a workspace.",
        docs_url=None,
        openapi_url=None,
        dependencies=[Depends(current_caller)],  # no route answers without a working key
    )
    app.state.settings = owner_settings
    app.state.owner = WorkspaceOwner(owner_settings.workspace)
    app.state.keyring = KeyRing()
    app.state.reports = ReportCache(app.state.settings.cache_size)
    # live collection: hook(ws, customer_ids) runs after each committed window of events;
    # the first re-scores the customers it touched (live profiles)
    after_commit: list[AfterCommit] = []
    app.state.after_commit = after_commit
    app.state.live = LiveRefresher(app.state.owner.get)
    after_commit.append(app.state.live)
    after_commit.append(decisions.consent_hook(app))  # consent changes reach decisions
    app.state.collector = Collector(
        app.state.owner,
        batch_size=owner_settings.batch_size,
        interval_ms=owner_settings.batch_interval_ms,
        queue_size=owner_settings.queue_size,
        after_commit=after_commit,
    )
    app.state.jobs = JobRunner(app.state.owner)
    app.add_exception_handler(CvmError, _cvm_error)
    app.add_exception_handler(JobQueueFullError, _queue_full)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # the busiest routes first: a request is matched against the routes in order
    decider = require_role(*DECISION_ROLES)
    app.include_router(decisions.router, prefix="/v1", dependencies=[decider], responses=RESPONSES)
    profile_readers = require_role(*PROFILE_ROLES)
    app.include_router(profiles.router, dependencies=[profile_readers], responses=RESPONSES)
    app.include_router(collect.router, prefix="/v1", dependencies=[require_role("writer")])
    analyst = require_role("analyst")
    app.include_router(pages.router, dependencies=[analyst], responses=PAGE_RESPONSES)
    app.include_router(health.router, prefix="/api", responses=HEALTH_RESPONSES)
    for router in (kpis.router, customers.router, segments.router):
        app.include_router(router, prefix="/api", dependencies=[analyst], responses=RESPONSES)
    app.include_router(keys.router, prefix="/v1", responses=RESPONSES)
    # /v1: reads for analysts (the dashboard's and more), privacy for admins, jobs
    admin = require_role("admin")
    for router in (kpis.router, segments.router, campaigns.router, plans.router):
        app.include_router(router, prefix="/v1", dependencies=[analyst], responses=RESPONSES)
    app.include_router(privacy.router, prefix="/v1", dependencies=[admin], responses=RESPONSES)
    app.include_router(jobs.router, prefix="/v1", responses=RESPONSES)
    _serve_openapi(app)
    app.add_middleware(HeadAsGet)
    app.add_middleware(AuditMiddleware)
    if owner_settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(owner_settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Content-Encoding", "X-API-Key"],
        )
    app.add_middleware(HotRoutes)  # outermost: their plain cases skip the stack
    return app


def _serve_openapi(app: FastAPI) -> None:
    """The OpenAPI document and its docs page, behind a key like every route, with the three
    ways of sending one declared (the docs page's "Authorize" offers them)."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = plain()
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            schema["security"] = [{name: []} for name in SECURITY_SCHEMES]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(OPENAPI_URL, include_in_schema=False)
    def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI_URL, title="cvm API")


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory cvm.api.main:app_from_env``."""
    return create_app()
