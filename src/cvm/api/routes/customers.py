"""``/api/customers/{id}``: one customer's record, purchases and latest scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from cvm.api.deps import WorkspaceDep
from cvm.api.schemas import CustomerCard, NextBestAction
from cvm.api.serialize import records
from cvm.report.customer import customer_card

router = APIRouter(tags=["customers"])

CustomerId = Annotated[
    str,
    Path(description="The customer's id, as loaded (leading zeros kept)", examples=["C0000042"]),
]
PlanRun = Annotated[
    str | None,
    Query(description="A plan run (default: newest)", examples=["plan-20251231T120000-0a1b2c"]),
]


@router.get("/customers/{customer_id}", response_model_exclude_unset=True)
def customer(customer_id: CustomerId, ws: WorkspaceDep) -> CustomerCard:
    """The customer's profile and the newest score of each kind (404 when unknown)."""
    card = customer_card(ws, customer_id)
    if card is None:
        raise HTTPException(status_code=404, detail=f"unknown customer {customer_id!r}")
    # the id asked for: the card is this customer's even without a CRM record (orders only)
    return CustomerCard.model_validate({**card, "customer_id": customer_id})


@router.get("/customers/{customer_id}/next-best-action")
def next_best_action(
    customer_id: CustomerId, ws: WorkspaceDep, run_id: PlanRun = None
) -> NextBestAction:
    """The customer's action in the newest stored plan (or ``run_id``): the chosen offer, and
    every offer with its factors and why it won or lost (404 for an unknown customer)."""
    from cvm.decide import explain

    if customer_card(ws, customer_id) is None:
        raise HTTPException(status_code=404, detail=f"unknown customer {customer_id!r}")
    decision = explain(ws, customer_id, run_id)
    return NextBestAction.model_validate(
        {
            "run_id": decision.run_id,
            "customer_id": decision.customer_id,
            "chosen": decision.chosen,
            "offers": records(decision.offers),
        }
    )
