"""The batch jobs the server runs: each is what the matching `cvm` command does, through the
same library functions, and returns a short summary of what it stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cvm.api.jobs_models import ChurnJob, FitJob, PlanJob, ScoreJob, SegmentJob

if TYPE_CHECKING:
    from cvm._progress import Progress
    from cvm.workspace import Workspace

__all__ = ["run_job"]

Summary = dict[str, Any]


def _cutoff(ws: Workspace, job: FitJob) -> str:
    from cvm.clv.scoring import last_transaction_day

    return str(job.cutoff or last_transaction_day(ws))


def _fit(ws: Workspace, job: FitJob, progress: Progress) -> Summary:
    from cvm.clv import DEFAULT_MODELS, fit_clv, save_run

    as_of = _cutoff(ws, job)
    result = fit_clv(ws, as_of, models=job.models or DEFAULT_MODELS, unit=job.unit,
                     progress=progress)  # fmt: skip
    run_id = save_run(ws, result, None, {"cutoff": as_of})
    return {
        "run_id": run_id,
        "as_of": as_of,
        "best": result.best,
        "customers": len(result.summary),
        "warnings": list(result.warnings),
    }


def _score(ws: Workspace, job: FitJob, progress: Progress) -> Summary:
    from cvm.clv import DEFAULT_MODELS, fit_clv, save_run
    from cvm.clv.scoring import score_clv

    assert isinstance(job, ScoreJob)
    as_of = _cutoff(ws, job)
    result = fit_clv(ws, as_of, models=job.models or DEFAULT_MODELS, unit=job.unit,
                     progress=progress)  # fmt: skip
    progress(0, None, "scoring")
    options = {"horizon_years": job.horizon, "discount_rate": job.discount_rate,
               "margin": job.margin}  # fmt: skip
    scores = score_clv(
        result,
        horizon_years=job.horizon,
        discount_rate=job.discount_rate,
        margin=job.margin,
        intervals=job.intervals,
    )
    run_id = save_run(ws, result, scores, {"cutoff": as_of, **options})
    return {
        "run_id": run_id,
        "as_of": as_of,
        "best": result.best,
        "customers": len(scores),
        "customer_equity": float(scores["clv"].sum()),
        "warnings": list(result.warnings),
    }


def _segment(ws: Workspace, job: SegmentJob, progress: Progress) -> Summary:
    from cvm.segments.runs import segment

    run = segment(ws, job.as_of, churn=job.churn, progress=progress)
    return {
        "run_id": run.run_id,
        "as_of": str(run.as_of),
        "customers": int(run.customers),
        "churn_run": run.churn_run,
        "warnings": list(run.notes),
    }


def _churn(ws: Workspace, job: ChurnJob, progress: Progress) -> Summary:
    from cvm.segments.churn import save_churn, train_churn

    result = train_churn(ws, job.as_of, horizon_days=job.horizon, progress=progress,
                         target=job.target)  # fmt: skip
    run_id = save_churn(ws, result)
    return {
        "run_id": run_id,
        "target": result.target,
        "train_cutoff": str(result.train_cutoff),
        "valid_cutoff": str(result.valid_cutoff),
        "metrics": {k: float(v) for k, v in result.metrics.items()},
        "definition": result.definition,
        "warnings": list(result.notes),
    }


def _plan(ws: Workspace, job: PlanJob, progress: Progress) -> Summary:
    from cvm.decide import make_plan, save_plan

    result = make_plan(ws, job.budget, as_of=job.as_of, capacity=job.capacity,
                       method=job.method, progress=progress)  # fmt: skip
    run_id = save_plan(ws, result)
    s = result.solution
    return {
        "run_id": run_id,
        "as_of": str(result.as_of),
        "customers": len(result.customer_ids),
        "chosen": int((s.choice >= 0).sum()),
        "budget": float(result.budget),
        "spent": float(s.spent),
        "expected_value": float(result.expected_value),
        "method": s.method,
        "gap": float(s.gap),
    }


RUNNERS: dict[str, Callable[[Workspace, Any, Progress], Summary]] = {
    "fit": _fit,
    "score": _score,
    "segment": _segment,
    "churn": _churn,
    "plan": _plan,
}


def run_job(ws: Workspace, job: Any, progress: Progress) -> Summary:
    """Run ``job`` (a request model) on ``ws``; returns the summary of what it stored."""
    return RUNNERS[job.kind](ws, job, progress)
