"""A browser opens the dashboard of a service with keys: it is asked for the key (HTTP Basic,
the key as user name, no password), and with it the page and its script load and draw.

Runs with the other headless-browser tests (``-m browser``; see tests/report/test_browser.py
for where Chromium comes from)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium

from cvm.api import Settings, create_app
from cvm.api.keys import create_key
from cvm.workspace import Workspace
from handmade import add_orders

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    import uvicorn

    root: Path = tmp_path_factory.mktemp("browser-keys") / "shop"
    with Workspace.create(root) as ws:
        for n in range(12):
            add_orders(ws, f"00{n:02d}", ["2025-01-05", "2025-03-05", "2025-06-05"][: 1 + n % 3])
        keys = {role: create_key(ws, f"{role}-key", role) for role in ("analyst", "writer")}
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(workspace=root)), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the service did not start"
    yield f"http://127.0.0.1:{port}", keys
    server.should_exit = True
    thread.join(timeout=10)


def _open(tmp: Path, url: str, credentials: dict[str, str] | None) -> tuple[int, Any, list[str]]:
    """(status of the page, whether plotly loaded, console errors) in a fresh browser."""
    # http_credentials: what the user types in the browser's prompt
    with chromium(tmp, http_credentials=credentials) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        answer = page.goto(url, wait_until="load")
        plotly = page.evaluate("() => window.Plotly !== undefined")
    assert answer is not None
    return answer.status, plotly, errors


def test_the_browser_is_asked_for_the_key_and_the_dashboard_draws_with_it(
    served, tmp_path: Path
) -> None:
    base, keys = served  # without a browser, chromium() fails in CI and as root, else skips
    from playwright.sync_api import Error

    # asked for credentials (the Basic challenge) with none to give, the browser gives up
    with pytest.raises(Error, match="ERR_INVALID_AUTH_CREDENTIALS"):
        _open(tmp_path / "none", f"{base}/dashboard", None)
    status, plotly, errors = _open(
        tmp_path / "analyst", f"{base}/dashboard", {"username": keys["analyst"], "password": ""}
    )
    assert status == 200 and plotly is True  # the script came with the same credentials
    assert errors == []
    status, plotly, _errors = _open(
        tmp_path / "writer", f"{base}/dashboard", {"username": keys["writer"], "password": ""}
    )
    assert status == 403 and not plotly
