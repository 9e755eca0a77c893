"""Turn a stored plan into campaigns: one per chosen offer, each with its control group."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cvm._exceptions import DataError
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["to_campaigns"]


def to_campaigns(
    ws: Workspace,
    run_id: str | None = None,
    *,
    starts: datetime | None = None,
    days: int = 14,
    response_days: int = 30,
    control_fraction: float | None = None,
    build: bool = True,
) -> list[Any]:
    """Create (and build) one campaign per offer chosen in the plan.

    An offer chosen for fewer customers than a campaign needs (a control and a treated one)
    is not handed over, with a warning: it could not be measured.

    The audience of each is the customers the plan chose for that offer; the campaign builder
    then randomizes a control group among them (``control_fraction``, default ``[decide]
    control_fraction``) and applies its contact policy. Campaign ids are
    ``<run_id>-<offer_id>``. Returns the :class:`cvm.campaigns.BuildResult` of each (or the
    designs when ``build`` is False).
    """
    from cvm.campaigns import Campaign, build_campaign, create_campaign
    from cvm.campaigns.build import MIN_ELIGIBLE
    from cvm.decide.explain import latest_plan

    run_id = run_id or latest_plan(ws)
    settings = ws.settings.decide
    fraction = control_fraction if control_fraction is not None else settings.control_fraction
    plan = ws.engine.rows(sql_file(__package__, "plan_as_of.sql"), {"run_id": run_id})
    if not plan:
        raise DataError(f"unknown plan {run_id!r}")
    start = starts or datetime.combine(plan[0][0] + timedelta(days=1), datetime.min.time())
    rows = ws.engine.rows(sql_file(__package__, "plan_chosen.sql"), {"run_id": run_id})
    if not rows:
        raise DataError(f"plan {run_id} chose nobody: nothing to hand over")
    out: list[Any] = []
    for offer_id, channel, customers, cost in rows:
        if len(customers) < MIN_ELIGIBLE:
            warnings.warn(
                f"plan {run_id}: offer {offer_id} went to {len(customers)} customer(s), too few"
                f" for a campaign with a control group (at least {MIN_ELIGIBLE}); not handed"
                " over",
                UserWarning,
                stacklevel=2,
            )
            continue
        campaign = Campaign(
            campaign_id=f"{run_id}-{offer_id}"[:64],
            name=f"{offer_id} from plan {run_id}",
            offer_id=offer_id,
            channel=channel,
            starts=start,
            ends=start + timedelta(days=days),
            response_days=response_days,
            control_fraction=fraction,
            cost_per_contact=float(cost),
        )
        out.append(create_campaign(ws, campaign, customers=customers))
    if build:
        return [build_campaign(ws, c.campaign_id) for c in out]
    return out
