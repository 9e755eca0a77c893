"""The log of real-time decisions: each answer, its campaign arm and contact, and responses.

:func:`write_decisions` stores a batch in one transaction (see ``sql/realtime_log.sql``: the
decision, the campaign ``rt.<offer_id>`` on its first decision, the customer's assignment on
their first decision of it, a contact for every offer made). :func:`record_outcome` stores a
reported response; a purchase becomes an order, so measurement attributes it like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cvm._exceptions import DataError
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["Decision", "UnknownDecisionError", "record_outcome", "write_decisions"]


class UnknownDecisionError(DataError):
    """No decision of that id was made."""


@dataclass
class Decision:
    """One answer: the offer (None: none), why, and the numbers behind it."""

    decision_id: str
    ts: datetime
    customer_id: str
    channel: str
    offer_id: str | None
    reason: str
    arm: str  # treatment (offered), control (held out), none (nothing to offer)
    would_offer: str | None = None
    score: float | None = None
    ev: float | None = None
    lift: float | None = None
    cost: float | None = None
    explored: bool = False
    anonymous_id: str | None = None
    placement: str | None = None
    context: dict[str, Any] | None = None
    unit_cost: float | None = None


def write_decisions(
    ws: Workspace, pending: list[Decision], window_days: int, holdout_share: float
) -> None:
    """Store ``pending`` decisions with their campaign arms and contacts (one transaction)."""
    # Arrow, not pandas: DuckDB reads Arrow without the interpreter's lock, so the requests
    # answered while the log is written do not wait for its five statements
    text, number = pa.string(), pa.float64()
    frame = pa.table(
        {
            "decision_id": pa.array([d.decision_id for d in pending], text),
            "ts": pa.array([d.ts for d in pending]),
            "customer_id": pa.array([d.customer_id for d in pending], text),
            "anonymous_id": pa.array([d.anonymous_id for d in pending], text),
            "channel": pa.array([d.channel for d in pending], text),
            "placement": pa.array([d.placement for d in pending], text),
            "arm": pa.array([d.arm for d in pending], text),
            "offer_id": pa.array(
                [d.would_offer if d.arm != "none" else None for d in pending], text
            ),
            "campaign_id": pa.array(
                [f"rt.{d.would_offer}" if d.arm != "none" else None for d in pending], text
            ),
            "score": pa.array([d.score for d in pending], number),
            "ev": pa.array([d.ev for d in pending], number),
            "lift": pa.array([d.lift for d in pending], number),
            "cost": pa.array([d.cost for d in pending], number),
            "unit_cost": pa.array([d.unit_cost for d in pending], number),
            "explored": pa.array([bool(d.explored) for d in pending], pa.bool_()),
            "reason": pa.array([d.reason for d in pending], text),
            "context": pa.array(
                [json.dumps(d.context) if d.context else None for d in pending], text
            ),
        }
    )
    engine = ws.engine
    with engine.transaction(), engine.register("realtime_new", frame):
        engine.script(
            sql_file(__package__, "realtime_log.sql"),
            {"response_days": window_days, "holdout_share": holdout_share},
        )


def record_outcome(
    ws: Workspace,
    decision_id: str,
    window_days: int,
    converted: bool,
    revenue: float | None,
    order_id: str | None,
    when: datetime,
) -> dict[str, Any]:
    """Store the response; returns the decision's customer, campaign, arm and offer, the
    order recorded, and whether it falls in the attribution window."""
    found = ws.engine.one(
        sql_file(__package__, "realtime_decision.sql"), {"decision_id": decision_id}
    )
    if not found:
        raise UnknownDecisionError(f"unknown decision {decision_id!r}")
    _, made, cid, channel, arm, offer_id, campaign_id = found
    if when < made:
        raise DataError(f"the outcome ({when}) is before the decision ({made})")
    transaction = (order_id or f"decision-{decision_id}") if converted else None
    attributed = converted and when < made + timedelta(days=window_days)
    ws.engine.script(
        sql_file(__package__, "realtime_outcome.sql"),
        {
            "decision_id": decision_id,
            "customer_id": cid,
            "ts": when,
            "converted": converted,
            "revenue": float(revenue or 0.0),
            "transaction_id": transaction,
            "channel": channel,
        },
    )
    return {
        "decision_id": decision_id,
        "customer_id": cid,
        "campaign_id": campaign_id,
        "offer_id": offer_id,
        "arm": arm,
        "converted": converted,
        "attributed": attributed,
        "transaction_id": transaction,
    }
