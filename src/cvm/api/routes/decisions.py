"""``/v1/decisions``: the next best action for one customer on one channel, now, and the
responses that come back for it (:mod:`cvm.decide.realtime`)."""

from __future__ import annotations

import threading
from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request

from cvm.api.decision_schemas import (
    DecisionAnswer,
    DecisionRequest,
    OutcomeAnswer,
    OutcomeRequest,
)
from cvm.decide.realtime import Decider, UnknownCustomerError, UnknownDecisionError

router = APIRouter(tags=["decisions"])
_starting = threading.Lock()


def get_decider(request: Request) -> Decider:
    """The service's one decider, made on first use with its own cursor and writer thread."""
    state = request.app.state
    decider: Decider | None = getattr(state, "decider", None)
    if decider is None:
        with _starting:
            decider = getattr(state, "decider", None)
            if decider is None:
                decider = Decider(state.owner.get().cursor())
                decider.current()
                decider.start()
                state.decider = decider
    return decider


DeciderDep = Annotated[Decider, Depends(get_decider)]


def close_decider(app: FastAPI) -> None:
    """Write the pending decisions and stop the writer (at shutdown)."""
    decider: Decider | None = getattr(app.state, "decider", None)
    if decider is not None:
        decider.close()
        decider.ws.close()
        app.state.decider = None


@router.post("/decisions")
def decide(body: DecisionRequest, decider: DeciderDep) -> DecisionAnswer:
    """The offer worth most for the customer on the channel now (eligibility, consent,
    contact policy, cooldowns, the active plan's budget), or none; held-out customers get
    none with reason ``holdout``. Every answer is logged under its ``decision_id``."""
    try:
        d = decider.decide(
            body.channel,
            body.customer_id,
            anonymous_id=body.anonymous_id,
            placement=body.placement,
            context=body.context,
        )
    except UnknownCustomerError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return DecisionAnswer(
        decision_id=d.decision_id,
        ts=d.ts,
        customer_id=d.customer_id,
        channel=d.channel,
        action="offer" if d.offer_id else "none",
        offer_id=d.offer_id,
        reason=d.reason,
        arm=d.arm,  # type: ignore[arg-type]
        explored=d.explored and d.offer_id is not None,
        expected_value=d.ev if d.offer_id else None,
        lift=d.lift if d.offer_id else None,
        cost=d.cost if d.offer_id else None,
        score=d.score if d.offer_id else None,
    )


@router.post("/decisions/{decision_id}/outcome")
def outcome(
    decision_id: Annotated[str, Path(examples=["d-7f3a9c"], description="As /v1/decisions gave")],
    body: OutcomeRequest,
    decider: DeciderDep,
) -> OutcomeAnswer:
    """Record the customer's response to a decision; a purchase is stored as an order, so
    ``cvm campaign measure rt.<offer_id>`` counts it in the decision's arm."""
    when = body.ts
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    try:
        found = decider.outcome(
            decision_id,
            converted=body.converted,
            revenue=body.revenue,
            order_id=body.order_id,
            ts=when,
        )
    except UnknownDecisionError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return OutcomeAnswer.model_validate(found)
