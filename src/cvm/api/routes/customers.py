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
