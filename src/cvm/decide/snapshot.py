"""What real-time decisions read in memory: every (customer, offer) pair valued as the plan
values it, the policy state, the offers' posteriors, and the active plan's budget.

:func:`build_snapshot` runs the plan's own steps (:func:`cvm.decide.plan.value_pairs`: rules,
recommendations, the contact policy of campaigns, cooldowns, lifts and the value model) for
everyone at once, so a decision is a dictionary lookup and one row of arithmetic, never a scan.
It is rebuilt every ``[decide.realtime] refresh_seconds``; what decisions change in between
(contacts, cooldowns, spend) is counted on top of it by :mod:`cvm.decide.realtime`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cvm.decide.catalog import Offer, load_catalog
from cvm.decide.explore import Posteriors
from cvm.decide.plan import Pairs, value_pairs
from cvm.decide.value import Bases, offer_bases
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["PlanState", "Since", "Snapshot", "build_snapshot"]


@dataclass
class PlanState:
    """The active plan's limits left for real-time offers (None: no limit)."""

    run_id: str | None = None
    since: datetime | None = None
    budget_left: float = float("inf")
    channel_left: dict[str, float] = field(default_factory=dict)
    offer_left: np.ndarray | None = None


@dataclass
class Snapshot:
    """Everything a decision reads, as of ``built_at``."""

    built_at: datetime
    offers: list[Offer]
    rows: dict[str, int]
    lift: np.ndarray  # (customers, offers) lift before the value model bounds it
    source: np.ndarray  # (customers, offers) index into LIFT_SOURCES
    context: np.ndarray  # (customers, offers) context weight
    mean_order: float
    bases: Bases  # (customers, offers) what a pair's value depends on besides its lift
    reason_codes: np.ndarray  # (customers, offers) index into reason_texts; -1: eligible
    reason_texts: list[str]
    p_alive: np.ndarray
    expected_purchases: np.ndarray
    clv: np.ndarray
    order_value: np.ndarray
    last_7: np.ndarray
    last_30: np.ndarray
    posteriors: Posteriors
    plan: PlanState


@dataclass
class Since:
    """What real-time decisions changed since the snapshot: contacts (frequency caps),
    offers made (cooldowns), spend and counts (the plan's budget and capacities)."""

    contacts: dict[str, list[datetime]] = field(default_factory=dict)
    offered: dict[tuple[str, int], datetime] = field(default_factory=dict)
    spent: float = 0.0
    per_channel: dict[str, int] = field(default_factory=dict)
    per_offer: dict[int, int] = field(default_factory=dict)
    made: list[tuple[datetime, str, int, str, float]] = field(default_factory=list)

    def add(self, ts: datetime, cid: str, k: int, channel: str, cost: float) -> None:
        self.made.append((ts, cid, k, channel, cost))
        self.contacts.setdefault(cid, []).append(ts)
        self.offered[(cid, k)] = ts
        self.spent += cost
        self.per_channel[channel] = self.per_channel.get(channel, 0) + 1
        self.per_offer[k] = self.per_offer.get(k, 0) + 1

    def after(self, start: datetime) -> Since:
        """What was decided from ``start`` on: a snapshot begun then may not have read it
        (counted twice at worst, which only errs towards fewer contacts)."""
        kept = Since()
        for event in self.made:
            if event[0] >= start:
                kept.add(*event)
        return kept


def _posteriors(
    ws: Workspace, offers: list[Offer], pairs: Pairs, strength: float, now: datetime
) -> Posteriors:
    f = pairs.factors
    base = np.nan_to_num(np.nanmean(f.propensity.astype(float), axis=0), nan=0.0)
    lift = np.nan_to_num(np.nanmean(f.lift.astype(float), axis=0), nan=0.0)
    post = Posteriors.prior(base, lift, strength)
    where = {o.id: k for k, o in enumerate(offers)}
    for offer_id, control, customers, responders in ws.engine.rows(
        sql_file(__package__, "realtime_responses.sql"), {"now": now}
    ):
        k = where.get(str(offer_id))
        if k is None:
            continue
        post.set_counts(k, treated=not control, customers=customers, responders=responders)
    return post


