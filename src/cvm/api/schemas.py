"""Every answer of the service, declared once: the OpenAPI document gives each route its schema.

Routes build these models from what the library returns. The fields are the library's
columns (a test compares them with live answers); a column the library adds later still
passes through (``extra="allow"``) rather than failing the request, until it is declared here.
Missing values are ``null``, never ``NaN`` nor ``0``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "CustomerCard",
    "ErrorBody",
    "Health",
    "KpiSnapshot",
    "NextBestAction",
    "OfferDecision",
    "RunScores",
    "SegmentRow",
    "Segments",
    "UtcTime",
]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_utc)]
"""A time the workspace stores in UTC, answered with its zone (``2025-12-31T00:00:00Z``):
a time without one is not an RFC 3339 date-time, which the schema promises."""


# Examples in the OpenAPI document: one realistic answer per model (a test validates each).
_SEGMENT: dict[str, Any] = {
    "kind": "tier",
    "segment": "gold",
    "customers": 120,
    "share": 0.2,
    "revenue": 48210.5,
    "clv": 39120.75,
    "mean_clv": 326.01,
    "mean_p_alive": 0.87,
    "mean_churn_risk": 0.12,
}
_KPIS: dict[str, Any] = {
    "as_of": "2025-12-31T00:00:00Z",
    "period_start": "2025-12-01T00:00:00Z",
    "period_end": "2026-01-01T00:00:00Z",
    "active": 412,
    "new": 37,
    "retained": 351,
    "reactivated": 24,
    "churned": 58,
    "previous_active": 409,
    "retention_rate": 0.858,
    "churn_rate": 0.142,
    "repeat_customers": 375,
    "repeat_purchase_rate": 0.91,
    "customers_to_date": 600,
    "orders": 655,
    "revenue": 30212.4,
    "refunds": 412.0,
    "net_revenue": 29800.4,
    "average_order_value": 46.13,
    "purchase_frequency": 1.59,
    "revenue_per_customer": 73.33,
    "customer_equity": 195610.2,
    "equity_change": 0.031,
    "clv_run_id": "clv-20251231T120000-d4e5f6",
}
_CLV_SCORES: dict[str, Any] = {
    "model": "bgnbd",
    "run_id": "clv-20251231T120000-d4e5f6",
    "cutoff": "2025-12-31T00:00:00Z",
    "frequency": 4.0,
    "recency": 310.0,
    "t": 365.0,
    "monetary": 52.4,
    "expected_purchases": 1.8,
    "p_alive": 0.91,
    "expected_spend": 50.9,
    "clv": 412.6,
    "clv_lower": 301.2,
    "clv_upper": 540.3,
    "spend_imputed": False,
}
_CARD: dict[str, Any] = {
    "customer_id": "C0000042",
    "first_seen": "2024-03-14T00:00:00Z",
    "country": "DE",
    "acquisition_channel": "web",
    "consent_email": True,
    "consent_sms": False,
    "consent_push": None,
    "consent_mail": None,
    "attributes": {"loyalty_tier": "silver"},
    "orders": 5,
    "refunds": 0,
    "revenue": 262.0,
    "first_purchase": "2024-03-14T00:00:00Z",
    "last_purchase": "2025-11-09T00:00:00Z",
    "scores": {
        "clv": _CLV_SCORES,
        "segments": {"run_id": "segments-20251231T120000-a1b2c3", "tier": "gold"},
    },
}
_OFFER: dict[str, Any] = {
    "customer_id": "C0000042",
    "offer_id": "WINBACK10",
    "channel": "email",
    "status": "chosen",
    "reason": None,
    "propensity": 0.12,
    "lift": 0.04,
    "lift_source": "campaign CMP0001",
    "value": 412.6,
    "cost": 2.5,
    "weight": 1.0,
    "context": None,
    "ev": 14.0,
    "score": 14.0,
    "why": "highest expected incremental value among eligible offers",
}
_ACTION: dict[str, Any] = {
    "run_id": "plan-20251231T120000-0a1b2c",
    "customer_id": "C0000042",
    "chosen": "WINBACK10",
    "offers": [_OFFER],
}


class Answer(BaseModel):
    """The base of every JSON answer."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    """An error answer: one line saying what is wrong and what to do."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "unknown customer 'C0000042'"}]}
    )

    detail: str


