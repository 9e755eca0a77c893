"""The FastAPI application: routers, error handlers, and the report cache."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from cvm._exceptions import CvmError, WorkspaceError
from cvm.api.config import Settings
from cvm.api.deps import ApiKey
from cvm.api.routes import customers, health, kpis, pages, segments
from cvm.api.service import ReportCache

__all__ = ["create_app"]


def _cvm_error(request: Request, exc: Exception) -> JSONResponse:
    status = 503 if isinstance(exc, WorkspaceError) else 400
    return JSONResponse(status_code=status, content={"detail": str(exc)})


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = list(exc.errors()) if isinstance(exc, RequestValidationError) else []
    message = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors
    )
    return JSONResponse(status_code=422, content={"detail": message or "invalid request"})


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for ``settings`` (default: from the environment)."""
    app = FastAPI(
        title="cvm",
        summary="Customer Value Management: the dashboard and a JSON API over a workspace.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings or Settings.from_env()
    app.state.reports = ReportCache(app.state.settings.cache_size)
    app.add_exception_handler(CvmError, _cvm_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(pages.router)
    app.include_router(health.router, prefix="/api")
    for router in (kpis.router, customers.router, segments.router):
        app.include_router(router, prefix="/api", dependencies=[ApiKey])
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory cvm.api.main:app_from_env``."""
    return create_app()
