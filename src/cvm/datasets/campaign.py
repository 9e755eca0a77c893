"""One past randomized campaign whose true effect differs by customer type.

Every eligible customer gets both potential outcomes: the purchases they make without the
campaign (the BG/NBD process) and with it. For a type with a positive effect ``d`` the treatment
adds one purchase in the response window with probability ``d``; with a negative effect it
cancels every purchase the customer would have made in the window with probability ``-d``. The
treatment arm's outcomes are the ones written to the transactions; the truth reports the sample
average effects over all eligible customers (SATE), overall and per type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cvm.datasets._draw import pick, take, text
from cvm.datasets.clock import Period
from cvm.datasets.customers import Population
from cvm.datasets.orders import Orders, spend
from cvm.datasets.params import CUSTOMER_TYPES, SimulationParams

CAMPAIGN_ID = "CMP0001"


@dataclass
class Campaign:
    orders: Orders  # the orders after the campaign's effect on the treatment arm
    campaigns: pd.DataFrame
    assignments: pd.DataFrame
    truth: dict[str, Any]


def run_campaign(
    rng: np.random.Generator,
    orders: Orders,
    pop: Population,
    dropout_day: np.ndarray,
    customers: pd.DataFrame,
    period: Period,
    params: SimulationParams,
) -> Campaign:
    """Assign eligible customers at random, apply the effect to the treated, report the truth."""
    n = pop.first_day.size
    start = float(np.floor(params.campaign_at * period.days))
    stop = min(start + params.response_days, period.days)
    eligible = (
        (pop.first_day < start) & customers["consent_email"].to_numpy(bool) & (dropout_day > start)
    )
    members = np.flatnonzero(eligible)
    n_control = round(params.control_fraction * members.size)
    control = np.zeros(n, bool)
    control[rng.permutation(members)[:n_control]] = True
    treated = eligible & ~control

    effect = np.array([params.campaign_effects[t] for t in CUSTOMER_TYPES])[pop.customer_type]
    hit = eligible & (rng.random(n) < np.abs(effect))
    adds = hit & (effect > 0)
    cancels = hit & (effect < 0)

    in_window = (orders.day >= start) & (orders.day < stop) & (orders.plan < 0)
    window_rev = np.bincount(orders.customer[in_window], orders.amount[in_window], minlength=n)
    window_cnt = np.bincount(orders.customer[in_window], minlength=n)
    extra_customer = np.flatnonzero(adds)
    extra = Orders(
        extra_customer,
        rng.uniform(start, stop, extra_customer.size),
        spend(rng, params.p, pop.nu[extra_customer]),
        np.full(extra_customer.size, -1),
    )
    extra_rev = np.zeros(n)
    extra_rev[extra_customer] = extra.amount
    y0 = window_cnt > 0
    y1 = np.where(cancels, False, y0 | adds)
    rev0 = window_rev
    rev1 = np.where(cancels, 0.0, rev0 + extra_rev)

    dropped = in_window & (cancels & treated)[orders.customer]
    kept = orders.take(~dropped)
    applied = kept.concat(extra.take(treated[extra.customer])).sorted()

    start_ts = period.timestamps(np.array([start]))[0]
    stop_ts = period.timestamps(np.array([stop]))[0]
    assignments = pd.DataFrame(
        {
            "campaign_id": CAMPAIGN_ID,
            "customer_id": take(customers["customer_id"], members),
            "arm": pick(("treatment", "control"), control[members].astype(np.int64)),
            "stratum": text(pa.nulls(members.size, pa.large_string())),
            "assigned_at": pd.Series([start_ts] * members.size, dtype="datetime64[s]"),
        }
    )
    definition = {"offer": "10% off the next order", "eligibility": _AUDIENCE}
    campaigns = pd.DataFrame(
        {
            "campaign_id": [CAMPAIGN_ID],
            "name": ["Reactivation offer"],
            "offer_id": ["OFF10"],
            "channel": ["email"],
            "audience": [_AUDIENCE],
            "starts": pd.Series([start_ts], dtype="datetime64[s]"),
            "ends": pd.Series([stop_ts], dtype="datetime64[s]"),
            "response_days": [int(stop - start)],
            "control_fraction": [params.control_fraction],
            "status": ["completed"],
            "definition": [json.dumps(definition)],
        }
    )
    truth = {
        "campaign_id": CAMPAIGN_ID,
        "starts": str(start_ts),
        "ends": str(stop_ts),
        "eligible": int(members.size),
        "control": int(n_control),
        "treatment": int(members.size - n_control),
        "effect_probability": dict(params.campaign_effects),
        "effect_definition": (
            "positive: probability the treatment adds one purchase in the window; negative: "
            "probability it cancels every purchase the customer would have made in the window"
        ),
        "sate_conversion": _mean(y1, y0, eligible),
        "sate_revenue_per_customer": _mean(rev1, rev0, eligible),
        "by_type": {
            name: {
                "eligible": int((eligible & (pop.customer_type == k)).sum()),
                "sate_conversion": _mean(y1, y0, eligible & (pop.customer_type == k)),
                "sate_revenue_per_customer": _mean(rev1, rev0, eligible & (pop.customer_type == k)),
                "baseline_conversion": _share(y0, eligible & (pop.customer_type == k)),
            }
            for k, name in enumerate(CUSTOMER_TYPES)
        },
        "baseline_conversion": _share(y0, eligible),
        "incremental_orders_added": int((adds & treated).sum()),
        "orders_cancelled": int(dropped.sum()),
    }
    return Campaign(applied, campaigns, assignments, truth)


_AUDIENCE = "acquired before the start, e-mail consent, still active"


def _mean(y1: np.ndarray, y0: np.ndarray, mask: np.ndarray) -> float:
    if not mask.any():
        return 0.0
    return float(np.mean(y1[mask].astype(float) - y0[mask].astype(float)))


def _share(y: np.ndarray, mask: np.ndarray) -> float:
    return float(np.mean(y[mask])) if mask.any() else 0.0