def _plan_state(ws: Workspace, offers: list[Offer], use_plan: bool) -> PlanState:
    found = ws.engine.one(sql_file(__package__, "realtime_plan.sql")) if use_plan else None
    if not found:
        return PlanState()
    run_id, budget, spent, capacities, created = found
    used = {
        str(r[0]): (int(r[1]), int(r[2]), float(r[3]))
        for r in ws.engine.rows(
            sql_file(__package__, "realtime_plan_use.sql"), {"run_id": run_id, "since": created}
        )
    }
    made_cost = sum(u[2] for u in used.values())
    left = float("inf") if budget is None else float(budget) - float(spent) - made_cost
    per_channel: dict[str, float] = {}
    for channel, cap in (json.loads(capacities) if capacities else {}).items():
        taken = sum(u[0] + u[1] for o, u in used.items() if _channel(offers, o) == channel)
        per_channel[str(channel)] = float(cap) - taken
    offer_left = np.array(
        [
            float("inf") if o.capacity is None else o.capacity - sum(used.get(o.id, (0, 0))[:2])
            for o in offers
        ]
    )
    return PlanState(str(run_id), created, left, per_channel, offer_left)


def _channel(offers: list[Offer], offer_id: str) -> str | None:
    return next((o.channel for o in offers if o.id == offer_id), None)


def build_snapshot(ws: Workspace, now: datetime, offers: list[Offer] | None = None) -> Snapshot:
    """Value every pair and read the state decisions need, as of ``now`` (a naive UTC time).

    Scores and profiles are as of the newest data day when the data stop before today (CLV is
    not fitted past its data); the contact policy, cooldowns and validity as of today."""
    from cvm.segments import default_as_of

    settings = ws.settings.decide
    offers = offers if offers is not None else load_catalog(ws)
    day = min(now.date(), default_as_of(ws))
    pairs = value_pairs(ws, offers, day, settings, policy_day=now.date())
    frame = pairs.frame
    # why each pair is ineligible, as codes: millions of objects would slow every collection
    codes, texts = pd.factorize(pd.Series(pairs.reasons.ravel(), dtype=object))
    ids = frame.index.astype(str)
    rows = dict(zip(ids, range(len(ids)), strict=True))
    recent = ws.engine.frame(sql_file(__package__, "realtime_recent.sql"), {"now": now})
    recent = recent.set_index("customer_id").reindex(frame.index).fillna(0)
    p_alive = frame["p_alive"].to_numpy(float)
    expected_purchases = frame["expected_purchases"].to_numpy(float)
    clv = frame["clv"].to_numpy(float)
    order_value = frame["order_value"].to_numpy(float)
    bases = offer_bases(
        offers,
        settings,
        p_alive=p_alive,
        expected_purchases=expected_purchases,
        clv=clv,
        order_value=order_value,
        lift_source=pairs.source,
        mean_order=pairs.mean_order,
    )
    return Snapshot(
        built_at=now,
        offers=offers,
        rows=rows,
        lift=pairs.lift,
        source=pairs.source,
        context=pairs.context,
        mean_order=pairs.mean_order,
        bases=bases,
        reason_codes=codes.reshape(pairs.reasons.shape).astype(np.int32),
        reason_texts=[str(t) for t in texts],
        p_alive=p_alive,
        expected_purchases=expected_purchases,
        clv=clv,
        order_value=order_value,
        last_7=recent["last_7"].to_numpy(np.int64),
        last_30=recent["last_30"].to_numpy(np.int64),
        posteriors=_posteriors(ws, offers, pairs, settings.realtime.prior_strength, now),
        plan=_plan_state(ws, offers, settings.realtime.use_plan),
    )
