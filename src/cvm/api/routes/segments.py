"""``/api/segments``: size and value of every segment of the newest segments run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from cvm.api.deps import WorkspaceDep
from cvm.api.schemas import Segments
from cvm.api.serialize import records
from cvm.segments.runs import latest_segments_run, segment_summary, segments_run_exists

router = APIRouter(tags=["segments"])


@router.get("/segments")
def segments(
    ws: WorkspaceDep,
    run_id: Annotated[
        str | None,
        Query(
            description="A segments run (default: newest)",
            examples=["segments-20251231T120000-a1b2c3"],
        ),
    ] = None,
) -> Segments:
    """One row per (kind, segment): customers, share, revenue, CLV, P(alive), churn risk."""
    if run_id is not None and not segments_run_exists(ws, run_id):
        raise HTTPException(status_code=404, detail=f"unknown segments run {run_id!r}")
    run = run_id or latest_segments_run(ws)
    rows = records(segment_summary(ws, run).reset_index())
    return Segments.model_validate({"run_id": run, "segments": rows})
