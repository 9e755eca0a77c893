"""Answers of GET /v1/profiles (the live profiles), with examples."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from cvm.api.schemas import Answer, UtcTime

__all__ = ["LiveProfile", "LiveScores", "ProfileEvent", "ProfileEvents"]


class LiveScores(Answer):
    """The customer's scores with the newest fitted CLV run's parameters, as of the profile's
    day. ``available`` false (with the ``reason``) when there is no fitted model or no
    purchase yet: the numbers are then null, never 0."""

    available: bool
    reason: str | None = None
    run_id: str | None = None
    model: str | None = None
    fitted_as_of: str | None = Field(None, description="The run's cutoff (its fit's data)")
    time_unit: str | None = Field(None, description="Unit of recency and t: D or W")
    frequency: float | None = None
    recency: float | None = None
    t: float | None = None
    monetary: float | None = None
    expected_purchases: float | None = Field(None, description="Over the run's horizon")
    p_alive: float | None = None
    expected_spend: float | None = None
    clv: float | None = None
    spend_imputed: bool | None = None


class LiveProfile(Answer):
    """The live 360 profile: refreshed within a second of the customer's committed events."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "customer_id": "C0000008",
                "as_of": "2025-12-31",
                "updated_at": "2025-12-31 10:15:02.118",
                "ids": [
                    {"source": "email", "id": "ada@example.org"},
                    {"source": "user", "id": "C0000008"},
                ],
                "merged_ids": ["C0004411"],
                "consent": {"email": True, "sms": False, "push": False, "mail": False},
                "lifecycle": "active",
                "segments": ["newsletter"],
                "segments_not_live": ["gold_at_risk"],
                "scores": {
                    "available": True,
                    "reason": None,
                    "run_id": "clv-20251231T020000-1a2b3c",
                    "model": "mbgnbd",
                    "fitted_as_of": "2025-12-31",
                    "time_unit": "D",
                    "frequency": 12.0,
                    "recency": 954.0,
                    "t": 1044.0,
                    "monetary": 23.4,
                    "expected_purchases": 3.31,
                    "p_alive": 0.868,
                    "expected_spend": 25.31,
                    "clv": 23.94,
                    "spend_imputed": False,
                },
                "profile": {"orders": 14, "revenue": 328.8, "days_since_last": 90},
            }
        },
    )

    customer_id: str
    as_of: str = Field(description="The day the profile describes")
    updated_at: str = Field(description="When it was refreshed (UTC)")
    ids: list[dict[str, str]] = Field(description="Every id resolved to this customer")
    merged_ids: list[str] = Field(description="Customer ids merged into this one")
    consent: dict[str, bool | None]
    lifecycle: str | None
    segments: list[str] = Field(description="Rule segments that read only the profile")
    segments_not_live: list[str] = Field(
        description="Rule segments that need the whole population (RFM, tiers): `cvm segment`"
    )
    scores: LiveScores
    profile: dict[str, Any] = Field(description="The profile columns (README, 'Rule segments')")


class ProfileEvent(Answer):
    """One stored event of the customer (Segment spec)."""

    message_id: str
    type: str
    event: str | None
    ts: UtcTime
    user_id: str | None
    anonymous_id: str | None
    properties: Any = None
    context: Any = None


class ProfileEvents(Answer):
    """A page of the customer's events, newest first; ``next`` is the next page's link."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "customer_id": "C0000008",
                "events": [
                    {
                        "message_id": "m-2",
                        "type": "track",
                        "event": "Order Completed",
                        "ts": "2025-12-31T10:15:01",
                        "user_id": "C0000008",
                        "anonymous_id": None,
                        "properties": {"order_id": "o-2", "revenue": 40.0},
                        "context": None,
                    }
                ],
                "next": "/v1/profiles/C0000008/events?limit=1&cursor=WyIyMDI1LTEy",
            }
        },
    )

    customer_id: str
    events: list[ProfileEvent]
    next: str | None = Field(description="The next page; null on the last")
