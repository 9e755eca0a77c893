"""``/v1/plans``: the stored plans (``cvm plan``), and one with its actions by offer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from cvm.api.deps import WorkspaceDep
from cvm.api.schemas_reads import PlanDetail, Plans
from cvm.api.serialize import records

router = APIRouter(tags=["plans"])


@router.get("/plans")
def plans(ws: WorkspaceDep) -> Plans:
    """Every stored plan, newest first: day, budget, customers with an action, spend, value."""
    from cvm.decide.plan_runs import list_plans

    return Plans.model_validate({"plans": records(list_plans(ws))})


@router.get("/plans/{run_id}")
def plan(
    run_id: Annotated[
        str, Path(examples=["plan-20251231T120000-a25973"], description="A plan run")
    ],
    ws: WorkspaceDep,
) -> PlanDetail:
    """One stored plan: its record, actions by offer, capacities and budget-value curve
    (404 when unknown)."""
    import pandas as pd

    from cvm.decide.plan_runs import stored_plan

    found = stored_plan(ws, run_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"unknown plan {run_id!r}")
    actions = found.pop("actions")
    head = records(pd.DataFrame([found]).drop(columns=["catalog", "capacities", "curve"]))[0]
    return PlanDetail.model_validate(
        {**head, "actions": records(actions), "capacities": found["capacities"],
         "curve": found["curve"], "catalog": found["catalog"]}
    )  # fmt: skip
