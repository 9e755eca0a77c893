"""The FastAPI application: routers, error handlers, and the report cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cvm._exceptions import CvmError, WorkspaceBusyError, WorkspaceError
from cvm.api.config import Settings
from cvm.api.deps import require_role
from cvm.api.errors import RESPONSES, public_detail
from cvm.api.jobs import JobQueueFullError, JobRunner
from cvm.api.routes import campaigns, customers, health, jobs, kpis, pages, plans, privacy, segments
from cvm.api.service import ReportCache, WorkspaceOwner

__all__ = ["create_app"]

PAGE_RESPONSES = {k: v for k, v in RESPONSES.items() if k not in (401, 403)}


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
        yield
        app.state.jobs.close()
        app.state.owner.close()

    app = FastAPI(
        lifespan=lifespan,
        title="cvm",
        summary="Customer Value Management: the dashboard and a JSON API over a workspace.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = owner_settings
    app.state.owner = WorkspaceOwner(owner_settings.workspace)
    app.state.reports = ReportCache(app.state.settings.cache_size)
    app.state.jobs = JobRunner(app.state.owner)
    app.add_exception_handler(CvmError, _cvm_error)
    app.add_exception_handler(JobQueueFullError, _queue_full)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(pages.router, responses=PAGE_RESPONSES)
    app.include_router(health.router, prefix="/api", responses={503: RESPONSES[503]})
    reader = require_role("reader")
    for router in (kpis.router, customers.router, segments.router):
        app.include_router(router, prefix="/api", dependencies=[reader], responses=RESPONSES)
    # /v1: reads for analysts (the dashboard's and more), privacy for admins, jobs
    analyst, admin = require_role("analyst"), require_role("admin")
    for router in (kpis.router, segments.router, campaigns.router, plans.router):
        app.include_router(router, prefix="/v1", dependencies=[analyst], responses=RESPONSES)
    app.include_router(privacy.router, prefix="/v1", dependencies=[admin], responses=RESPONSES)
    app.include_router(jobs.router, prefix="/v1", responses=RESPONSES)
    app.add_middleware(HeadAsGet)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory cvm.api.main:app_from_env``."""
    return create_app()
