"""Headless Chromium opens the report file and the live dashboard: no console errors, every
chart drawn (an SVG or canvas inside each chart div), a screenshot of each in test-output/.

Chromium is Debian's, installed by `./run test` (apt, as root) before the suite starts;
Playwright drives it over the DevTools protocol without downloading a browser of its own.
Without it the test fails in CI (CI=true) and for root, and is skipped, saying why, for
other users.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium
from report_workspace import full_workspace

from cvm.report import write_report
from cvm.workspace import Workspace

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
DRAWN = """() => Array.from(document.querySelectorAll('div.chart[data-chart]')).map(d => [
    d.dataset.chart,
    d.querySelectorAll('svg.main-svg *').length + d.querySelectorAll('canvas').length,
])"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def _visit(context: Any, url: str, shot: str) -> tuple[list[list[Any]], list[str]]:
    """Open ``url``, wait for the charts, return (chart, drawn elements) and console errors."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.Plotly !== undefined", timeout=20_000, polling=250)
    page.wait_for_timeout(500)
    drawn = page.evaluate(DRAWN)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / shot), full_page=True)
    page.close()
    return drawn, errors


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of its own: the dashboard's server owns its workspace, and another module's
    app (in this process or its own) may still hold the shared one (the server then answers
    503, busy, and the page never draws)."""
    target = tmp_path_factory.mktemp("browser") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), target)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def dashboard_url(ws_path: Path) -> Iterator[str]:
    import uvicorn

    from cvm.api import Settings, create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(workspace=ws_path, open=True)),
            host="127.0.0.1",
            port=port,
            log_level="error",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the dashboard did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_report_file_renders_every_chart_offline(browser: Any, ws_path: Path) -> None:
    with Workspace.open(ws_path, read_only=True) as ws:
        path = write_report(ws, OUTPUT / "report.html")
    drawn, errors = _visit(browser, path.resolve().as_uri(), "report.png")
    assert errors == []
    assert len(drawn) >= 10
    assert [key for key, n in drawn if n == 0] == []


def test_dashboard_renders_every_chart_with_filters(browser: Any, dashboard_url: str) -> None:
    drawn, errors = _visit(browser, f"{dashboard_url}/dashboard", "dashboard.png")
    assert errors == []
    assert len(drawn) >= 10
    assert [key for key, n in drawn if n == 0] == []
    filtered, errors = _visit(
        browser, f"{dashboard_url}/dashboard?segment=lifecycle:active", "dashboard_segment.png"
    )
    assert errors == []
    assert filtered and [key for key, n in filtered if n == 0] == []
