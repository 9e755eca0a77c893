"""Stored plans as they are read back: the list, and one plan with its actions by offer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["list_plans", "stored_plan"]


def list_plans(ws: Workspace) -> pd.DataFrame:
    """One row per stored plan, newest first: day, budget, customers, chosen, spend, value."""
    return ws.engine.frame(sql_file(__package__, "plan_list.sql"))


def stored_plan(ws: Workspace, run_id: str) -> dict[str, Any] | None:
    """A stored plan's record, its capacities and curve, and its actions by offer (None when
    there is no such plan)."""
    plan = ws.engine.frame(sql_file(__package__, "plan_run.sql"), {"run_id": run_id})
    if plan.empty:
        return None
    row: dict[str, Any] = {str(k): v for k, v in plan.iloc[0].to_dict().items()}
    for name in ("catalog", "capacities", "curve"):
        value = row.get(name)
        row[name] = json.loads(value) if isinstance(value, str) else value
    row["actions"] = ws.engine.frame(sql_file(__package__, "plan_actions.sql"), {"run_id": run_id})
    return row
