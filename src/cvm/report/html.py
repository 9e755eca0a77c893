"""The report as HTML: one Jinja2 page whose sections are shared with the live dashboard.

The file written by :func:`write_report` is self-contained: plotly.js (shipped inside the
``plotly`` package) is inlined once and each figure travels as JSON drawn by
``Plotly.newPlot``, so it opens offline; the dashboard serves the same page with plotly.js
from its own route.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvm.report.build import ReportData, build_report

if TYPE_CHECKING:
    import jinja2

    from cvm.workspace import Workspace

__all__ = ["plotly_js", "render_error", "render_html", "write_report"]


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("cvm.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def plotly_js() -> str:
    """The minified plotly.js bundled with the installed ``plotly`` package (offline)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_html(
    report: ReportData,
    *,
    plotly_src: str | None = None,
    live: bool = False,
    action: str = "",
) -> str:
    """The page of ``report``: plotly.js inlined, or loaded from ``plotly_src`` when given.

    ``live`` adds the date and segment filter form (submitting to ``action``).
    """
    page = _environment().get_template("page.html.j2")
    return page.render(
        report=report,
        plotly_js=None if plotly_src else plotly_js(),
        plotly_src=plotly_src,
        live=live,
        action=action,
    )


def render_error(
    message: str,
    *,
    title: str,
    action: str,
    as_of: object = None,
    segment: str | None = None,
    choices: list[str] | None = None,
    links: list[tuple[str, str]] | None = None,
) -> str:
    """A dashboard page that says why the report cannot be shown and links to what exists,
    with the filter form so another day or segment is one click away."""
    page = _environment().get_template("error.html.j2")
    return page.render(
        message=message,
        title=title,
        action=action,
        as_of=as_of,
        segment=segment,
        choices=choices or [],
        links=links or [],
    )


def write_report(ws: Workspace, path: str | Path, **options: Any) -> Path:
    """Build the report (``options`` as for :func:`build_report`) and write one HTML file."""
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        target = target / "report.html"
    html = render_html(build_report(ws, **options))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target
