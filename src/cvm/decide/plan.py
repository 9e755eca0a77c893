"""Plan the next best action: for each customer the one offer (or none) worth most, under a
budget and channel capacities, with every factor kept to explain it.

:func:`make_plan` reads the catalog, builds the as-of segment table, applies eligibility rules,
validity dates, product recommendations and the contact policy, values every
(customer, offer) pair (:mod:`cvm.decide.value`), solves the multiple-choice knapsack
(:mod:`cvm.decide.optimize`) and the budget-value curve. :func:`save_plan` stores it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._exceptions import ConfigError, DataError
from cvm._progress import Progress, no_progress
from cvm._sql import load_sql
from cvm.decide.catalog import (
    CHANNELS,
    DecideSettings,
    Offer,
    check_offers,
    load_catalog,
)
from cvm.decide.optimize import Problem, Solution, solve, value_curve
from cvm.decide.value import LIFT_SOURCES, Factors, offer_factors

if TYPE_CHECKING:
    from cvm.rules import CheckedRule
    from cvm.workspace import Workspace

__all__ = ["STATUSES", "PlanResult", "decision_frame", "make_plan", "plan_problem", "save_plan"]

STATUSES = ("chosen", "ineligible", "negative_value", "lower_value", "capacity", "budget")
_PKG = "cvm.decide"


@dataclass
class PlanResult:
    """A solved plan: who gets what, the factors of every pair, and the value curve."""

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
        rows = np.flatnonzero(self.solution.choice >= 0)
        return float(self.factors.ev[rows, self.solution.choice[rows]].sum(dtype=np.float64))

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


def _offer_columns(offers: list[Offer]) -> tuple[str, dict[str, Any]]:
    """Recommended-product columns per offer (the user's rules run apart: :func:`_rule_columns`)."""
    parts, params = [], {}
    for k, o in enumerate(offers):
        if o.product:
            params[f"product_{k}"] = o.product
            parts.append(
                f"EXISTS (SELECT 1 FROM product_recommendations r WHERE r.customer_id ="
                f" s.customer_id AND r.product_id = $product_{k}) AS recommended_{k}"
            )
    return "".join(f", {p}" for p in parts), params


def _rule_columns(
    ws: Workspace, table: str, offers: list[Offer], rules: dict[str, CheckedRule]
) -> pd.DataFrame:
    """``eligible_<k>`` and ``context_<k>`` per customer of ``table``: the offers' eligibility
    and boost rules, evaluated on a locked database (:func:`cvm.rules.evaluate`)."""
    from cvm.rules import evaluate

    hits = evaluate(ws.con, table, rules)
    out = pd.DataFrame(index=hits.index)
    for k, o in enumerate(offers):
        out[f"eligible_{k}"] = hits[f"eligible_{k}"] if o.eligible else True
        context = np.ones(len(hits))
        for j, b in enumerate(o.boosts):
            context *= np.where(hits[f"boost_{k}_{j}"].to_numpy(bool), float(b.factor), 1.0)
        out[f"context_{k}"] = context
    return out


def _policy(ws: Workspace, as_of: date) -> pd.DataFrame:
    """Reason (or None) per customer of ``decide_customers`` and channel, from the contact
    policy campaigns apply (:func:`cvm.campaigns.policy.contact_policy`)."""
    from cvm.campaigns.policy import contact_policy

    when = datetime.combine(as_of, datetime.max.time())
    contact_policy(ws, "decide_customers", CHANNELS, when)
    con = ws.con
    frame = con.execute("SELECT customer_id, channel, reason FROM contact_policy").df()
    con.execute("DROP TABLE contact_policy")
    return frame.pivot(index="customer_id", columns="channel", values="reason")


def _cooldowns(ws: Workspace, offers: list[Offer], as_of: date) -> pd.DataFrame:
    days = pd.DataFrame(
        {
            "offer_id": [o.id for o in offers if o.cooldown_days > 0],
            "days": [o.cooldown_days for o in offers if o.cooldown_days > 0],
        }
    )
    if days.empty:
        return pd.DataFrame(columns=["customer_id", "offer_id"])
    con = ws.con
    con.register("decide_cooldowns_df", days)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE decide_cooldowns AS SELECT * FROM decide_cooldowns_df"
        )
    finally:
        con.unregister("decide_cooldowns_df")
    when = datetime.combine(as_of, datetime.max.time())
    return con.execute(load_sql(_PKG, "cooldown.sql"), {"as_of": when}).df()


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
    from cvm.decide.lifts import offer_lifts
    from cvm.features.profile import stored_clv_run
    from cvm.features.summary import _as_date
    from cvm.segments import default_as_of, segment_table

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
    day = _as_date(as_of, "as_of") if as_of is not None else default_as_of(ws)

    progress(0, 5, "customer profile")
    table = segment_table(ws, day)
    rules = check_offers(ws.con, table, offers)
    if any(o.product for o in offers):
        from cvm.decide.recommend import build_recommendations

        build_recommendations(ws, day, k=settings.top_k, min_count=settings.min_pair_orders)
    progress(1, 5, "eligibility and policy")
    columns, params = _offer_columns(offers)
    sql = load_sql(_PKG, "inputs.sql").replace("/*OFFER_COLUMNS*/", columns)
    frame = ws.con.execute(sql, {"clv_run": stored_clv_run(ws, day), **params}).df()
    if frame.empty:
        raise DataError(f"no customers known on {day}: load data with `cvm ingest`")
    frame = frame.set_index("customer_id").join(_rule_columns(ws, table, offers, rules))
    ws.con.execute(
        f"CREATE OR REPLACE TEMP TABLE decide_customers AS SELECT customer_id FROM {table}"
    )
    policy = _policy(ws, day).reindex(frame.index)
    cooldown = _cooldowns(ws, offers, day)
    reasons = _reasons(offers, frame, policy, cooldown, day)
    progress(2, 5, "valuing offers")
    lift, source = offer_lifts(ws, offers, frame)
    context = np.column_stack([frame[f"context_{k}"].to_numpy(float) for k in range(len(offers))])
    factors = offer_factors(
        offers,
        settings,
        p_alive=frame["p_alive"].to_numpy(float),
        expected_purchases=frame["expected_purchases"].to_numpy(float),
        clv=frame["clv"].to_numpy(float),
        order_value=frame["order_value"].to_numpy(float),
        lift=lift,
        lift_source=source,
        context=context,
        eligible=pd.isna(reasons),
    )
    progress(3, 5, "optimising")
    problem = plan_problem(offers, factors, float(budget), capacity)
    solution = solve(problem, method)
    progress(4, 5, "budget-value curve")
    curve = budget_curve(problem, float(budget), curve_points)
    progress(5, 5, "done")
    return PlanResult(
        day,
        float(budget),
        offers,
        frame.index.to_numpy(object),
        factors,
        reasons,
        solution,
        problem,
        curve,
        capacity,
    )