class Health(Answer):
    """Is the service up, and is its workspace there (its folder's name, never its path)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "ok", "workspace": "shop", "database": True, "profiles_in_memory": True}
            ]
        }
    )

    status: Literal["ok"]
    workspace: str = Field(description="The workspace folder's name")
    database: bool = Field(description="Whether the workspace's database file exists")
    profiles_in_memory: bool = Field(
        False,
        description="Whether every live profile is held in memory yet (until then a profile"
        " read queries the table: slower, same answer)",
    )


class KpiSnapshot(Answer):
    """The KPIs of the period ending ``as_of`` against the period before it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_KPIS]})

    as_of: UtcTime
    period_start: UtcTime
    period_end: UtcTime = Field(description="The day after the period (exclusive)")
    active: int = Field(description="Customers with a purchase in the period")
    new: int
    retained: int
    reactivated: int
    churned: int
    previous_active: int
    retention_rate: float | None = Field(description="null when nobody was active before")
    churn_rate: float | None
    repeat_customers: int
    repeat_purchase_rate: float | None
    customers_to_date: int
    orders: int
    revenue: float
    refunds: float
    net_revenue: float = Field(description="Revenue less refunds")
    average_order_value: float | None
    purchase_frequency: float | None
    revenue_per_customer: float | None
    customer_equity: float | None = Field(description="Sum of CLV of the latest CLV run")
    equity_change: float | None
    clv_run_id: str | None = Field(description="null when there is no CLV run yet")


class SegmentRow(Answer):
    """One segment of one kind (rfm, tier, lifecycle, rules) in a segments run."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SEGMENT]})

    kind: str
    segment: str
    customers: int
    share: float | None
    revenue: float | None
    clv: float | None = Field(description="null when the run has no CLV")
    mean_clv: float | None
    mean_p_alive: float | None
    mean_churn_risk: float | None


class Segments(Answer):
    """Size and value of every segment of a segments run."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"run_id": "segments-20251231T120000-a1b2c3", "segments": [_SEGMENT]}]
        }
    )

    run_id: str
    segments: list[SegmentRow]


class RunScores(Answer):
    """A customer's row in the newest run of one kind; a score the run did not make is
    absent."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CLV_SCORES]})

    model: str | None = None
    run_id: str
    cutoff: UtcTime | None = None
    frequency: float | None = None
    recency: float | None = None
    t: float | None = None
    monetary: float | None = None
    expected_purchases: float | None = None
    p_alive: float | None = None
    expected_spend: float | None = None
    clv: float | None = None
    clv_lower: float | None = None
    clv_upper: float | None = None
    spend_imputed: bool | None = None
    revenue: float | None = None
    rfm: str | None = None
    segment: str | None = None
    tier: str | None = None
    lifecycle: str | None = None
    churn_risk: float | None = None
    churn_reasons: list[str] | None = None


class CustomerCard(Answer):
    """A customer's record, purchase totals and newest scores of each run kind."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CARD]})

    customer_id: str
    first_seen: UtcTime | None
    country: str | None
    acquisition_channel: str | None
    consent_email: bool | None
    consent_sms: bool | None
    consent_push: bool | None
    consent_mail: bool | None
    attributes: dict[str, Any] | None
    orders: int | None
    refunds: int | None
    revenue: float | None
    first_purchase: UtcTime | None
    last_purchase: UtcTime | None
    scores: dict[str, RunScores] = Field(description="By run kind: clv, segments, churn...")


class OfferDecision(Answer):
    """One offer weighed for the customer in a plan: its factors and why it won or lost."""

    model_config = ConfigDict(json_schema_extra={"examples": [_OFFER]})

    customer_id: str
    offer_id: str
    channel: str
    status: str = Field(description="chosen, eligible, ineligible...")
    reason: str | None
    propensity: float | None
    lift: float | None
    lift_source: str | None
    value: float | None
    cost: float | None
    weight: float | None
    context: float | None
    ev: float | None = Field(description="Expected incremental value: lift x value - cost")
    score: float | None
    why: str


class NextBestAction(Answer):
    """The customer's action in a stored plan, and every offer that was weighed."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ACTION]})

    run_id: str
    customer_id: str
    chosen: str | None = Field(description="The chosen offer; null when no action")
    offers: list[OfferDecision]
