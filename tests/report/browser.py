"""Headless Chromium for the page tests, and the dashboard as a real server process.

Chromium is Debian's, installed by `./run test` (apt, as root) before the suite starts;
Playwright drives it over the DevTools protocol without downloading a browser of its own.
Without it the tests fail in CI (CI=true) and for root, and are skipped, saying why, for
other users.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import cvm

CHROMIUM = Path("/usr/bin/chromium")
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


def missing_browser() -> str | None:
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


_STARTED: list[Any] = []
_OPEN: list[int] = [0]


def _playwright() -> Any:
    """One Playwright driver at a time (a second sync one cannot start while the first runs),
    shared by the browser contexts open at once and stopped with the last of them: while it
    runs, the sync driver marks the test process's main thread as running an event loop, so
    any later test calling ``asyncio.run`` in that process would fail."""
    if not _STARTED:
        from playwright.sync_api import sync_playwright

        _STARTED.append(sync_playwright().start())
    return _STARTED[0]


def _release() -> None:
    """Stop the driver when no browser context is open any more."""
    _OPEN[0] -= 1
    if _OPEN[0] == 0 and _STARTED:
        _STARTED.pop().stop()


@contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 900, **options: Any) -> Iterator[Any]:
    """A persistent headless Chromium context; fails (CI, root) or skips without a browser.
    ``options`` go to Playwright (``http_credentials``: what a user types at a login prompt)."""
    reason = missing_browser()
    if reason:
        # CI, and root (who can install it), must run it; elsewhere it is skipped, saying why
        if os.environ.get("CI", "").lower() == "true" or os.geteuid() == 0:
            pytest.fail(f"the browser test cannot run: {reason}")
        pytest.skip(reason)
    driver = _playwright()
    _OPEN[0] += 1
    try:
        context = driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": width, "height": height},
            **options,
        )
        try:
            yield context
        finally:
            context.close()
    finally:
        _release()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard_server(workspace: Path, seconds: float = 60.0) -> Iterator[str]:
    """``uvicorn`` serving ``cvm.api.create_app`` for ``workspace`` in its own process on
    127.0.0.1 (the service owns its workspace per process); stopped by its PID."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    src = str(Path(cvm.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    env.pop("CVM_API_KEY", None)
    env["CVM_WORKSPACE"] = str(workspace)
    env["CVM_OPEN"] = "1"  # a local dashboard for the test: no key to type
    # the pages need no live profiles; building them all at start would compete with the
    # pages under test for the same two cores
    env["CVM_LIVE_AT_START"] = "0"
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "cvm.api.main:app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise AssertionError(f"the dashboard exited with {proc.returncode}: {out}")
            try:
                if httpx.get(f"{base}/api/health", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the dashboard did not answer on {base} in {seconds:.0f} s")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if proc.stdout:
            proc.stdout.close()
