"""Batch jobs over HTTP: started by an admin, run inside the server on the served workspace,
with progress, a summary of what they stored, one line when they fail, and rows that survive
a restart (a job the server left running reads as interrupted)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from report_workspace import full_workspace

from cvm.api import Settings, create_app, jobs_kinds
from cvm.api.deps import Caller, current_caller
from cvm.api.jobs import INTERRUPTED, JobRunner
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("jobs") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), target)
    return target


@pytest.fixture
def client(ws_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as served:
        yield served


def wait(client: TestClient, job_id: str, seconds: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def test_a_score_job_stores_the_same_scores_as_the_library(
    client: TestClient, ws_path: Path
) -> None:
    with Workspace.open(ws_path, read_only=True) as ws:
        before, cutoff = ws.con.execute(
            "SELECT run_id, cutoff FROM model_runs WHERE kind = 'clv' ORDER BY created_at DESC"
            " LIMIT 1"
        ).fetchone()
    started = client.post("/v1/jobs", json={"kind": "score", "cutoff": f"{cutoff:%Y-%m-%d}"})
    assert started.status_code == 202
    assert started.json()["status"] in ("queued", "running")
    done = wait(client, started.json()["job_id"])
    assert done["status"] == "succeeded", done["error"]
    run_id = done["result"]["run_id"]
    with Workspace.open(ws_path, read_only=True) as ws:
        kind = ws.con.execute(
            "SELECT kind FROM model_runs WHERE run_id = $r", {"r": run_id}
        ).fetchone()
        # the job's scores and those the library stored when the workspace was built, at the
        # same cutoff: the same customers with the same CLV
        ours = dict(
            ws.con.execute(
                "SELECT customer_id, clv FROM scores WHERE run_id = $r", {"r": run_id}
            ).fetchall()
        )
        theirs = dict(
            ws.con.execute(
                "SELECT customer_id, clv FROM scores WHERE run_id = $r", {"r": before}
            ).fetchall()
        )
    assert kind == ("clv",)
    assert len(ours) == done["result"]["customers"] > 0
    assert ours.keys() == theirs.keys()
    assert sum(ours.values()) == pytest.approx(sum(theirs.values()), rel=1e-6)
    assert done["result"]["customer_equity"] == pytest.approx(sum(ours.values()))


def test_progress_advances_while_the_job_runs(client: TestClient) -> None:
    job_id = client.post("/v1/jobs", json={"kind": "fit"}).json()["job_id"]
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(f"/v1/jobs/{job_id}").json()
        if body["status"] == "running":
            seen.append((body["done"], body["total"], body["step"]))
        if body["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.02)
    assert body["status"] == "succeeded", body["error"]
    assert len(set(seen)) >= 2, seen  # more than one point of progress was reported
    models = [s for s in seen if s[1] == 3]  # one step per model fitted, out of three
    assert models and max(s[0] for s in models) > min(s[0] for s in models)


def test_a_failing_job_reports_one_line(client: TestClient) -> None:
    job_id = client.post("/v1/jobs", json={"kind": "fit", "cutoff": "1990-01-01"}).json()["job_id"]
    done = wait(client, job_id)
    assert done["status"] == "failed"
    assert done["error"] == "no purchases on or before 1990-01-01: nothing to fit"
    assert done["result"] is None


def test_a_bug_in_a_job_is_one_line_without_traceback_or_path(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ws: Workspace, job: Any, progress: Any) -> dict[str, Any]:
        raise KeyError("/srv/secret/cvm.duckdb\nTraceback (most recent call last)")

    monkeypatch.setitem(jobs_kinds.RUNNERS, "segment", broken)
    done = wait(client, client.post("/v1/jobs", json={"kind": "segment"}).json()["job_id"])
    assert done["status"] == "failed"
    assert done["error"] == "the segment job failed unexpectedly (KeyError); see the server log"


def test_job_rows_survive_a_restart(ws_path: Path) -> None:
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as first:
        job_id = first.post("/v1/jobs", json={"kind": "segment", "churn": False}).json()["job_id"]
        done = wait(first, job_id)
    assert done["status"] == "succeeded", done["error"]
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as second:
        again = second.get(f"/v1/jobs/{job_id}").json()
        listed = [j["job_id"] for j in second.get("/v1/jobs").json()["jobs"]]
    assert again == done
    assert job_id in listed


def test_a_job_left_running_by_a_dead_server_reads_as_interrupted(ws_path: Path) -> None:
    # what a server killed mid-job leaves behind: a row that says queued or running
    with Workspace.open(ws_path) as ws:
        for job_id, status in (("job-dead-running", "running"), ("job-dead-queued", "queued")):
            ws.con.execute(
                "INSERT INTO jobs (job_id, kind, args, status, created_at)"
                " VALUES ($j, 'score', '{}', $s, now())",
                {"j": job_id, "s": status},
            )
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as client:
        running = client.get("/v1/jobs/job-dead-running").json()
        queued = client.get("/v1/jobs/job-dead-queued").json()
    assert running["status"] == queued["status"] == "failed"
    assert running["error"] == queued["error"] == INTERRUPTED


def test_only_admin_starts_jobs_and_analysts_read_them(ws_path: Path) -> None:
    app = create_app(Settings(workspace=ws_path, open=True))
    app.dependency_overrides[current_caller] = lambda: Caller(key="k", roles=frozenset({"analyst"}))
    with TestClient(app) as client:
        refused = client.post("/v1/jobs", json={"kind": "score"})
        listed = client.get("/v1/jobs")
        count = len(listed.json()["jobs"])
    assert refused.status_code == 403
    assert listed.status_code == 200
    with Workspace.open(ws_path, read_only=True) as ws:  # nothing was queued
        assert ws.con.execute("SELECT count(*) FROM jobs").fetchone() == (count,)


def test_without_the_key_nothing_is_started(ws_path: Path) -> None:
    with TestClient(create_app(Settings(workspace=ws_path, api_key="k3y-for-tests"))) as client:
        refused = client.post("/v1/jobs", json={"kind": "score"})
        allowed = client.get("/v1/jobs", headers={"X-API-Key": "k3y-for-tests"})
    assert refused.status_code == 401
    assert allowed.status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "compact"}, "kind"),
        ({"kind": "score", "horizn": 2}, "horizn"),
        ({"kind": "score", "horizon": -1}, "horizon"),
        ({"kind": "plan", "budget": "lots"}, "budget"),
        ({"kind": "fit", "cutoff": "9999-12-31"}, "cutoff"),
        ({"kind": "fit", "models": ["bgnbd", "arima"]}, "models"),
    ],
)
def test_a_malformed_job_is_refused_with_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = client.post("/v1/jobs", json=body)
    assert answer.status_code == 422
    assert field in answer.json()["detail"]


def test_unknown_job_is_404(client: TestClient) -> None:
    answer = client.get("/v1/jobs/job-000000000000")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "unknown job 'job-000000000000'"}


def test_a_full_queue_answers_429_and_jobs_run_one_at_a_time(
    ws_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    running: list[int] = []
    overlap: list[int] = []

    def slow(ws: Workspace, job: Any, progress: Any) -> dict[str, Any]:
        running.append(1)
        overlap.append(len(running))
        release.wait(30)
        running.pop()
        return {"ok": True}

    monkeypatch.setitem(jobs_kinds.RUNNERS, "churn", slow)
    app = create_app(Settings(workspace=ws_path, open=True))
    app.state.jobs = JobRunner(app.state.owner, queue_size=1)
    with TestClient(app) as client:
        first = client.post("/v1/jobs", json={"kind": "churn"}).json()["job_id"]
        deadline = time.monotonic() + 10
        while client.get(f"/v1/jobs/{first}").json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        second = client.post("/v1/jobs", json={"kind": "churn"})
        third = client.post("/v1/jobs", json={"kind": "churn"})
        release.set()
        done = [wait(client, j)["status"] for j in (first, second.json()["job_id"])]
    assert second.status_code == 202
    assert third.status_code == 429
    assert third.headers["Retry-After"]
    assert done == ["succeeded", "succeeded"]
    assert overlap == [1, 1]  # never two at once
