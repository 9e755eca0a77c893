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
    "ArmRow",
    "CampaignMeasurement",
    "CampaignRow",
    "Campaigns",
    "CustomerCard",
    "EffectRow",
    "ErasureResult",
    "ErrorBody",
    "Health",
    "KpiSnapshot",
    "MoneyRow",
    "NextBestAction",
    "OfferDecision",
    "PlanAction",
    "PlanDetail",
    "PlanRow",
    "Plans",
    "PrivacyExport",
    "PrivacyRequest",
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


# --- /v1 reads: campaigns, plans, privacy ------------------------------------------------


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]
"""A timestamp stored in UTC without a zone, answered with its zone (RFC 3339 date-time)."""


class CampaignRow(Answer):
    """A campaign with its status and arm sizes (``cvm campaign list``)."""

    campaign_id: str
    name: str | None
    offer_id: str | None
    channel: str | None
    status: str = Field(description="draft, built, running, completed...")
    starts: UtcDateTime | None
    ends: UtcDateTime | None
    response_days: int | None
    control_fraction: float | None
    treated: int
    control: int
    contacts: int

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"campaign_id": "CMP0001", "name": "Reactivation offer", "offer_id": "OFF10",
                 "channel": "email", "status": "completed", "starts": "2025-03-01T00:00:00",
                 "ends": "2025-03-31T00:00:00", "response_days": 30,
                 "control_fraction": 0.2, "treated": 174, "control": 43, "contacts": 174}
            ]
        }
    )  # fmt: skip


class Campaigns(Answer):
    """Every campaign, by start day."""

    campaigns: list[CampaignRow]


class ArmRow(Answer):
    """One arm of a measured campaign."""

    arm: str
    customers: int
    contacted: int | None
    conversions: int | None
    conversion_rate: float | None
    revenue: float | None
    revenue_per_customer: float | None
    visits_per_customer: float | None
    margin_per_customer: float | None


class EffectRow(Answer):
    """One treatment arm against the control on one metric, with its interval and p-values."""

    arm: str
    metric: str = Field(description="conversion, revenue, revenue_bootstrap, margin")
    control: float | None
    treatment: float | None
    lift: float | None
    lower: float | None
    upper: float | None
    relative: float | None
    p_value: float | None
    p_adjusted: float | None = Field(description="Holm-adjusted")
    significant: bool | None
    level: float | None = Field(description="Confidence level of the interval")


class MoneyRow(Answer):
    """Incremental conversions, revenue and margin of a treatment arm, its cost and ROI."""

    arm: str
    incremental_conversions: float | None
    incremental_revenue: float | None
    incremental_margin: float | None
    cost: float | None
    roi: float | None = Field(description="null when the arm cost nothing (roi_note says)")
    roi_note: str | None = None


class CampaignMeasurement(Answer):
    """What ``cvm campaign measure`` prints: arms, lifts, money and ROI, by segment.

    An imported campaign (or one measured on a named ``outcome``) answers ``outcome`` rows
    instead of ``arms``/``effects``/``money``: one per treatment arm.
    """

    campaign_id: str
    run_id: str | None = Field(None, description="The measurement run this answer stored")
    alpha: float
    arms: list[ArmRow] = []
    effects: list[EffectRow] = []
    money: list[MoneyRow] = []
    segments: list[dict[str, Any]] = []
    outcome: list[dict[str, Any]] | None = None
    warnings: list[str] = []

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"campaign_id": "CMP0001", "run_id": "campaign-20251130T120000-ab12cd",
                 "alpha": 0.05,
                 "arms": [{"arm": "control", "customers": 43, "contacted": 0, "conversions": 8,
                           "conversion_rate": 0.186, "revenue": 446.32,
                           "revenue_per_customer": 10.38, "visits_per_customer": 0.395,
                           "margin_per_customer": 3.11}],
                 "effects": [{"arm": "treatment", "metric": "conversion", "control": 0.186,
                              "treatment": 0.224, "lift": 0.038, "lower": -0.113,
                              "upper": 0.150, "relative": 0.205, "p_value": 0.587,
                              "p_adjusted": 0.587, "significant": False, "level": 0.95}],
                 "money": [{"arm": "treatment", "incremental_conversions": 6.6,
                            "incremental_revenue": 42.45, "incremental_margin": 12.74,
                            "cost": 0.0, "roi": None, "roi_note": "no cost"}],
                 "segments": [], "outcome": None, "warnings": []}
            ]
        }
    )  # fmt: skip


