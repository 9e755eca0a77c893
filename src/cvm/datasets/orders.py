"""Orders from the BG/NBD and Gamma-Gamma processes, then channels, refunds and ids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cvm.datasets._draw import categorical, id_width, ids, pick, take
from cvm.datasets.btyd import BgnbdPurchases, sample_bgnbd_purchases
from cvm.datasets.clock import Period
from cvm.datasets.customers import ORDER_CHANNEL_MIX, Population
from cvm.datasets.params import ORDER_CHANNELS, SimulationParams

REFUND_DAYS = (1.0, 14.0)


@dataclass
class Orders:
    """One entry per order; ``plan`` is the plan index of a subscription charge, -1 otherwise."""

    customer: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    plan: np.ndarray

    def __len__(self) -> int:
        return int(self.customer.size)

    def take(self, keep: np.ndarray) -> Orders:
        return Orders(self.customer[keep], self.day[keep], self.amount[keep], self.plan[keep])

    def concat(self, other: Orders) -> Orders:
        return Orders(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in _FIELDS))

    def sorted(self) -> Orders:
        return self.take(np.argsort(self.day, kind="stable"))


_FIELDS = ("customer", "day", "amount", "plan")


def spend(rng: np.random.Generator, p: float, nu: np.ndarray) -> np.ndarray:
    """Order amounts ``Gamma(p, rate=nu)`` rounded to cents (at least one cent)."""
    return np.maximum(np.round(rng.gamma(p, 1.0 / nu), 2), 0.01)


def purchase_orders(
    rng: np.random.Generator, pop: Population, period: Period, params: SimulationParams
) -> tuple[Orders, BgnbdPurchases]:
    """Each customer's first purchase at acquisition, then the BG/NBD repeat purchases."""
    n = pop.first_day.size
    age = period.days - pop.first_day
    repeats = sample_bgnbd_purchases(pop.lam, pop.p, age, rng)
    customer = np.concatenate([np.arange(n), repeats.customer])
    day = np.concatenate([pop.first_day, pop.first_day[repeats.customer] + repeats.time])
    day = np.minimum(day, np.nextafter(period.days, 0))
    orders = Orders(customer, day, spend(rng, params.p, pop.nu[customer]), np.full(day.size, -1))
    return orders, repeats


@dataclass
class Ledger:
    """Orders and refunds merged in time order, with their ids."""

    frame: pd.DataFrame  # the transactions table
    order_rows: np.ndarray  # row in ``frame`` of each order (aligned with the Orders given)


def ledger(
    rng: np.random.Generator,
    orders: Orders,
    pop: Population,
    customer_ids: pd.Series,
    period: Period,
    params: SimulationParams,
) -> Ledger:
    """The ``transactions`` table: orders on a channel, some refunded in full days later."""
    m = len(orders)
    channel = categorical(rng, ORDER_CHANNEL_MIX[pop.acquisition[orders.customer]])
    channel[orders.plan >= 0] = 0  # subscription charges are billed online
    refunded = (rng.random(m) < params.refund_rate) & (orders.plan < 0)
    refund_day = orders.day[refunded] + rng.uniform(*REFUND_DAYS, int(refunded.sum()))
    in_period = refund_day < period.days
    source = np.flatnonzero(refunded)[in_period]
    refund_day = refund_day[in_period]

    day = np.concatenate([orders.day, refund_day])
    is_refund = np.concatenate([np.zeros(m, bool), np.ones(source.size, bool)])
    row_of = np.argsort(day, kind="stable")
    position = np.empty_like(row_of)
    position[row_of] = np.arange(row_of.size)  # position of each (order, refund) entry
    transaction_id = ids("T", np.arange(1, day.size + 1), id_width(day.size, 8))
    refund_of = np.full(day.size, -1, dtype=np.int64)
    refund_of[position[m:]] = position[source]

    customer = np.concatenate([orders.customer, orders.customer[source]])[row_of]
    amount = np.concatenate([orders.amount, -orders.amount[source]])[row_of]
    frame = pd.DataFrame(
        {
            "transaction_id": transaction_id,
            "customer_id": take(customer_ids, customer),
            "ts": period.timestamps(day[row_of]),
            "amount": amount,
            "currency": "USD",
            "channel": pick(ORDER_CHANNELS, np.concatenate([channel, channel[source]])[row_of]),
            "is_refund": is_refund[row_of],
            "refund_of": take(transaction_id, np.maximum(refund_of, 0)).where(refund_of >= 0),
        }
    )
    return Ledger(frame, position[:m])
