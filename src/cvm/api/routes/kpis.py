"""``/api/kpis``: the KPI snapshot of the period ending a day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cvm.api.deps import AsOfQuery, WorkspaceDep
from cvm.api.schemas import KpiSnapshot
from cvm.api.serialize import records
from cvm.report.kpis import FREQUENCIES, kpi_snapshot

router = APIRouter(tags=["kpis"])

FreqQuery = Annotated[
    str,
    Query(
        pattern=f"^[{''.join(FREQUENCIES)}]$", description="Period: D, W, M, Q or Y", examples=["M"]
    ),
]


@router.get("/kpis")
def kpis(
    ws: WorkspaceDep,
    as_of: AsOfQuery = None,
    freq: FreqQuery = "M",
) -> KpiSnapshot:
    """Active, new, retained, churned customers, rates, revenue, order value and equity."""
    return KpiSnapshot.model_validate(records(kpi_snapshot(ws, as_of, freq=freq))[0])
