"""A campaign's design: audience, offer, channel, dates, control group, strata and policy."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import DataError
from cvm.engines import sql_file

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cvm.workspace import Workspace

__all__ = [
    "CHANNELS",
    "STRATA",
    "Campaign",
    "campaign_exists",
    "create_campaign",
    "get_campaign",
    "list_campaigns",
]

CHANNELS = {"email": "email", "sms": "phone", "push": None, "mail": None}
"""Channels and the customers column a target list needs (None: the customer id suffices)."""
STRATA = ("value_tier", "acquisition_channel", "country")
"""Columns a campaign may stratify its assignment by."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Campaign:
    """Everything a campaign is, as stored in ``campaigns`` (the rest in ``definition``).

    ``arms`` maps each treatment arm to its share of the treated (several offers tested against
    one control); ``control_fraction`` or ``control_size`` sets the control group.
    """

    campaign_id: str
    channel: str
    starts: datetime
    ends: datetime
    response_days: int = 30
    control_fraction: float | None = 0.1
    control_size: int | None = None
    offer_id: str | None = None
    name: str | None = None
    arms: dict[str, float] = field(default_factory=lambda: {"treatment": 1.0})
    audience: dict[str, Any] = field(default_factory=lambda: {"kind": "all"})
    stratify_by: str | None = None
    overlap: str = "exclude"
    cost_per_contact: float = 0.0
    fixed_cost: float = 0.0
    margin_rate: float | None = None
    target_lift: float | None = None
    status: str = "draft"
    control_arm: str = "control"
    value_per_conversion: float | None = None
    outcomes: list[str] = field(default_factory=list)
    arm_column: str | None = None
    customer_column: str | None = None

    def definition(self) -> dict[str, Any]:
        keep = (
            "control_size",
            "arms",
            "audience",
            "stratify_by",
            "overlap",
            "cost_per_contact",
            "fixed_cost",
            "margin_rate",
            "target_lift",
            "control_arm",
            "value_per_conversion",
            "outcomes",
            "arm_column",
            "customer_column",
        )
        return {k: v for k, v in asdict(self).items() if k in keep}

    @property
    def window_end(self) -> datetime:
        """The last moment a response can be attributed: the end plus the response window."""
        return self.ends + pd.Timedelta(days=self.response_days)


def as_timestamp(value: Any, name: str) -> datetime:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{name}: cannot read {value!r} as a date (use YYYY-MM-DD)") from exc
    if ts is pd.NaT:
        raise DataError(f"{name} is required")
    return ts.tz_localize(None).to_pydatetime() if ts.tzinfo else ts.to_pydatetime()


def validate(c: Campaign) -> Campaign:
    """Check a design; every problem is a ``DataError`` naming the field."""
    if not _ID.match(c.campaign_id or ""):
        raise DataError(f"campaign id {c.campaign_id!r}: use 1-64 letters, digits, '_', '-' or '.'")
    if c.channel not in CHANNELS:
        raise DataError(f"channel {c.channel!r}: use one of {', '.join(CHANNELS)}")
    c.starts, c.ends = as_timestamp(c.starts, "starts"), as_timestamp(c.ends, "ends")
    if c.ends < c.starts:
        raise DataError(f"campaign ends ({c.ends:%Y-%m-%d}) before it starts ({c.starts:%Y-%m-%d})")
    if not isinstance(c.response_days, int) or c.response_days < 1:
        raise DataError(f"response_days must be a positive whole number, got {c.response_days!r}")
    if c.control_size is not None:
        if c.control_size < 1:
            raise DataError(f"control_size must be at least 1, got {c.control_size}")
        c.control_fraction = None
    elif c.control_fraction is None or not 0 < c.control_fraction < 1:
        raise DataError(
            f"control fraction must be within (0, 1) (exclusive), got {c.control_fraction!r}"
        )
    if not c.arms or any(not w > 0 for w in c.arms.values()):
        raise DataError("arms: give at least one treatment arm, each with a positive weight")
    if "control" in c.arms:
        raise DataError("arms: 'control' is reserved for the control group")
    if c.stratify_by is not None and c.stratify_by not in STRATA:
        raise DataError(f"stratify_by {c.stratify_by!r}: use one of {', '.join(STRATA)}")
    if c.overlap not in ("exclude", "error", "allow"):
        raise DataError(f"overlap {c.overlap!r}: use exclude, error or allow")
    margin_ok = c.margin_rate is None or 0 <= c.margin_rate <= 1
    if c.cost_per_contact < 0 or c.fixed_cost < 0 or not margin_ok:
        raise DataError("costs must be non-negative and margin_rate within [0, 1]")
    return c