def budget_curve(problem: Problem, budget: float, points: int) -> pd.DataFrame:
    """Value of the best plan at budgets from 0 to what every worthwhile action would cost
    (capacities still apply), the planned budget included."""
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
        return value_curve(problem, grid)
    finally:
        problem.budget = saved


def _reasons(
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


def _statuses(result: PlanResult) -> np.ndarray:
    """Status code (index into STATUSES) of every pair."""
    f, s, p = result.factors, result.solution, result.problem
    n, m = f.score.shape
    status = np.full((n, m), 2, dtype=np.int8)  # negative_value unless said otherwise
    status[pd.notna(result.reasons)] = 1
    candidate = np.isfinite(f.score)
    assert p.groups is not None and p.caps is not None
    full = (p.groups & (s.counts >= p.caps)[:, None]).any(axis=0)  # offers in a full group
    status[candidate] = np.where(full, 4, 5)[np.nonzero(candidate)[1]]
    rows = np.flatnonzero(s.choice >= 0)
    chosen_score = np.full(n, -np.inf, dtype=f.score.dtype)
    chosen_score[rows] = f.score[rows, s.choice[rows]]
    lower = candidate & (f.score <= chosen_score[:, None])
    status[lower] = 3
    status[rows, s.choice[rows]] = 0
    return status


def _decision_rows(result: PlanResult, status: np.ndarray, part: slice) -> Any:
    """The decision rows of the customers in ``part`` as an Arrow table (dictionary-coded)."""
    import pyarrow as pa

    f = result.factors
    n = part.stop - part.start
    m = f.score.shape[1]
    cols = np.tile(np.arange(m, dtype=np.int32), n)

    def coded(values: list[str] | np.ndarray, codes: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values))

    reason = pd.Series(result.reasons[part].ravel()).astype("string")
    ids = result.customer_ids[part].astype(str)
    return pa.table(
        {
            "customer_id": coded(ids, np.repeat(np.arange(n, dtype=np.int32), m)),
            "offer_id": coded([o.id for o in result.offers], cols),
            "channel": coded([o.channel for o in result.offers], cols),
            "status": coded(list(STATUSES), status[part].ravel().astype(np.int32)),
            "reason": pa.array(reason, type=pa.string()),
            "propensity": f.propensity[part].ravel(),
            "lift": f.lift[part].ravel(),
            "lift_source": coded(list(LIFT_SOURCES), f.lift_source[part].ravel().astype(np.int32)),
            "value": f.value[part].ravel(),
            "cost": f.cost[part].ravel(),
            "weight": np.tile(f.weight, n),
            "context": f.context[part].ravel(),
            "ev": f.ev[part].ravel(),
            "score": np.where(np.isfinite(f.score[part]), f.score[part], np.nan).ravel(),
        }
    )


