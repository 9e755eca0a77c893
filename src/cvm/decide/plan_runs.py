"""Stored plans as they are read back: the list, and one plan with its actions by offer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["list_plans", "stored_plan", "write_plan"]


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


def write_plan(ws: Workspace, run_id: str, as_of: Any, output: str | Path) -> Path:
    """Write a stored plan's rows as Parquet under ``output``/plans/run_id=..., beside the
    engine's runs (one file per plan; the run is the folder, as Spark partitions it)."""
    from cvm._exceptions import ConfigError

    if "://" in str(output):
        raise ConfigError(f"{output}: plans are written to a local folder; copy it up after")
    folder = Path(str(output), "plans", f"run_id={run_id}")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "part-0.parquet"
    ws.engine.write_parquet(
        sql_file(__package__, "plan_out.sql"), target, {"run_id": run_id, "as_of": as_of}
    )
    return folder
