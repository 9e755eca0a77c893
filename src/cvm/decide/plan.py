"""Plan the next best action: for each customer the one offer (or none) worth most, under a
budget and channel capacities, with every factor kept to explain it.

:func:`make_plan` reads the catalog, builds the as-of segment table, applies eligibility rules,
validity dates, product recommendations and the contact policy, values every
(customer, offer) pair (:mod:`cvm.decide.value`), solves the multiple-choice knapsack
(:mod:`cvm.decide.optimize`) and the budget-value curve. :func:`save_plan` stores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import ConfigError, DataError
from cvm._progress import Progress, no_progress
from cvm.decide.catalog import (
    CHANNELS,
    DecideSettings,
    Offer,
    check_offers,
    load_catalog,
)
from cvm.decide.eligibility import (
    cooldowns,
    offer_columns,
    pair_reasons,
    policy_reasons,
    rule_columns,
)
from cvm.decide.optimize import Problem, Solution, solve, value_curve
from cvm.decide.storage import save_plan
from cvm.decide.value import LIFT_SOURCES, Factors, offer_factors
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = [
    "Pairs",
    "PlanResult",
    "decision_frame",
    "make_plan",
    "plan_problem",
    "save_plan",
    "value_pairs",
]


@dataclass(repr=False)
class PlanResult:
    """A solved plan: who gets what, the factors of every pair, and the value curve.

    Its repr is one summary line per offer (``summary()`` and ``chosen`` hold the frames).
    """

    as_of: date
    budget: float
    offers: list[Offer]
    customer_ids: np.ndarray
    factors: Factors
    reasons: np.ndarray  # (customers, offers) object: why a pair is ineligible (None: it is not)
    solution: Solution
    problem: Problem
    curve: pd.DataFrame
    capacities: dict[str, int] = field(default_factory=dict)
    run_id: str | None = None

    @property
    def chosen(self) -> pd.DataFrame:
        """One row per customer given an offer, with every factor."""
        rows = np.flatnonzero(self.solution.choice >= 0)
        return decision_frame(self, rows, self.solution.choice[rows])

    @property
    def expected_value(self) -> float:
        """Expected incremental value of the plan: the same number as its curve's point at the
        planned budget (both come from :func:`chosen_value`)."""
        return chosen_value(self.factors.ev, self.solution.choice)

    def __repr__(self) -> str:
        given = int((self.solution.choice >= 0).sum())
        head = (
            f"<PlanResult as of {self.as_of}{f' (run {self.run_id})' if self.run_id else ''}:"
            f" {given:,} of {len(self.customer_ids):,} customers get an offer, spend"
            f" {self.solution.spent:,.2f} of {self.budget:,.2f}, expected value"
            f" {self.expected_value:,.2f}, optimality gap {self.solution.gap:.2%}>"
        )
        counts = np.bincount(
            self.solution.choice[self.solution.choice >= 0], minlength=len(self.offers)
        )
        lines = [f"  {o.id}: {int(c):,}" for o, c in zip(self.offers, counts, strict=True) if c]
        return "\n".join([head, *lines])

    def summary(self) -> pd.DataFrame:
        """Per offer: customers chosen, cost, expected incremental value."""
        chosen = self.chosen
        ids = [o.id for o in self.offers]
        out = chosen.groupby("offer_id").agg(
            customers=("customer_id", "size"), cost=("cost", "sum"), value=("ev", "sum")
        )
        out = out.reindex(ids, fill_value=0)
        out.insert(0, "channel", [o.channel for o in self.offers])
        out.insert(1, "kind", [o.kind for o in self.offers])
        return out.reset_index(names="offer_id")


def chosen_value(ev: np.ndarray, choice: np.ndarray) -> float:
    """The sum of ``ev`` over each customer's chosen offer (``choice`` -1: none).

    >>> chosen_value(np.array([[2.0, 5.0], [1.0, 3.0]]), np.array([1, -1]))
    5.0
    """
    rows = np.flatnonzero(choice >= 0)
    return float(ev[rows, choice[rows]].sum(dtype=np.float64))


def decision_frame(result: PlanResult, rows: np.ndarray, cols: np.ndarray) -> pd.DataFrame:
    """Factors of the given (customer, offer) pairs as a data frame."""
    f = result.factors
    return pd.DataFrame(
        {
            "customer_id": result.customer_ids[rows],
            "offer_id": np.array([o.id for o in result.offers], dtype=object)[cols],
            "channel": np.array([o.channel for o in result.offers], dtype=object)[cols],
            "propensity": f.propensity[rows, cols].astype(float),
            "lift": f.lift[rows, cols].astype(float),
            "lift_source": np.array(LIFT_SOURCES, dtype=object)[f.lift_source[rows, cols]],
            "value": f.value[rows, cols].astype(float),
            "cost": f.cost[rows, cols].astype(float),
            "weight": f.weight[cols].astype(float),
            "context": f.context[rows, cols].astype(float),
            "ev": f.ev[rows, cols].astype(float),
            "score": f.score[rows, cols].astype(float),
        }
    )


def plan_problem(
    offers: list[Offer],
    factors: Factors,
    budget: float,
    capacity: dict[str, int],
) -> Problem:
    """The optimisation problem of a valued catalog: channel and per-offer capacities as
    count groups, minimum volumes per offer."""
    m = len(offers)
    groups, caps, names = [], [], []
    for channel, cap in capacity.items():
        groups.append(np.array([o.channel == channel for o in offers]))
        caps.append(float(cap))
        names.append(f"channel {channel}")
    for k, o in enumerate(offers):
        if o.capacity is not None:
            g = np.zeros(m, dtype=bool)
            g[k] = True
            groups.append(g)
            caps.append(float(o.capacity))
            names.append(f"offer {o.id}")
    return Problem(
        factors.score,
        factors.cost,
        budget=budget,
        groups=np.array(groups, dtype=bool).reshape(len(groups), m),
        caps=np.array(caps, dtype=float),
        minimums=np.array([o.min_volume for o in offers], dtype=float),
        group_names=names,
    )


def make_plan(
    ws: Workspace,
    budget: float | None = None,
    *,
    as_of: date | str | None = None,
    offers: list[Offer] | None = None,
    capacity: dict[str, int] | None = None,
    method: str = "auto",
    curve_points: int = 12,
    progress: Progress = no_progress,
) -> PlanResult:
    """The best action per customer under the budget, capacities and contact policy.

    Parameters
    ----------
    ws : the workspace (CLV scores as of ``as_of`` are used when stored, else fitted).
    budget : total spend allowed (default ``[decide] budget``; required one way or the other).
    as_of : the planning day (default: the newest transaction or event).
    offers : the catalog (default: from cvm.toml, see :func:`load_catalog`).
    capacity : contacts allowed per channel (default ``[decide.capacity]``).
    method : ``auto``, ``exact`` (HiGHS MILP) or ``lagrangian``.
    curve_points : budgets on the budget-value curve (0 to skip it).

    Returns
    -------
    PlanResult (not stored: see :func:`save_plan`).
    """
    from cvm.segments import default_as_of

    settings: DecideSettings = ws.settings.decide
    offers = offers if offers is not None else load_catalog(ws)
    if not offers:
        raise ConfigError("the offer catalog is empty")
    budget = budget if budget is not None else settings.budget
    if budget is None:
        raise ConfigError("no budget: pass --budget or set [decide] budget in cvm.toml")
    if not budget >= 0:
        raise DataError(f"budget must be non-negative, got {budget}")
    capacity = dict(settings.capacity if capacity is None else capacity)
    for channel, cap in capacity.items():
        if channel not in CHANNELS or cap < 0:
            raise DataError(f"capacity {channel}={cap}: use a known channel and a count >= 0")
    day = parse_day(as_of, "as_of") if as_of is not None else default_as_of(ws)

    progress(0, 5, "customer profile")
    pairs = value_pairs(ws, offers, day, settings, progress)
    factors = pairs.factors
    progress(3, 5, "optimising")
    problem = plan_problem(offers, factors, float(budget), capacity)
    solution = solve(problem, method)
    progress(4, 5, "budget-value curve")
    curve = budget_curve(problem, float(budget), curve_points, factors.ev, solution)
    progress(5, 5, "done")
    return PlanResult(
        day,
        float(budget),
        offers,
        pairs.frame.index.to_numpy(object),
        factors,
        pairs.reasons,
        solution,
        problem,
        curve,
        capacity,
    )


@dataclass
class Pairs:
    """Every (customer, offer) pair valued as of a day, with the inputs of its value: the
    plan optimises them; real-time decisions keep them in memory and re-value one row."""

    frame: pd.DataFrame  # per customer (index): the value model's inputs
    reasons: np.ndarray  # (customers, offers) why a pair is ineligible (None: it is not)
    lift: np.ndarray  # (customers, offers) lift before the value model bounds it
    source: np.ndarray  # (customers, offers) index into LIFT_SOURCES
    context: np.ndarray  # (customers, offers) context weight
    mean_order: float  # the mean order value, for customers without one
    factors: Factors


def value_pairs(
    ws: Workspace,
    offers: list[Offer],
    day: date,
    settings: DecideSettings,
    progress: Progress = no_progress,
    *,
    policy_day: date | None = None,
) -> Pairs:
    """Eligibility, recommendations, the contact policy, cooldowns and the value of every
    (customer, offer) pair on ``day`` (the plan's steps before it optimises).

    ``policy_day`` (default ``day``) is when contact would happen: the contact policy,
    cooldowns and validity dates apply as of then, the profile and scores as of ``day``."""
    contact_day = policy_day or day
    from cvm.decide.lifts import offer_lifts
    from cvm.features.profile import stored_clv_run
    from cvm.segments import segment_table

    table = segment_table(ws, day)
    rules = check_offers(ws.engine, table, offers)
    if any(o.product for o in offers):
        from cvm.decide.recommend import build_recommendations

        build_recommendations(ws, day, k=settings.top_k, min_count=settings.min_pair_orders)
    progress(1, 5, "eligibility and policy")
    columns, params = offer_columns(offers)
    inputs = fill(sql_file(__package__, "inputs.sql"), offer_columns=columns)
    frame = ws.engine.frame(inputs, {"clv_run": stored_clv_run(ws, day), **params})
    if frame.empty:
        raise DataError(f"no customers known on {day}: load data with `cvm ingest`")
    frame = frame.set_index("customer_id").join(rule_columns(ws, table, offers, rules))
    ws.engine.run(fill(sql_file(__package__, "decide_customers.sql"), source=table))
    policy = policy_reasons(ws, contact_day).reindex(frame.index)
    cooldown = cooldowns(ws, offers, contact_day)
    reasons = pair_reasons(offers, frame, policy, cooldown, contact_day)
    progress(2, 5, "valuing offers")
    lift, source = offer_lifts(ws, offers, frame)
    context = np.column_stack([frame[f"context_{k}"].to_numpy(float) for k in range(len(offers))])
    order_value = frame["order_value"].to_numpy(float)
    mean_order = float(np.nanmean(order_value)) if np.isfinite(order_value).any() else 0.0
    factors = offer_factors(
        offers,
        settings,
        p_alive=frame["p_alive"].to_numpy(float),
        expected_purchases=frame["expected_purchases"].to_numpy(float),
        clv=frame["clv"].to_numpy(float),
        order_value=order_value,
        lift=lift,
        lift_source=source,
        context=context,
        eligible=pd.isna(reasons),
        mean_order=mean_order,
    )
    return Pairs(frame, reasons, lift, source, context, mean_order, factors)


def budget_curve(
    problem: Problem,
    budget: float,
    points: int,
    ev: np.ndarray | None = None,
    solution: Solution | None = None,
) -> pd.DataFrame:
    """Value of the best plan at budgets from 0 to what every worthwhile action would cost
    (capacities still apply), the planned budget included.

    ``value`` is the expected incremental value ``ev`` of the pairs each point's plan chose
    (the objective when ``ev`` is not given). The point at the planned budget is the plan
    ``solution`` itself, so the curve and the plan's headline show one number.
    """
    if points <= 0:
        return pd.DataFrame(columns=["budget", "value", "spent", "customers", "gap"])
    finite = np.isfinite(problem.score)
    best = np.where(finite.any(axis=1), np.argmax(problem.score, axis=1), -1)
    rows = np.flatnonzero(best >= 0)
    full = float(problem.cost[rows, best[rows]].sum(dtype=np.float64))
    top = max(full * 1.1, budget, 1.0)
    grid = np.unique(np.append(np.linspace(0.0, top, points), budget))
    saved = problem.budget
    try:
        curve = value_curve(problem, grid, worth=ev)
    finally:
        problem.budget = saved
    if solution is not None:
        value = solution.objective if ev is None else chosen_value(ev, solution.choice)
        at = curve["budget"] == budget
        curve.loc[at, ["value", "spent", "gap"]] = [value, solution.spent, solution.gap]
        curve.loc[at, "customers"] = int((solution.choice >= 0).sum())
    return curve