class PlanRow(Answer):
    """A stored plan: day, budget, how many customers got an action, spend and value."""

    run_id: str
    as_of: UtcDateTime
    budget: float | None
    method: str
    customers: int
    offers: int
    chosen: int = Field(description="Customers with an action")
    spent: float
    objective: float
    expected_value: float = Field(description="Expected incremental value of the actions")
    bound: float | None
    gap: float | None = Field(description="Optimality gap")
    created_at: UtcDateTime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"run_id": "plan-20251130T120000-369aee", "as_of": "2025-12-31T00:00:00",
                 "budget": 1500.0, "method": "exact", "customers": 660, "offers": 4,
                 "chosen": 141, "spent": 60.22, "objective": 109.31, "expected_value": 104.40,
                 "bound": 109.31, "gap": 0.0, "created_at": "2025-11-30T12:00:00"}
            ]
        }
    )  # fmt: skip


class Plans(Answer):
    """Every stored plan, newest first."""

    plans: list[PlanRow]


class PlanAction(Answer):
    """The customers a plan gives one offer, their cost and expected incremental value."""

    offer_id: str
    channel: str
    customers: int
    cost: float | None
    expected_value: float | None


class PlanDetail(PlanRow):
    """One stored plan with its actions by offer, capacities and budget-value curve."""

    actions: list[PlanAction]
    capacities: dict[str, Any] | None
    curve: list[dict[str, Any]] | None
    catalog: list[dict[str, Any]] | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"run_id": "plan-20251130T120000-369aee", "as_of": "2025-12-31T00:00:00",
                 "budget": 1500.0, "method": "exact", "customers": 660, "offers": 4,
                 "chosen": 141, "spent": 60.22, "objective": 109.31, "expected_value": 104.40,
                 "bound": 109.31, "gap": 0.0, "created_at": "2025-11-30T12:00:00",
                 "actions": [{"offer_id": "winback-email", "channel": "email", "customers": 141,
                              "cost": 60.22, "expected_value": 104.40}],
                 "capacities": {"email": 20000},
                 "curve": [{"budget": 1500.0, "value": 104.40, "customers": 141}],
                 "catalog": [{"id": "winback-email", "kind": "winback", "channel": "email"}]}
            ]
        }
    )  # fmt: skip


class PrivacyRequest(BaseModel):
    """A data subject's identifier, in the body so that it never appears in a URL or a log."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"customer": "ann@example.com"}]}
    )

    customer: str = Field(
        min_length=1,
        max_length=512,
        description="Customer id, e-mail, phone, anonymous id or CRM id",
    )


class PrivacyExport(Answer):
    """Every stored row about the customer, by table (the right of access)."""

    tables: dict[str, list[dict[str, Any]]]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"tables": {"customers": [{"customer_id": "007", "country": "US"}],
                            "transactions": [{"transaction_id": "t1", "customer_id": "007",
                                              "amount": 25.0}]}}
            ]
        }
    )  # fmt: skip


class ErasureResult(Answer):
    """What an erasure deleted and redacted; the database file keeps no byte of the customer
    once it is rebuilt (``compaction``)."""

    customer_id: str = Field(description="The customer erased (a merged-away id is followed)")
    rows: dict[str, int] = Field(description="Rows deleted per table")
    redacted: dict[str, int] = Field(description="Rows where a mention was replaced")
    files_redacted: int
    files_removed: int
    files_not_ours: int = Field(description="Files cvm did not write that still name them")
    identifiers: int = Field(description="Identifiers ingest now refuses")
    compaction: str = Field(description="When the database file is rebuilt without the rows")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"customer_id": "007", "rows": {"customers": 1, "transactions": 2},
                 "redacted": {}, "files_redacted": 0, "files_removed": 0, "files_not_ours": 0,
                 "identifiers": 2,
                 "compaction": "when the server stops (or `cvm privacy compact` while it is"
                               " stopped)"}
            ]
        }
    )  # fmt: skip
