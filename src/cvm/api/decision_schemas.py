"""Requests and answers of POST /v1/decisions and its outcomes, with examples."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cvm.api.schemas import Answer, UtcTime

__all__ = ["DecisionAnswer", "DecisionRequest", "OutcomeAnswer", "OutcomeRequest"]


class DecisionRequest(BaseModel):
    """Who is on which channel now; ``customer_id`` or an ``anonymous_id`` linked to one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"customer_id": "C00042", "channel": "email"}]},
    )

    customer_id: str | None = Field(None, min_length=1, max_length=256)
    anonymous_id: str | None = Field(None, min_length=1, max_length=256)
    channel: Literal["email", "sms", "push", "mail"]
    placement: str | None = Field(None, max_length=128, description="Where the offer would show")
    context: dict[str, Any] | None = Field(None, description="Logged with the decision")

    @model_validator(mode="after")
    def _someone(self) -> DecisionRequest:
        if not self.customer_id and not self.anonymous_id:
            raise ValueError("give customer_id or anonymous_id")
        return self


class DecisionAnswer(Answer):
    """The next best action: an offer, or none, with the reason and the decision's id."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"decision_id": "d-7f3a9c", "ts": "2026-11-29T10:00:00Z", "customer_id": "C00042",
                 "channel": "email", "action": "offer", "offer_id": "winback-email-15",
                 "reason": "highest expected incremental value", "arm": "treatment",
                 "explored": False, "expected_value": 3.2, "lift": 0.04, "cost": 1.5,
                 "score": 3.2}
            ]
        },
    )  # fmt: skip

    decision_id: str = Field(description="Send outcomes to /v1/decisions/{decision_id}/outcome")
    ts: UtcTime
    customer_id: str
    channel: str
    action: Literal["offer", "none"]
    offer_id: str | None = Field(description="null when the action is none")
    reason: str = Field(description="Why this offer, or why none (holdout, a policy, a rule)")
    arm: Literal["treatment", "control", "none"] = Field(
        description="control: held out (the real-time control group)"
    )
    explored: bool = Field(description="Chosen by a draw from the lift's posterior")
    expected_value: float | None = Field(description="lift x value - cost of the offer")
    lift: float | None
    cost: float | None
    score: float | None


class OutcomeRequest(BaseModel):
    """A response to a decision: a purchase (with its order id, so it is not counted twice
    when the shop's feed sends it too) or ``converted: false``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"converted": True, "order_id": "A1001", "revenue": 59.9}]},
    )

    converted: bool = True
    revenue: float | None = Field(None, ge=0, le=1e12, allow_inf_nan=False)
    order_id: str | None = Field(None, min_length=1, max_length=256)
    ts: datetime | None = Field(None, description="When it happened (default: now)")


class OutcomeAnswer(Answer):
    """The response as recorded, and the campaign arm it counts in."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"decision_id": "d-7f3a9c", "customer_id": "C00042",
                 "campaign_id": "rt.winback-email-15", "arm": "treatment", "converted": True,
                 "attributed": True, "transaction_id": "A1001"}
            ]
        },
    )  # fmt: skip

    decision_id: str
    customer_id: str
    campaign_id: str | None
    arm: str
    converted: bool
    attributed: bool = Field(description="Within the attribution window of the decision")
    transaction_id: str | None = Field(description="The order recorded for the purchase")