def create_campaign(
    ws: Workspace, campaign: Campaign, *, customers: Iterable[str] | None = None
) -> Campaign:
    """Store a new campaign design (status ``draft``); nothing is assigned until ``build``.

    ``customers`` gives an explicit audience (customer ids); otherwise ``campaign.audience``
    says who: ``{"kind": "all"}`` (every customer) or ``{"kind": "rule", "rule": "<SQL
    predicate over the customer profile>"}``. Unknown customer ids are an error.
    """
    validate(campaign)
    if campaign_exists(ws, campaign.campaign_id):
        raise DataError(f"campaign {campaign.campaign_id!r} already exists")
    ids = None
    if customers is not None:
        ids = pd.DataFrame({"customer_id": pd.Series(list(customers), dtype="string")})
        if ids.empty:
            raise DataError(f"campaign {campaign.campaign_id!r}: the audience list is empty")
        campaign.audience = {"kind": "list", "size": int(ids["customer_id"].nunique())}
    elif campaign.audience.get("kind") not in ("all", "rule", "segment"):
        raise DataError(
            f"audience {campaign.audience!r}: use a customer list, all, rule or segment"
        )
    elif campaign.audience.get("kind") == "rule":
        from cvm.rules import check

        # refused now if it is not a rule at all; its columns are checked at build
        check(str(campaign.audience.get("rule", "")), f"campaign {campaign.campaign_id!r} rule")
    engine = ws.engine
    with engine.transaction():
        if ids is not None:
            with engine.register("new_audience", ids):
                unknown = engine.rows(sql_file(__package__, "audience_unknown.sql"))
                if unknown:
                    shown = ", ".join(str(r[0]) for r in unknown[:5])
                    raise DataError(f"audience: unknown customer ids: {shown}")
                engine.run(
                    sql_file(__package__, "audience_insert.sql"),
                    {"campaign_id": campaign.campaign_id},
                )
        insert_campaign(ws, campaign)
    return campaign


def insert_campaign(ws: Workspace, c: Campaign) -> None:
    ws.engine.run(
        sql_file(__package__, "campaign_insert.sql"),
        {
            "campaign_id": c.campaign_id,
            "name": c.name,
            "offer_id": c.offer_id,
            "channel": c.channel,
            "audience": json.dumps(c.audience),
            "starts": c.starts,
            "ends": c.ends,
            "response_days": c.response_days,
            "control_fraction": c.control_fraction,
            "status": c.status,
            "definition": json.dumps(c.definition()),
        },
    )


def campaign_exists(ws: Workspace, campaign_id: str) -> bool:
    """Whether a campaign of this id is stored."""
    count = ws.engine.scalar(
        sql_file(__package__, "campaign_count.sql"), {"campaign_id": campaign_id}
    )
    return bool(count)


def get_campaign(ws: Workspace, campaign_id: str) -> Campaign:
    """The stored campaign, or a ``DataError`` naming the unknown id."""
    rows = ws.engine.rows(sql_file(__package__, "campaign_get.sql"), {"campaign_id": campaign_id})
    if not rows:
        raise DataError(f"unknown campaign {campaign_id!r} (see `cvm campaign list`)")
    cid, name, offer, channel, audience, starts, ends, days, frac, status, definition = rows[0]
    extra = json.loads(definition) if definition else {}
    known = set(Campaign.__dataclass_fields__)
    extra = {k: v for k, v in extra.items() if k in known}
    try:
        parsed_audience = json.loads(audience) if audience else {"kind": "all"}
    except json.JSONDecodeError:
        parsed_audience = {"kind": "described", "text": audience}
    if not isinstance(parsed_audience, dict):
        parsed_audience = {"kind": "described", "text": str(parsed_audience)}
    extra["audience"] = parsed_audience
    return Campaign(
        campaign_id=cid,
        name=name,
        offer_id=offer,
        channel=channel or "email",
        starts=starts,
        ends=ends,
        response_days=int(days or 30),
        control_fraction=frac,
        status=status,
        **{k: v for k, v in extra.items() if k not in ("control_fraction",)},
    )


def set_status(ws: Workspace, campaign_id: str, status: str) -> None:
    ws.engine.run(
        sql_file(__package__, "campaign_status.sql"),
        {"status": status, "campaign_id": campaign_id},
    )


def list_campaigns(ws: Workspace) -> pd.DataFrame:
    """One row per campaign with its arms' sizes and contacts so far."""
    return ws.engine.frame(sql_file(__package__, "campaign_list.sql"))
