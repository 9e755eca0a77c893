"""The dashboard: the report's page, live, filterable by day and segment; plotly.js served once.

A filter the workspace cannot answer (a segment before the first segments run, an unknown
segment) is an HTML page with the message, the filter form and links to what exists, with
the error's status kept (400; 503 while the workspace is busy), never a raw JSON error.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cvm._exceptions import CvmError, WorkspaceBusyError, WorkspaceError
from cvm.api.deps import AsOfQuery, WorkspaceDep
from cvm.api.errors import public_detail
from cvm.report.html import plotly_js, render_error, render_html

router = APIRouter(tags=["dashboard"])

PLOTLY_PATH = "/static/plotly.min.js"
PAGE = "/dashboard"


@router.get("/", include_in_schema=False)
def index() -> RedirectResponse:
    return RedirectResponse(PAGE)


def _href(as_of: date | None = None, segment: str | None = None) -> str:
    query = {k: str(v) for k, v in (("as_of", as_of), ("segment", segment)) if v}
    return PAGE + (f"?{urlencode(query)}" if query else "")


def _error_page(
    ws: WorkspaceDep, exc: CvmError, as_of: date | None, segment: str | None
) -> HTMLResponse:
    """The message, and links to what exists on that day or later."""
    status = 503 if isinstance(exc, WorkspaceError) else 400
    headers = {"Retry-After": "1"} if isinstance(exc, WorkspaceBusyError) else None
    links: list[tuple[str, str]] = []
    choices: list[str] = []
    if status == 400:
        try:
            from cvm.report.build import alternatives

            later, choices = alternatives(ws, as_of)
        except CvmError:
            later = {}
        if segment and as_of is not None:
            links.append((f"all customers as of {as_of}", _href(as_of)))
        if segment and "segments" in later:
            day = later["segments"]
            links.append(
                (f"segment {segment} as of {day} (its first segments run)", _href(day, segment))
            )
        if segment and "segments" not in later and as_of is None:
            links.append(("all customers", _href()))
        if "clv" in later:
            links.append((f"CLV scores as of {later['clv']}", _href(later["clv"])))
    links.append(("the latest day, all customers", _href()))
    html = render_error(
        public_detail(exc),
        title="Customer value dashboard",
        action=PAGE,
        as_of=as_of,
        segment=segment,
        choices=choices,
        links=links,
    )
    return HTMLResponse(html, status_code=status, headers=headers)


@router.get(PAGE, response_class=HTMLResponse)
def dashboard(
    request: Request,
    ws: WorkspaceDep,
    as_of: AsOfQuery = None,
    segment: Annotated[
        str | None, Query(description="kind:name, e.g. tier:gold", examples=["tier:gold"])
    ] = None,
) -> HTMLResponse:
    """Every report section as of ``as_of`` for ``segment`` (empty: all customers)."""
    try:
        report = request.app.state.reports.get(ws, as_of, segment or None)
    except CvmError as exc:
        return _error_page(ws, exc, as_of, segment or None)
    html = render_html(report, plotly_src=PLOTLY_PATH, live=True, action=PAGE)
    return HTMLResponse(html)


@router.get(PLOTLY_PATH, include_in_schema=False)
def plotly_bundle() -> Response:
    """plotly.js as shipped inside the installed plotly package, cached by the browser."""
    return Response(
        plotly_js(),
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
