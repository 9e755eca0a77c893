"""``/v1/decisions``: the next best action for one customer on one channel, now, and the
responses that come back for it (:mod:`cvm.decide.realtime`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from cvm.api.decision_schemas import (
    DecisionAnswer,
    DecisionRequest,
    OutcomeAnswer,
    OutcomeRequest,
)
from cvm.decide.realtime import Decider, Decision, UnknownCustomerError, UnknownDecisionError
from cvm.workspace import Workspace

router = APIRouter(tags=["decisions"])
_starting = threading.Lock()


async def get_decider(request: Request) -> Decider:
    """The service's one decider, made on first use with its own cursor and writer thread;
    its first snapshot is built in a worker thread (the event loop goes on meanwhile)."""
    decider: Decider | None = getattr(request.app.state, "decider", None)
    if decider is None or decider.snapshot is None:
        decider = await run_in_threadpool(_start_decider, request.app)
    return decider


def _start_decider(app: FastAPI) -> Decider:
    state = app.state
    with _starting:
        decider: Decider | None = getattr(state, "decider", None)
        if decider is None:
            decider = Decider(state.owner.get().cursor())
            state.decider = decider  # consent changes reach it while its snapshot is built
            decider.current()
            decider.start()  # after the first snapshot, which it would otherwise build again
    decider.current()
    return decider


DeciderDep = Annotated[Decider, Depends(get_decider)]


def consent_hook(app: FastAPI) -> Callable[[Workspace, set[str]], None]:
    """An after-commit hook: the decider reads the consent of the customers a committed batch
    of events touched, and honours it from then on."""

    def changed(ws: Workspace, customer_ids: set[str]) -> None:
        decider: Decider | None = getattr(app.state, "decider", None)
        if decider is not None:
            decider.consent_changed(ws, customer_ids)

    return changed


def close_decider(app: FastAPI) -> None:
    """Write the pending decisions and stop the writer (at shutdown)."""
    decider: Decider | None = getattr(app.state, "decider", None)
    if decider is not None:
        decider.close()
        decider.ws.close()
        app.state.decider = None


@router.post("/decisions", response_model=DecisionAnswer)
async def decide(body: DecisionRequest, request: Request) -> Response:
    """The offer worth most for the customer on the channel now (eligibility, consent,
    contact policy, cooldowns, the active plan's budget), or none; held-out customers get
    none with reason ``holdout``. Every answer is logged under its ``decision_id``."""
    decider = await get_decider(request)

    def answer() -> Decision:
        return decider.decide(
            body.channel,
            body.customer_id,
            anonymous_id=body.anonymous_id,
            placement=body.placement,
            context=body.context,
        )

    try:
        if decider.in_memory(body.customer_id):  # on the event loop: memory only
            d = answer()
        else:  # an anonymous id or a customer the snapshot lacks: tables are read
            d = await run_in_threadpool(answer)
    except UnknownCustomerError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return Response(_answer(d).model_dump_json(), media_type="application/json")


def decide_in_memory(app: FastAPI, body: bytes) -> bytes | None:
    """The answer of ``POST /v1/decisions`` with ``body``, when the route would answer it
    from memory on the event loop; None when it would not (the body does not validate, no
    snapshot yet, an anonymous id, a customer the snapshot lacks): the route answers then."""
    decider: Decider | None = getattr(app.state, "decider", None)
    if decider is None or decider.snapshot is None:
        return None
    try:
        req = DecisionRequest.model_validate_json(body)
    except ValidationError:
        return None
    if req.anonymous_id is not None or not decider.in_memory(req.customer_id):
        return None
    d = decider.decide(req.channel, req.customer_id, placement=req.placement, context=req.context)
    return _answer(d).model_dump_json().encode()


def _answer(d: Decision) -> DecisionAnswer:
    offered = d.offer_id is not None
    return DecisionAnswer(
        decision_id=d.decision_id,
        ts=d.ts,
        customer_id=d.customer_id,
        channel=d.channel,
        action="offer" if offered else "none",
        offer_id=d.offer_id,
        reason=d.reason,
        arm=d.arm,  # type: ignore[arg-type]
        explored=d.explored and offered,
        expected_value=d.ev if offered else None,
        lift=d.lift if offered else None,
        cost=d.cost if offered else None,
        score=d.score if offered else None,
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
