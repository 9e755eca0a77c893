"""Every answer of the service, declared once: the OpenAPI document gives each route its schema.

Routes build these models from what the library returns. The fields are the library's
columns (a test compares them with live answers); a column the library adds later still
passes through (``extra="allow"``) rather than failing the request, until it is declared here.
Missing values are ``null``, never ``NaN`` nor ``0``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
]


class Answer(BaseModel):
    """The base of every JSON answer."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    """An error answer: one line saying what is wrong and what to do."""

    detail: str


class Health(Answer):
    """Is the service up, and is its workspace there (its folder's name, never its path)."""

    status: Literal["ok"]
    workspace: str = Field(description="The workspace folder's name")
    database: bool = Field(description="Whether the workspace's database file exists")


class KpiSnapshot(Answer):
    """The KPIs of the period ending ``as_of`` against the period before it."""

    as_of: datetime
    period_start: datetime
    period_end: datetime = Field(description="The day after the period (exclusive)")
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

    run_id: str
    segments: list[SegmentRow]


class RunScores(Answer):
    """A customer's row in the newest run of one kind; a score the run did not make is
    absent."""

    model: str | None = None
    run_id: str
    cutoff: datetime | None = None
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

    customer_id: str
    first_seen: datetime | None
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
    first_purchase: datetime | None
    last_purchase: datetime | None
    scores: dict[str, RunScores] = Field(description="By run kind: clv, segments, churn...")


class OfferDecision(Answer):
    """One offer weighed for the customer in a plan: its factors and why it won or lost."""

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

    run_id: str
    customer_id: str
    chosen: str | None = Field(description="The chosen offer; null when no action")
    offers: list[OfferDecision]
