"""Contracts whose monthly churn follows the shifted-beta-geometric model.

Each contract churns at the end of a month with its own probability ``theta ~ Beta(alpha,
beta)``; contracts still running at the end of the period have no ``ended`` (right-censored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cvm.datasets._draw import choice, id_width, ids, pick, take
from cvm.datasets.btyd import simulate_sbg_durations
from cvm.datasets.clock import Period
from cvm.datasets.customers import Population
from cvm.datasets.orders import Orders
from cvm.datasets.params import SimulationParams

MONTH_DAYS = 30.4375
PLAN_SHARES = (0.5, 0.3, 0.2)


@dataclass
class Subscriptions:
    frame: pd.DataFrame
    charges: Orders  # one order per paid month inside the period
    theta: np.ndarray


def make_subscriptions(
    rng: np.random.Generator,
    pop: Population,
    customer_ids: pd.Series,
    period: Period,
    params: SimulationParams,
    *,
    everyone: bool,
) -> Subscriptions:
    """Every customer subscribes at acquisition (``everyone``), or a share joins a membership."""
    n = pop.first_day.size
    if everyone:
        who = np.arange(n)
        started = pop.first_day.copy()
    else:
        who = np.flatnonzero(rng.random(n) < params.membership_share)
        age = period.days - pop.first_day[who]
        started = pop.first_day[who] + rng.random(who.size) * age
    drawn = simulate_sbg_durations(who.size, params.sbg_alpha, params.sbg_beta, rng)
    periods = drawn["periods"].to_numpy()
    end_day = started + periods * MONTH_DAYS
    censored = end_day >= period.days
    ended = np.where(censored, np.nan, end_day)
    shares = np.asarray(PLAN_SHARES[: len(params.plans)], dtype=float)
    plan = choice(rng, shares, who.size) if shares.size else np.zeros(who.size, np.int64)
    prices = np.array(list(params.plans.values()), dtype=float)
    frame = pd.DataFrame(
        {
            "subscription_id": ids("S", np.arange(1, who.size + 1), id_width(who.size)),
            "customer_id": take(customer_ids, who),
            "plan": pick(list(params.plans), plan),
            "started": period.timestamps(started),
            "ended": period.timestamps(ended),
            "monthly_amount": prices[plan],
        }
    )
    if everyone:
        months = np.minimum(periods, np.ceil((period.days - started) / MONTH_DAYS).astype(np.int64))
        sub = np.repeat(np.arange(who.size), months)
        k = np.arange(sub.size) - np.repeat(np.cumsum(months) - months, months)
        charges = Orders(who[sub], started[sub] + k * MONTH_DAYS, prices[plan][sub], plan[sub])
    else:
        empty = np.zeros(0, dtype=np.int64)
        charges = Orders(empty, np.zeros(0), np.zeros(0), empty)
    return Subscriptions(frame, charges, drawn["theta"].to_numpy())
