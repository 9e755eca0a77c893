"""What ``POST /v1/jobs`` accepts (one model per kind of job) and what ``/v1/jobs`` answers.

A request names its ``kind`` and that kind's arguments, the options of the matching `cvm`
command: ``{"kind": "score", "cutoff": "2025-06-30", "horizon": 1}``. Unknown fields are
refused (422), so a misspelt option never runs a job with defaults.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from cvm._dates import check_day
from cvm.api.schemas_reads import UtcDateTime

__all__ = [
    "JOB_KINDS",
    "ChurnJob",
    "FitJob",
    "JobList",
    "JobRequest",
    "JobStatus",
    "PlanJob",
    "ScoreJob",
    "SegmentJob",
]

JOB_KINDS = ("fit", "score", "segment", "churn", "plan")

Day = Annotated[date, AfterValidator(check_day)]
Model = Literal["mbgnbd", "bgnbd", "paretonbd"]


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Finite = Annotated[float, AfterValidator(_finite)]


class _Job(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FitJob(_Job):
    """`cvm fit`: fit the transaction and spend models as of a day; keep the run."""

    kind: Literal["fit"]
    cutoff: Day | None = Field(None, description="As-of day (default: the last purchase day)")
    models: list[Model] | None = Field(None, min_length=1, description="Default: all three")
    unit: Literal["D", "W"] | None = Field(None, description="Default: the workspace's")

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "fit"}]})


class ScoreJob(FitJob):
    """`cvm score`: fit, then score every customer (P(alive), spend, CLV); keep the run."""

    kind: Literal["score"]  # type: ignore[assignment]
    horizon: Finite = Field(1.0, gt=0, le=50, description="CLV horizon in years")
    discount_rate: Finite = Field(0.10, ge=0, lt=10, description="Annual discount rate")
    margin: Finite = Field(0.30, gt=0, le=1, description="Share of spend kept as margin")
    intervals: bool = Field(True, description="95% CLV intervals per customer")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "score", "cutoff": "2025-06-30", "horizon": 1}]}
    )


class SegmentJob(_Job):
    """`cvm segment`: RFM, tiers, lifecycle, rule segments and churn risk as of a day."""

    kind: Literal["segment"]
    as_of: Day | None = Field(None, description="Default: the newest activity's day")
    churn: bool = Field(True, description="Score churn risk with the newest churn model")

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "segment"}]})


class ChurnJob(_Job):
    """`cvm churn train`: train and validate the churn model; keep it."""

    kind: Literal["churn"]
    as_of: Day | None = None
    horizon: int | None = Field(None, ge=1, le=3650, description="Days (default 90)")
    target: Literal["auto", "purchases", "contracts"] = "auto"

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "churn"}]})


class PlanJob(_Job):
    """`cvm plan`: each customer's best action under the budget and capacities."""

    kind: Literal["plan"]
    budget: Finite | None = Field(None, gt=0, description="Default: [decide] budget")
    capacity: dict[str, Annotated[int, Field(ge=0)]] | None = Field(
        None, description='Contacts allowed per channel, e.g. {"email": 20000}'
    )
    as_of: Day | None = None
    method: Literal["auto", "exact", "lagrangian"] = "auto"

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "plan", "budget": 5000}]})


class JobRequest(RootModel[FitJob | ScoreJob | SegmentJob | ChurnJob | PlanJob]):
    """A job to run in the server, by ``kind``."""

    root: Annotated[
        FitJob | ScoreJob | SegmentJob | ChurnJob | PlanJob, Field(discriminator="kind")
    ]


class JobStatus(BaseModel):
    """Where a job is: queued, running (with progress), succeeded (with a summary of what it
    stored) or failed (with one line saying why)."""

    job_id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    args: dict[str, Any] = Field(description="The request's arguments")
    done: int | None = Field(None, description="Progress: steps done")
    total: int | None = Field(None, description="Progress: steps in all (null: unknown)")
    step: str | None = Field(None, description="Progress: what it is doing")
    result: dict[str, Any] | None = Field(None, description="What it stored (run id, counts)")
    error: str | None = Field(None, description="One line, when it failed")
    created_at: UtcDateTime
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "job-3f9c2a1b7d4e",
                    "kind": "score",
                    "status": "succeeded",
                    "args": {"cutoff": "2025-06-30"},
                    "done": 3,
                    "total": 3,
                    "step": "scoring",
                    "result": {"run_id": "clv-20251130T120000-ab12cd", "customers": 600},
                    "error": None,
                    "created_at": "2025-11-30T12:00:00",
                    "started_at": "2025-11-30T12:00:00",
                    "finished_at": "2025-11-30T12:00:04",
                }
            ]
        }
    )


class JobList(BaseModel):
    """The newest jobs first."""

    jobs: list[JobStatus]
