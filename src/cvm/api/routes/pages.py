"""The dashboard: the report's page, live, filterable by day and segment; plotly.js served once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cvm.api.deps import AsOfQuery, WorkspaceDep
from cvm.report.html import plotly_js, render_html

router = APIRouter(tags=["dashboard"])

PLOTLY_PATH = "/static/plotly.min.js"


@router.get("/", include_in_schema=False)
def index() -> RedirectResponse:
    return RedirectResponse("/dashboard")


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    ws: WorkspaceDep,
    as_of: AsOfQuery = None,
    segment: Annotated[
        str | None, Query(description="kind:name, e.g. tier:gold", examples=["tier:gold"])
    ] = None,
) -> HTMLResponse:
    """Every report section as of ``as_of`` for ``segment`` (empty: all customers)."""
    report = request.app.state.reports.get(ws, as_of, segment or None)
    html = render_html(report, plotly_src=PLOTLY_PATH, live=True, action="/dashboard")
    return HTMLResponse(html)


@router.get(PLOTLY_PATH, include_in_schema=False)
def plotly_bundle() -> Response:
    """plotly.js as shipped inside the installed plotly package, cached by the browser."""
    return Response(
        plotly_js(),
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
