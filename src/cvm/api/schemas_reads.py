"""The answers of the /v1 reads (campaigns, plans, privacy), declared as ``schemas.py`` declares
the others: the library's columns, ``null`` for what is missing, extra columns passed through.
Timestamps are answered with their zone (RFC 3339), as the OpenAPI ``date-time`` format says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cvm.api.schemas import Answer

__all__ = [
    "ArmRow",
    "CampaignMeasurement",
    "CampaignRow",
    "Campaigns",
    "EffectRow",
    "ErasureResult",
    "MoneyRow",
    "PlanAction",
    "PlanDetail",
    "PlanRow",
    "Plans",
    "PrivacyExport",
    "PrivacyRequest",
    "UtcDateTime",
]


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
    arms: list[ArmRow] = Field(default_factory=list)
    effects: list[EffectRow] = Field(default_factory=list)
    money: list[MoneyRow] = Field(default_factory=list)
    segments: list[dict[str, Any]] = Field(default_factory=list)
    outcome: list[dict[str, Any]] | None = None
    warnings: list[str] = Field(default_factory=list)

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
