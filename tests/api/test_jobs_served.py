"""A real server owns the workspace: a `cvm` command that writes says where the server is and
how to run the job through it (no raw lock error, no wait); the job it names runs there; a
server killed mid-job leaves the job marked interrupted, and its announcement is ignored."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from report_workspace import full_workspace

from cvm.api import Settings, create_app
from cvm.api.jobs import INTERRUPTED
from cvm.workspace import Workspace
from cvm.workspace.served import SERVED_NAME, announce, served_at

SRC = Path(__file__).resolve().parents[2] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("served") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), target)
    return target


@pytest.fixture(scope="module")
def server(ws_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC), "CVM_WORKSPACE": str(ws_path), "CVM_OPEN": "1"}
    env.pop("CVM_API_KEY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "cvm.api.main:app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/jobs", timeout=2).status_code == 200:  # it holds the file
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        with announce(ws_path, url, proc.pid):
            yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(30)


def cvm(ws_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "CVM_LOCK_WAIT": "60"}
    return subprocess.run(
        [sys.executable, "-m", "cvm", *args, "-w", str(ws_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait(url: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body: dict[str, Any] = httpx.get(f"{url}/v1/jobs/{job_id}", timeout=10).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_a_writing_command_names_the_server_and_the_job_to_post(
    ws_path: Path, server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, proc = server
    start = time.monotonic()
    done = cvm(ws_path, "score")
    took = time.monotonic() - start
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith("error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert f"served by cvm serve at {url} (PID {proc.pid})" in done.stderr
    assert f"curl -X POST {url}/v1/jobs" in done.stderr
    assert "Conflicting lock" not in done.stderr and "IO Error" not in done.stderr
    assert took < 30  # CVM_LOCK_WAIT is 60: a served workspace is not waited for


def test_a_reading_command_is_told_to_read_through_the_server(
    ws_path: Path, server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, _ = server
    done = cvm(ws_path, "segments")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"read it through the server ({url}/v1/...)" in done.stderr


def test_the_job_the_notice_names_runs_through_the_server(
    ws_path: Path, server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, _ = server
    started = httpx.post(f"{url}/v1/jobs", json={"kind": "segment"}, timeout=10)
    assert started.status_code == 202
    done = wait(url, started.json()["job_id"])
    assert done["status"] == "succeeded", done["error"]
    members = httpx.get(f"{url}/v1/segments", params={"run_id": done["result"]["run_id"]})
    lifecycle = [r for r in members.json()["segments"] if r["kind"] == "lifecycle"]
    assert sum(r["customers"] for r in lifecycle) == done["result"]["customers"] > 0


def test_a_killed_server_leaves_its_job_interrupted(
    ws_path: Path, server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, proc = server
    job_id = httpx.post(f"{url}/v1/jobs", json={"kind": "score"}, timeout=10).json()["job_id"]
    deadline = time.monotonic() + 60
    while httpx.get(f"{url}/v1/jobs/{job_id}", timeout=10).json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert (ws_path / SERVED_NAME).exists()  # left behind by the dead server...
    assert served_at(ws_path) is None  # ...and ignored
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as client:
        body = client.get(f"/v1/jobs/{job_id}").json()
    assert body["status"] == "failed"
    assert body["error"] == INTERRUPTED
    with Workspace.open(ws_path, read_only=True) as ws:  # and the workspace opens again
        assert ws.con.execute("SELECT count(*) FROM jobs WHERE status = 'running'").fetchone() == (
            0,
        )
