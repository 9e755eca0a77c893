"""`cvm dashboard` as a user starts it: a server process on 127.0.0.1, pages over HTTP, stopped.

The workspace holds transactions only (a shop's first export), which the dashboard must serve
without error.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd

import cvm
from cvm.workspace import Workspace

ORDERS = [
    ("T001", "0001", "2025-01-05", 50.0),
    ("T002", "0001", "2025-02-07", 30.0),
    ("T003", "0002", "2025-02-10", 20.0),
    ("T004", "0003", "2025-03-01", 80.0),
    ("T005", "0001", "2025-03-15", 10.0),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"dashboard exited early with {proc.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"dashboard did not answer on {base} within {seconds:.0f} s")


def test_dashboard_serves_pages_and_stops(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    with Workspace.create(root) as ws:
        ws.con.executemany(
            "INSERT INTO transactions (transaction_id, customer_id, ts, amount) VALUES (?,?,?,?)",
            [(t, c, pd.Timestamp(d).to_pydatetime(), a) for t, c, d, a in ORDERS],
        )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    src = str(Path(cvm.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    env.pop("CVM_API_KEY", None)
    env["CVM_OPEN"] = "1"  # a local demo: served without keys
    command = ["dashboard", "-w", str(root), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cvm.cli import main; main()", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base, proc)
        health = httpx.get(f"{base}/api/health", timeout=30).json()
        assert health.pop("profiles_in_memory") in (True, False)
        assert health == {"status": "ok", "workspace": "shop", "database": True}
        quarter = {"as_of": "2025-03-31", "freq": "Q"}
        kpis = httpx.get(f"{base}/api/kpis", params=quarter, timeout=60).json()
        assert kpis["orders"] == len(ORDERS)  # every order falls in 2025 Q1
        home = httpx.get(f"{base}/", timeout=30, follow_redirects=False)
        assert home.status_code in (302, 307) and home.headers["location"] == "/dashboard"
        page = httpx.get(f"{base}/dashboard", params={"as_of": "2025-03-31"}, timeout=120)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "/static/plotly.min.js" in page.text
        bundle = httpx.get(f"{base}/static/plotly.min.js", timeout=30)
        assert bundle.status_code == 200 and len(bundle.content) > 100_000
        kpis = httpx.get(f"{base}/api/kpis", params={"as_of": "2025-03-31"}, timeout=30).json()
        assert kpis["active"] == 2  # 0001 and 0003 bought in March
        unknown = httpx.get(f"{base}/dashboard", params={"segment": "tier:nope"}, timeout=30)
        assert unknown.status_code == 400
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    text = out.decode(errors="replace")
    assert f"dashboard: http://127.0.0.1:{port}/dashboard" in text
    # a clean shutdown on SIGTERM (uvicorn re-raises the signal once it has shut down)
    assert proc.returncode in (0, -signal.SIGTERM), text
    assert "Application shutdown complete" in text