def save_plan(ws: Workspace, result: PlanResult, *, chunk: int = 100_000) -> str:
    """Store the plan (``plan_runs``, ``plan_decisions``, a ``model_runs`` row); returns its id.

    Every (customer, offer) pair is stored with its factors and status, ``chunk`` customers
    at a time to keep memory flat.
    """
    from cvm.workspace import transaction

    f, s = result.factors, result.solution
    n, m = f.score.shape
    status = _statuses(result)
    con = ws.con
    with transaction(con):
        run_id = ws.record_run(
            "plan",
            model=s.method,
            params={"budget": result.budget, "capacity": result.capacities},
            metrics={
                "objective": s.objective,
                "bound": s.bound,
                "gap": s.gap,
                "spent": s.spent,
                "chosen": int((s.choice >= 0).sum()),
            },
            cutoff=datetime.combine(result.as_of, datetime.min.time()),
        )
        con.execute(
            "INSERT INTO plan_runs (run_id, as_of, budget, method, customers, offers, chosen,"
            " spent, objective, expected_value, bound, gap, catalog, capacities, curve)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                result.as_of,
                result.budget,
                s.method,
                n,
                m,
                int((s.choice >= 0).sum()),
                s.spent,
                s.objective,
                result.expected_value,
                s.bound,
                s.gap,
                json.dumps([o.as_dict() for o in result.offers]),
                json.dumps(result.capacities),
                result.curve.to_json(orient="records"),
            ],
        )
        for start in range(0, n, chunk):
            table = _decision_rows(result, status, slice(start, min(start + chunk, n)))
            con.register("plan_decisions_new", table)
            try:
                con.execute(
                    "INSERT INTO plan_decisions SELECT ?, CAST(customer_id AS VARCHAR),"
                    " CAST(offer_id AS VARCHAR), CAST(channel AS VARCHAR),"
                    " CAST(status AS VARCHAR), reason, propensity, lift,"
                    " CAST(lift_source AS VARCHAR), value, cost, weight, context, ev, score"
                    " FROM plan_decisions_new",
                    [run_id],
                )
            finally:
                con.unregister("plan_decisions_new")
    result.run_id = run_id
    return run_id
