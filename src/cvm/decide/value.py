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

__all__ = ["LIFT_SOURCES", "Bases", "Factors", "offer_bases", "offer_factors", "valued"]

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


@dataclass
class Bases:
    """(customers, offers) float64 matrices of what a pair's value depends on besides its
    lift: the factors :func:`valued` turns any lift into. Real-time decisions keep them in
    memory (:mod:`cvm.decide.snapshot`) and value one customer's candidates from them."""

    propensity: np.ndarray
    value: np.ndarray
    order: np.ndarray  # the order a discount is paid on
    scale: np.ndarray  # the lift is multiplied by it (P(alive) for a configured cross-sell)
    ceiling: np.ndarray  # then bounded by it (1 - P(alive) for retention, else +inf)
    unit_cost: np.ndarray  # (offers,)
    discount: np.ndarray  # (offers,)
    weight: np.ndarray  # (offers,)

    def rows(self, row: int, cols: list[int]) -> Bases:
        """One customer's bases for the offers ``cols``, as (1, len(cols)) matrices."""
        return Bases(
            self.propensity[row, cols][None, :],
            self.value[row, cols][None, :],
            self.order[row, cols][None, :],
            self.scale[row, cols][None, :],
            self.ceiling[row, cols][None, :],
            self.unit_cost[cols],
            self.discount[cols],
            self.weight[cols],
        )


def offer_bases(
    offers: list[Offer],
    settings: DecideSettings,
    *,
    p_alive: np.ndarray,
    expected_purchases: np.ndarray,
    clv: np.ndarray,
    order_value: np.ndarray,
    lift_source: np.ndarray | None = None,
    mean_order: float | None = None,
) -> Bases:
    """Every pair's :class:`Bases` (see :func:`offer_factors` for the parameters; no
    ``lift_source``: every lift is the configured prior)."""
    n, m = p_alive.shape[0], len(offers)
    alive = np.nan_to_num(p_alive.astype(np.float64), nan=0.0)
    purchases = np.nan_to_num(expected_purchases.astype(np.float64), nan=0.0)
    known = np.isfinite(clv)
    clv0 = np.where(known, clv, 0.0)
    if mean_order is None:
        mean_order = float(np.nanmean(order_value)) if np.isfinite(order_value).any() else 0.0
    orders = np.where(np.isfinite(order_value), order_value, mean_order)
    if lift_source is None:
        lift_source = np.zeros((n, m), dtype=np.int8)
    out = {
        k: np.empty((n, m), dtype=np.float64)
        for k in ("propensity", "value", "order", "scale", "ceiling")
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
        scale, ceiling = np.ones(n), np.full(n, np.inf)
        if o.kind in ("retention", "win-back"):
            ceiling = 1.0 - alive
        elif o.kind in ("cross-sell", "up-sell"):
            # a configured prior is the lift among active customers; measured ones are not
            scale = np.where((lift_source[:, k] == 0) & np.isfinite(p_alive), alive, 1.0)
        out["propensity"][:, k] = p0
        out["value"][:, k] = value
        out["order"][:, k] = order
        out["scale"][:, k] = scale
        out["ceiling"][:, k] = ceiling
    return Bases(
        **out,
        unit_cost=np.array([o.unit_cost for o in offers], dtype=np.float64),
        discount=np.array([o.discount for o in offers], dtype=np.float64),
        weight=np.array([o.weight for o in offers], dtype=np.float64),
    )


def valued(
    bases: Bases,
    lift: np.ndarray,
    lift_source: np.ndarray,
    *,
    context: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    dtype: type = np.float32,
) -> Factors:
    """The factors of pairs whose bases are ``bases`` at lift ``lift`` (rows broadcast: one
    customer's (1, k) bases value a (draws, k) lift)."""
    f = np.dtype(dtype).type
    p0 = bases.propensity
    up = np.minimum(lift.astype(np.float64) * bases.scale, bases.ceiling)
    up = np.clip(up, -p0, 1.0 - p0)
    cost = bases.unit_cost + bases.discount * bases.order * np.clip(p0 + up, 0.0, 1.0)
    shape = np.broadcast_shapes(p0.shape, up.shape)
    propensity = _full(shape, p0, dtype)
    lifted = up.astype(dtype, copy=False)
    value = _full(shape, bases.value, dtype)
    cost = cost.astype(dtype, copy=False)
    weight: np.ndarray = bases.weight.astype(dtype)
    ctx: np.ndarray = np.ones(shape, dtype=dtype) if context is None else context.astype(dtype)
    ev = lifted * value - cost
    score = ev * weight[None, :] * ctx
    ok = (ev > 0) & np.isfinite(score)
    if eligible is not None:
        ok &= eligible
    score = np.where(ok, score, f(-np.inf)).astype(dtype, copy=False)
    return Factors(
        propensity,
        lifted,
        np.asarray(lift_source, dtype=np.int8),
        value,
        cost,
        weight,
        ctx,
        ev.astype(dtype, copy=False),
        score,
    )


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
    if lift is None:
        lift = np.broadcast_to(np.array([o.lift for o in offers]), (n, m))
        lift_source = np.zeros((n, m), dtype=np.int8)
    assert lift_source is not None
    bases = offer_bases(
        offers,
        settings,
        p_alive=p_alive,
        expected_purchases=expected_purchases,
        clv=clv,
        order_value=order_value,
        lift_source=lift_source,
        mean_order=mean_order,
    )
    return valued(bases, lift, lift_source, context=context, eligible=eligible, dtype=dtype)


def _full(shape: tuple[int, ...], x: np.ndarray, dtype: type) -> np.ndarray:
    """``x`` broadcast to ``shape`` as a new array of ``dtype``."""
    out: np.ndarray = np.empty(shape, dtype=dtype)
    out[...] = x
    return out
