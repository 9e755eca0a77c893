"""``/api/customers/{id}``: one customer's record, purchases and latest scores."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from cvm.api.deps import WorkspaceDep
from cvm.report.customer import customer_card

router = APIRouter(tags=["customers"])


@router.get("/customers/{customer_id}")
def customer(customer_id: str, ws: WorkspaceDep) -> dict[str, Any]:
    """The customer's profile and the newest score of each kind (404 when unknown)."""
    card = customer_card(ws, customer_id)
    if card is None:
        raise HTTPException(status_code=404, detail=f"unknown customer {customer_id!r}")
    return card


@router.get("/customers/{customer_id}/next-best-action")
def next_best_action(
    customer_id: str, ws: WorkspaceDep, run_id: str | None = None
) -> dict[str, Any]:
    """The customer's action in the newest stored plan (or ``run_id``): the chosen offer, and
    every offer with its factors and why it won or lost (404 for an unknown customer)."""
    from cvm.api.serialize import records
    from cvm.decide import explain

    if customer_card(ws, customer_id) is None:
        raise HTTPException(status_code=404, detail=f"unknown customer {customer_id!r}")
    decision = explain(ws, customer_id, run_id)
    return {
        "run_id": decision.run_id,
        "customer_id": decision.customer_id,
        "chosen": decision.chosen,
        "offers": records(decision.offers),
    }
