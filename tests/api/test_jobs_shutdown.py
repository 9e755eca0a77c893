"""A job still running when the server stops is stopped with it: a fit left running in a
daemon thread would go on taking the CPU and the interpreter's lock from whatever the process
serves next (a second app in the same process answered seconds late because of one)."""

from __future__ import annotations

import shutil
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from report_workspace import full_workspace

from cvm.api import Settings, create_app, jobs_kinds
from cvm.api.jobs import INTERRUPTED
from cvm.workspace import Workspace


def test_stopping_the_server_stops_a_job_that_reports_no_progress(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path_factory.mktemp("jobs-stop") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), root)
    spins = [0]

    def busy(ws: Workspace, job: Any, progress: Any) -> dict[str, Any]:
        while True:  # an optimiser's Python callbacks: busy, and no progress reported
            spins[0] += sum(range(200)) > 0

    monkeypatch.setitem(jobs_kinds.RUNNERS, "segment", busy)
    before = set(threading.enumerate())
    with TestClient(create_app(Settings(workspace=root, open=True))) as client:
        job_id = client.post("/v1/jobs", json={"kind": "segment"}).json()["job_id"]
        deadline = time.monotonic() + 60
        while spins[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert spins[0] > 0, "the job never started"
        stopping = time.monotonic()
    took = time.monotonic() - stopping
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert "cvm-jobs" not in left, f"threads left running: {left}"
    counted = spins[0]
    time.sleep(0.2)
    assert spins[0] == counted  # it no longer runs
    assert took < 30
    with Workspace.open(root) as ws:
        status, error = ws.engine.rows(
            "SELECT status, error FROM jobs WHERE job_id = $j", {"j": job_id}
        )[0]
    assert (status, error) == ("failed", INTERRUPTED)
