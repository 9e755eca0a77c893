"""``/v1/jobs``: batch jobs (fit, score, segment, churn, plan) run inside the server.

Starting a job needs the ``admin`` role; reading where jobs are, ``analyst``. A job is answered
202 at once with its id; ``GET /v1/jobs/{id}`` then reports its status and progress, and its
summary or one-line error when it ends.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request

from cvm.api.deps import WorkspaceDep, require_role
from cvm.api.jobs import JobRunner
from cvm.api.jobs_models import JobList, JobRequest, JobStatus
from cvm.api.schemas import ErrorBody

router = APIRouter(tags=["jobs"])

EXAMPLES = {
    "score": {"summary": "Fit and score CLV", "value": {"kind": "score", "horizon": 1}},
    "segment": {"summary": "Segment as of a day", "value": {"kind": "segment",
                                                             "as_of": "2025-06-30"}},
    "plan": {"summary": "Plan under a budget", "value": {"kind": "plan", "budget": 5000}},
}  # fmt: skip


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


@router.post(
    "/jobs",
    status_code=202,
    dependencies=[require_role("admin")],
    responses={429: {"model": ErrorBody, "description": "Too many jobs waiting; retry later"}},
)
def start_job(
    request: Request,
    ws: WorkspaceDep,
    job: Annotated[JobRequest, Body(openapi_examples=EXAMPLES)],
) -> JobStatus:
    """Queue a job; it runs in the server, one at a time, on the served workspace."""
    return JobStatus.model_validate(_runner(request).submit(ws, job.root))


@router.get("/jobs", dependencies=[require_role("analyst")])
def list_jobs(
    request: Request,
    ws: WorkspaceDep,
    limit: Annotated[
        int, Query(ge=1, le=500, description="How many, newest first", examples=[50])
    ] = 50,
) -> JobList:
    """The newest jobs, with their status."""
    rows = _runner(request).newest(ws, limit)
    return JobList(jobs=[JobStatus.model_validate(r) for r in rows])


@router.get("/jobs/{job_id}", dependencies=[require_role("analyst")])
def get_job(
    request: Request,
    ws: WorkspaceDep,
    job_id: Annotated[
        str, Path(examples=["job-20251231T120000-1a2b3c"], description="As POST gave")
    ],
) -> JobStatus:
    """A job's status, progress, and its summary or one-line error (404 when unknown)."""
    found = _runner(request).get(ws, job_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"unknown job {job_id!r}")
    return JobStatus.model_validate(found)
