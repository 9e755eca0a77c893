"""Expected incremental value of every offer for every customer, factor by factor.

Arbitration in the form decision hubs use: ``score = (lift x value - cost) x weight x context``.
``propensity`` is the chance of a response without the offer, ``lift`` the absolute increase
the offer causes (from an uplift model, a measured campaign, or the configured prior),
``value`` what one response is worth, ``cost`` the contact cost plus the discount paid on
every redeemed order (those that would have happened anyway included). Every factor is kept
so a decision can be explained.

Value of a response by kind (margins, not revenue):

* retention, win-back: the lift is read as a lift in P(alive), and a customer kept alive is
  worth ``clv / p_alive`` (CLV given alive); the lift cannot exceed ``1 - p_alive``;
* cross-sell, up-sell: the margin of the expected order (Gamma-Gamma expected spend x margin);
  a configured prior lift is the lift among active customers, so it is scaled by P(alive);
* acquisition, referral: the margin of the expected first order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cvm.decide.catalog import DecideSettings, Offer

__all__ = ["LIFT_SOURCES", "Factors", "offer_factors"]

LIFT_SOURCES = ("prior", "learned", "uplift")
HORIZON_DAYS = 365.0
"""The CLV horizon ``expected_purchases`` is counted over (cvm.clv scores one year)."""
MIN_P_ALIVE = 0.05


@dataclass
class Factors:
    """(customers, offers) matrices of every factor; ``score`` is -inf where not a candidate."""

    propensity: np.ndarray
    lift: np.ndarray
    lift_source: np.ndarray
    value: np.ndarray
    cost: np.ndarray
    weight: np.ndarray
    context: np.ndarray
    ev: np.ndarray
    score: np.ndarray


def offer_factors(
    offers: list[Offer],
    settings: DecideSettings,
    *,
    p_alive: np.ndarray,
    expected_purchases: np.ndarray,
    clv: np.ndarray,
    order_value: np.ndarray,
    lift: np.ndarray | None = None,
    lift_source: np.ndarray | None = None,
    context: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    dtype: type = np.float32,
    mean_order: float | None = None,
) -> Factors:
    """Every factor of every (customer, offer) pair, vectorised.

    Parameters
    ----------
    offers, settings : the catalog and ``[decide]``.
    p_alive, expected_purchases, clv, order_value : per customer (NaN: unknown, e.g. prospects).
    lift, lift_source : per pair lifts and their source codes (index into ``LIFT_SOURCES``);
        default: each offer's configured prior.
    context : per pair context weight (default 1).
    eligible : per pair boolean; ineligible pairs get ``score = -inf``.
    mean_order : the population's mean order value, for customers without one (default: the
        mean of ``order_value``; a real-time decision values one customer and passes it).
    """
    n, m = p_alive.shape[0], len(offers)
    f = np.dtype(dtype).type
    alive = np.nan_to_num(p_alive.astype(np.float64), nan=0.0)
    purchases = np.nan_to_num(expected_purchases.astype(np.float64), nan=0.0)
    known = np.isfinite(clv)
    clv0 = np.where(known, clv, 0.0)
    if mean_order is None:
        mean_order = float(np.nanmean(order_value)) if np.isfinite(order_value).any() else 0.0
    orders = np.where(np.isfinite(order_value), order_value, mean_order)
    if lift is None:
        lift = np.broadcast_to(np.array([o.lift for o in offers]), (n, m))
        lift_source = np.zeros((n, m), dtype=np.int8)
    assert lift_source is not None
    out: dict[str, np.ndarray] = {
        k: np.empty((n, m), dtype=dtype) for k in ("propensity", "lift", "value", "cost")
    }
    for k, o in enumerate(offers):
        margin = o.margin if o.margin is not None else settings.margin
        window = o.response_days or settings.response_days
        if o.kind in ("acquisition", "referral"):
            base = o.base_rate if o.base_rate is not None else settings.acquisition_base_rate
            p0 = np.full(n, base)
            order = np.full(n, o.order_value if o.order_value is not None else mean_order)
            value = margin * order
        else:
            p0 = (
                np.full(n, o.base_rate)
                if o.base_rate is not None
                else 1.0 - np.exp(-purchases * window / HORIZON_DAYS)
            )
            order = np.full(n, o.order_value) if o.order_value is not None else orders
            if o.kind in ("retention", "win-back"):
                value = clv0 / np.maximum(alive, MIN_P_ALIVE)
            else:
                value = margin * order
        up = lift[:, k].astype(np.float64)
        if o.kind in ("retention", "win-back"):
            up = np.minimum(up, 1.0 - alive)
        elif o.kind in ("cross-sell", "up-sell"):
            # a configured prior is the lift among active customers; measured ones are not
            up = np.where((lift_source[:, k] == 0) & np.isfinite(p_alive), up * alive, up)
        up = np.clip(up, -p0, 1.0 - p0)
        out["propensity"][:, k] = p0
        out["lift"][:, k] = up
        out["value"][:, k] = value
        out["cost"][:, k] = o.unit_cost + o.discount * order * np.clip(p0 + up, 0.0, 1.0)
    weight: np.ndarray = np.array([o.weight for o in offers], dtype=dtype)
    ctx: np.ndarray = np.ones((n, m), dtype=dtype) if context is None else context.astype(dtype)
    ev = out["lift"] * out["value"] - out["cost"]
    score = ev * weight[None, :] * ctx
    ok = (ev > 0) & np.isfinite(score)
    if eligible is not None:
        ok &= eligible
    score = np.where(ok, score, f(-np.inf)).astype(dtype, copy=False)
    return Factors(
        out["propensity"],
        out["lift"],
        np.asarray(lift_source, dtype=np.int8),
        out["value"],
        out["cost"],
        weight,
        ctx,
        ev.astype(dtype, copy=False),
        score,
    )
