"""Which (customer, offer) pairs may be planned, and if not, why.

An offer reaches a customer only when its eligibility rule holds (evaluated on a locked
database by :mod:`cvm.rules`), its product is among the customer's top recommendations, the
contact policy campaigns apply allows its channel (:func:`cvm.campaigns.policy.contact_policy`),
the customer is out of its cooldown, and the day is within its validity dates. The first
reason that holds is kept to explain the decision.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from cvm.campaigns.files import named
from cvm.decide.catalog import CHANNELS, Offer
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.rules import CheckedRule
    from cvm.workspace import Workspace

__all__ = ["cooldowns", "offer_columns", "pair_reasons", "policy_reasons", "rule_columns"]


def offer_columns(offers: list[Offer]) -> tuple[list[exp.Expression], dict[str, Any]]:
    """Recommended-product columns per offer and their parameters (the user's rules run
    apart: :func:`rule_columns`)."""
    parts: list[exp.Expression] = []
    params: dict[str, Any] = {}
    for k, o in enumerate(offers):
        if o.product:
            params[f"product_{k}"] = o.product
            column = fill(
                sql_file(__package__, "recommended_column.sql"),
                product=exp.Placeholder(this=f"product_{k}"),
            )
            parts.append(named(column.expressions[0].this, f"recommended_{k}"))
    return parts, params


def rule_columns(
    ws: Workspace, table: str, offers: list[Offer], rules: dict[str, CheckedRule]
) -> pd.DataFrame:
    """``eligible_<k>`` and ``context_<k>`` per customer of ``table``: the offers' eligibility
    and boost rules, evaluated on a locked database (:func:`cvm.rules.evaluate`)."""
    from cvm.rules import evaluate_arrow

    read = sorted({"customer_id"}.union(*(r.columns for r in rules.values())))
    query = fill(sql_file(__package__, "rule_inputs.sql"), columns=read, source=table)
    hits = evaluate_arrow(ws.engine.arrow(query), rules)
    out = pd.DataFrame(index=hits.index)
    for k, o in enumerate(offers):
        out[f"eligible_{k}"] = hits[f"eligible_{k}"] if o.eligible else True
        context = np.ones(len(hits))
        for j, b in enumerate(o.boosts):
            context *= np.where(hits[f"boost_{k}_{j}"].to_numpy(bool), float(b.factor), 1.0)
        out[f"context_{k}"] = context
    return out


def policy_reasons(ws: Workspace, as_of: date) -> pd.DataFrame:
    """Reason (or None) per customer of ``decide_customers`` and channel, from the contact
    policy campaigns apply (:func:`cvm.campaigns.policy.contact_policy`)."""
    from cvm.campaigns.policy import contact_policy

    when = datetime.combine(as_of, datetime.max.time())
    contact_policy(ws, "decide_customers", CHANNELS, when)
    frame = ws.engine.frame(sql_file(__package__, "policy_reasons.sql"))
    ws.engine.run(sql_file(__package__, "policy_drop.sql"))
    return frame.pivot(index="customer_id", columns="channel", values="reason")


def cooldowns(ws: Workspace, offers: list[Offer], as_of: date) -> pd.DataFrame:
    days = pd.DataFrame(
        {
            "offer_id": [o.id for o in offers if o.cooldown_days > 0],
            "days": [o.cooldown_days for o in offers if o.cooldown_days > 0],
        }
    )
    if days.empty:
        return pd.DataFrame(columns=["customer_id", "offer_id"])
    with ws.engine.register("decide_cooldowns_df", days):
        ws.engine.run(sql_file(__package__, "cooldown_days.sql"))
    when = datetime.combine(as_of, datetime.max.time())
    return ws.engine.frame(sql_file(__package__, "cooldown.sql"), {"as_of": when})


def pair_reasons(
    offers: list[Offer],
    frame: pd.DataFrame,
    policy: pd.DataFrame,
    cooldown: pd.DataFrame,
    day: date,
) -> np.ndarray:
    """Why each pair is ineligible (first reason), or None."""
    n, m = len(frame), len(offers)
    out = np.full((n, m), None, dtype=object)
    position = pd.Series(np.arange(n), index=frame.index)
    for k, o in enumerate(offers):
        col = out[:, k]
        if o.product:
            missing = ~frame[f"recommended_{k}"].to_numpy(bool)
            col[missing] = f"{o.product} not a top recommendation"
        rule = ~frame[f"eligible_{k}"].to_numpy(bool)
        col[rule] = f"rule: {o.eligible}"
        channel = policy[o.channel].to_numpy(object) if o.channel in policy else np.full(n, None)
        blocked = pd.notna(channel)
        col[blocked] = np.char.add(f"{o.channel} policy: ", channel[blocked].astype(str))
        if not cooldown.empty:
            ids = cooldown.loc[cooldown["offer_id"] == o.id, "customer_id"]
            idx = position.reindex(ids).dropna().to_numpy(int)
            col[idx] = f"cooldown {o.cooldown_days} days"
        if not o.valid_on(day):
            col[:] = f"not valid on {day} ({o.valid_from or '...'} to {o.valid_to or '...'})"
        out[:, k] = col
    return out
