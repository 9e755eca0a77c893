"""Headless Chromium opens the report file and the live dashboard: no console errors, every
chart drawn (an SVG or canvas inside each chart div), a screenshot of each in test-output/.

Chromium is Debian's, installed by `./run test` (apt, as root) before the suite starts;
Playwright drives it over the DevTools protocol without downloading a browser of its own.
Without it the test fails in CI (CI=true) and for root, and is skipped, saying why, for
other users.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_workspace import full_workspace

from cvm.report import write_report
from cvm.workspace import Workspace

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DRAWN = """() => Array.from(document.querySelectorAll('div.chart[data-chart]')).map(d => [
    d.dataset.chart,
    d.querySelectorAll('svg.main-svg *').length + d.querySelectorAll('canvas').length,
])"""


def _missing_browser() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: `./run test` installs it (apt-get install chromium, as root)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[dev]'"
    return None


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing_browser()
    if reason:
        # CI, and root (who can install it), must run it; elsewhere it is skipped, saying why
        if os.environ.get("CI", "").lower() == "true" or os.geteuid() == 0:
            pytest.fail(f"the browser test cannot run: {reason}")
        pytest.skip(reason)
    from playwright import sync_api

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


def _visit(context: Any, url: str, shot: str) -> tuple[list[list[Any]], list[str]]:
    """Open ``url``, wait for the charts, return (chart, drawn elements) and console errors."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.Plotly !== undefined", timeout=20_000)
    page.wait_for_timeout(500)
    drawn = page.evaluate(DRAWN)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / shot), full_page=True)
    page.close()
    return drawn, errors


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_workspace(tmp_path_factory)


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
