"""Store a plan: every (customer, offer) pair with its factors and status, and the run.

A pair's status says what decided it: ``chosen``, ``ineligible`` (with the reason),
``negative_value``, ``lower_value`` (another offer scored higher), ``capacity`` or ``budget``.
Decisions are written a chunk of customers at a time, as dictionary-coded Arrow tables.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm.decide.value import LIFT_SOURCES
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.decide.plan import PlanResult
    from cvm.workspace import Workspace

__all__ = ["STATUSES", "decision_rows", "save_plan", "statuses"]

STATUSES = ("chosen", "ineligible", "negative_value", "lower_value", "capacity", "budget")


def statuses(result: PlanResult) -> np.ndarray:
    """Status code (index into STATUSES) of every pair."""
    f, s, p = result.factors, result.solution, result.problem
    n, m = f.score.shape
    status = np.full((n, m), 2, dtype=np.int8)  # negative_value unless said otherwise
    status[pd.notna(result.reasons)] = 1
    candidate = np.isfinite(f.score)
    assert p.groups is not None and p.caps is not None
    full = (p.groups & (s.counts >= p.caps)[:, None]).any(axis=0)  # offers in a full group
    status[candidate] = np.where(full, 4, 5)[np.nonzero(candidate)[1]]
    rows = np.flatnonzero(s.choice >= 0)
    chosen_score = np.full(n, -np.inf, dtype=f.score.dtype)
    chosen_score[rows] = f.score[rows, s.choice[rows]]
    lower = candidate & (f.score <= chosen_score[:, None])
    status[lower] = 3
    status[rows, s.choice[rows]] = 0
    return status


def decision_rows(result: PlanResult, status: np.ndarray, part: slice) -> Any:
    """The decision rows of the customers in ``part`` as an Arrow table (dictionary-coded)."""
    import pyarrow as pa

    f = result.factors
    n = part.stop - part.start
    m = f.score.shape[1]
    cols = np.tile(np.arange(m, dtype=np.int32), n)

    def coded(values: list[str] | np.ndarray, codes: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values))

    reason = pd.Series(result.reasons[part].ravel()).astype("string")
    ids = result.customer_ids[part].astype(str)
    return pa.table(
        {
            "customer_id": coded(ids, np.repeat(np.arange(n, dtype=np.int32), m)),
            "offer_id": coded([o.id for o in result.offers], cols),
            "channel": coded([o.channel for o in result.offers], cols),
            "status": coded(list(STATUSES), status[part].ravel().astype(np.int32)),
            "reason": pa.array(reason, type=pa.string()),
            "propensity": f.propensity[part].ravel(),
            "lift": f.lift[part].ravel(),
            "lift_source": coded(list(LIFT_SOURCES), f.lift_source[part].ravel().astype(np.int32)),
            "value": f.value[part].ravel(),
            "cost": f.cost[part].ravel(),
            "weight": np.tile(f.weight, n),
            "context": f.context[part].ravel(),
            "ev": f.ev[part].ravel(),
            "score": np.where(np.isfinite(f.score[part]), f.score[part], np.nan).ravel(),
        }
    )


def save_plan(ws: Workspace, result: PlanResult, *, chunk: int = 100_000) -> str:
    """Store the plan (``plan_runs``, ``plan_decisions``, a ``model_runs`` row); returns its id.

    Every (customer, offer) pair is stored with its factors and status, ``chunk`` customers
    at a time to keep memory flat.
    """
    f, s = result.factors, result.solution
    n, m = f.score.shape
    status = statuses(result)
    engine = ws.engine
    with engine.transaction():
        run_id = ws.record_run(
            "plan",
            model=s.method,
            params={"budget": result.budget, "capacity": result.capacities},
            metrics={
                "objective": s.objective,
                "bound": s.bound,
                "gap": s.gap,
                "spent": s.spent,
                "chosen": int((s.choice >= 0).sum()),
            },
            cutoff=datetime.combine(result.as_of, datetime.min.time()),
        )
        engine.run(
            sql_file(__package__, "plan_run_insert.sql"),
            {
                "run_id": run_id,
                "as_of": result.as_of,
                "budget": result.budget,
                "method": s.method,
                "customers": n,
                "offers": m,
                "chosen": int((s.choice >= 0).sum()),
                "spent": s.spent,
                "objective": s.objective,
                "expected_value": result.expected_value,
                "bound": s.bound,
                "gap": s.gap,
                "catalog": json.dumps([o.as_dict() for o in result.offers]),
                "capacities": json.dumps(result.capacities),
                "curve": result.curve.to_json(orient="records"),
            },
        )
        for start in range(0, n, chunk):
            table = decision_rows(result, status, slice(start, min(start + chunk, n)))
            with engine.register("plan_decisions_new", table):
                engine.run(sql_file(__package__, "plan_decisions_insert.sql"), {"run_id": run_id})
    result.run_id = run_id
    return run_id
