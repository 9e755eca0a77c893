"""Choose at most one offer per customer under a budget and count capacities.

The problem is a multiple-choice knapsack with side constraints: binary ``x[i, o]``, at most one
offer per customer, total cost within the budget, the number of contacts of each group of offers
(a channel, or one offer's own capacity) within its capacity, and optional minimum volumes per
offer. Small and medium instances are solved exactly as a MILP with HiGHS
(:func:`scipy.optimize.milp`); large ones by Lagrangian relaxation of the shared constraints,
where every customer then picks ``argmax_o score - lambda * cost - mu[group(o)]`` independently
(vectorised over the customer-by-offer matrix), the multipliers found by coordinate bisection,
and the choice repaired to feasibility and filled greedily. The dual function at any
non-negative multipliers bounds the optimum from above, so the reported gap is an honest upper
bound on the distance to the best plan.

References
----------
Fisher, M. L. (1981). The Lagrangian relaxation method for solving integer programming problems.
Management Science 27(1), 1-18.
Sinha, P. & Zoltners, A. A. (1979). The multiple-choice knapsack problem. Operations Research
27(3), 503-515.
Huangfu, Q. & Hall, J. A. J. (2018). Parallelizing the dual revised simplex method. Mathematical
Programming Computation 10, 119-142 (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cvm._exceptions import ConvergenceError, DataError

__all__ = ["Problem", "Solution", "solve", "solve_exact", "solve_lagrangian", "value_curve"]

EXACT_MAX_CANDIDATES = 200_000
"""Above this many positive candidates ``method="auto"`` uses the Lagrangian method."""
SAMPLE_SIZE = 100_000
"""Customers in the sample the Lagrangian multipliers are first searched on."""


@dataclass
class Problem:
    """A plan to optimise.

    Parameters
    ----------
    score : (customers, offers) objective of each pair; NaN, -inf or <= 0 is never chosen.
    cost : (customers, offers) cost of each pair (non-negative).
    budget : total cost allowed (``inf``: none).
    groups : (constraints, offers) boolean membership of each offer in each count constraint.
    caps : (constraints,) the most pairs each group may hold (``inf``: none).
    minimums : (offers,) least number of customers each offer should get (0: none).
    group_names : a label per group, for reports.
    """

    score: np.ndarray
    cost: np.ndarray
    budget: float = float("inf")
    groups: np.ndarray | None = None
    caps: np.ndarray | None = None
    minimums: np.ndarray | None = None
    group_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        score = np.asarray(self.score)
        if score.ndim != 2:
            raise DataError("score must be a (customers, offers) matrix")
        n, m = score.shape
        if np.shape(self.cost) != (n, m):
            raise DataError(f"cost has shape {np.shape(self.cost)}, expected {(n, m)}")
        if not np.isnan(self.budget) and self.budget < 0:
            raise DataError(f"budget must be non-negative, got {self.budget}")
        cost = np.asarray(self.cost)
        candidate = np.isfinite(score) & (score > 0)
        if (cost[candidate] < 0).any() or not np.isfinite(cost[candidate]).all():
            raise DataError("costs must be finite and non-negative")
        self.score = np.where(candidate, score, -np.inf).astype(score.dtype, copy=False)
        self.cost = np.where(candidate, cost, 0).astype(cost.dtype, copy=False)
        if self.groups is None:
            self.groups = np.zeros((0, m), dtype=bool)
            self.caps = np.zeros(0)
        self.groups = np.asarray(self.groups, dtype=bool)
        self.caps = np.asarray(self.caps, dtype=float)
        if self.groups.shape != (self.caps.size, m):
            raise DataError("groups must be (constraints, offers) with one cap per constraint")
        if (self.caps < 0).any():
            raise DataError("capacities must be non-negative")
        self.minimums = (
            np.zeros(m) if self.minimums is None else np.asarray(self.minimums, dtype=float)
        )
        if not self.group_names:
            self.group_names = [f"group {k}" for k in range(self.caps.size)]

    @property
    def shape(self) -> tuple[int, int]:
        n, m = self.score.shape
        return int(n), int(m)


@dataclass
class Solution:
    """The chosen offer per customer (-1: none) and how good the plan provably is."""

    choice: np.ndarray
    objective: float
    spent: float
    bound: float
    method: str
    counts: np.ndarray
    multipliers: dict[str, Any] = field(default_factory=dict)
    unmet_minimums: list[int] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """(bound - objective) / bound: the most the plan can fall short of the optimum."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


def _evaluate(problem: Problem, choice: np.ndarray) -> tuple[float, float, np.ndarray]:
    rows = np.flatnonzero(choice >= 0)
    cols = choice[rows]
    objective = float(problem.score[rows, cols].sum(dtype=np.float64))
    spent = float(problem.cost[rows, cols].sum(dtype=np.float64))
    per_offer = np.bincount(cols, minlength=problem.shape[1])
    assert problem.groups is not None
    counts = problem.groups.astype(np.int64) @ per_offer
    return objective, spent, counts


def solve(problem: Problem, method: str = "auto", **options: Any) -> Solution:
    """Solve with ``exact`` (HiGHS MILP), ``lagrangian``, or ``auto`` (exact when small)."""
    if method == "auto":
        candidates = int(np.isfinite(problem.score).sum())
        method = "exact" if candidates <= EXACT_MAX_CANDIDATES else "lagrangian"
    if method == "exact":
        return solve_exact(problem, **options)
    if method == "lagrangian":
        return solve_lagrangian(problem, **options)
    raise DataError(f"method {method!r}: use auto, exact or lagrangian")


def solve_exact(problem: Problem, *, time_limit: float = 120.0) -> Solution:
    """The optimal plan by HiGHS branch and bound (:func:`scipy.optimize.milp`)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array, vstack

    n = problem.shape[0]
    rows, cols = np.nonzero(np.isfinite(problem.score))
    k = rows.size
    choice = np.full(n, -1, dtype=np.int64)
    if k == 0:
        return Solution(choice, 0.0, 0.0, 0.0, "exact", np.zeros(problem.caps.size))  # type: ignore[union-attr]
    var = np.arange(k)
    blocks = [coo_array((np.ones(k), (rows, var)), shape=(n, k))]
    lower = [np.full(n, -np.inf)]
    upper = [np.ones(n)]
    if np.isfinite(problem.budget):
        blocks.append(coo_array(problem.cost[rows, cols][None, :].astype(np.float64)))
        lower.append(np.array([-np.inf]))
        upper.append(np.array([problem.budget]))
    assert problem.groups is not None and problem.caps is not None
    for g, cap in zip(problem.groups, problem.caps, strict=True):
        if np.isfinite(cap):
            blocks.append(coo_array(g[cols].astype(np.float64)[None, :]))
            lower.append(np.array([-np.inf]))
            upper.append(np.array([cap]))
    assert problem.minimums is not None
    for o in np.flatnonzero(problem.minimums > 0):
        blocks.append(coo_array((cols == o).astype(np.float64)[None, :]))
        lower.append(np.array([problem.minimums[o]]))
        upper.append(np.array([np.inf]))
    matrix = vstack(blocks).tocsr()
    result = milp(
        -problem.score[rows, cols].astype(np.float64),
        integrality=np.ones(k),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(matrix, np.concatenate(lower), np.concatenate(upper)),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-7},
    )
    if result.x is None:
        if result.status == 2:
            raise DataError("no plan meets every minimum volume within the budget and capacities")
        raise ConvergenceError(f"HiGHS found no plan: {result.message}")
    picked = result.x > 0.5
    choice[rows[picked]] = cols[picked]
    objective, spent, counts = _evaluate(problem, choice)
    bound = float(-result.mip_dual_bound) if result.mip_dual_bound is not None else objective
    return Solution(choice, objective, spent, max(bound, objective), "exact", counts)


class _Dual:
    """The Lagrangian dual of a problem: per-customer argmax under given multipliers."""

    def __init__(self, problem: Problem, rows: np.ndarray | None = None, scale: float = 1.0):
        self.p = problem
        self.score = problem.score if rows is None else problem.score[rows]
        self.cost = problem.cost if rows is None else problem.cost[rows]
        assert problem.groups is not None and problem.caps is not None
        assert problem.minimums is not None
        self.groups = problem.groups.astype(np.float64)
        self.by_offer_score = np.ascontiguousarray(self.score.T)
        self.by_offer_cost = np.ascontiguousarray(self.cost.T)
        self.budget = problem.budget * scale
        self.caps = problem.caps * scale
        self.mins = problem.minimums * scale
        self.best_bound = np.inf

    def pick(self, lam: float, mu: np.ndarray, nu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each customer's best offer (-1: none) and its reduced value (column by column)."""
        penalty = mu @ self.groups - nu
        dtype = self.by_offer_score.dtype.type
        n = self.by_offer_score.shape[1]
        best = np.full(n, -1, dtype=np.int64)
        value = np.zeros(n, dtype=self.by_offer_score.dtype)
        work = np.empty(n, dtype=self.by_offer_score.dtype)
        for o in range(self.by_offer_score.shape[0]):
            np.multiply(self.by_offer_cost[o], dtype(-lam), out=work)
            work += self.by_offer_score[o]
            work -= dtype(penalty[o])
            np.copyto(best, o, where=work > value)
            np.maximum(value, work, out=value)
        return best, value

    def usage(
        self, lam: float, mu: np.ndarray, nu: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray]:
        best, value = self.pick(lam, mu, nu)
        rows = np.flatnonzero(best >= 0)
        cols = best[rows]
        spent = float(self.by_offer_cost[cols, rows].sum(dtype=np.float64))
        per_offer = np.bincount(cols, minlength=self.score.shape[1]).astype(float)
        counts = self.groups @ per_offer
        finite_caps = np.isfinite(self.caps)
        dual = float(value.sum(dtype=np.float64))
        dual += lam * (self.budget if np.isfinite(self.budget) else 0.0)
        dual += float(mu[finite_caps] @ self.caps[finite_caps]) - float(nu @ self.mins)
        self.best_bound = min(self.best_bound, dual)
        return spent, counts, per_offer


def _bisect(
    measure: Any, limit: float, hi: float, lo: float = 0.0, iters: int = 30, above: bool = True
) -> float:
    """Smallest multiplier in [lo, hi] whose usage is within ``limit`` (usage falls with it when
    ``above``; for minimums it rises, and the smallest meeting the minimum is returned)."""
    ok = (lambda u: u <= limit) if above else (lambda u: u >= limit)
    if ok(measure(lo)):
        return lo
    while not ok(measure(hi)):
        hi *= 2.0
        if hi > 1e12:
            return hi
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if ok(measure(mid)):
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-6 * max(hi, 1e-9):
            break
    return hi


def _search(
    dual: _Dual,
    lam: float,
    mu: np.ndarray,
    nu: np.ndarray,
    rounds: int,
    iters: int,
    window: float | None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Coordinate bisection: each multiplier set so its constraint is just met, in turn."""
    finite = np.isfinite(dual.score)
    top = float(dual.score[finite].max()) if finite.any() else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(finite & (dual.cost > 0), dual.score / dual.cost, 0)
    lam_top = float(ratio.max()) if ratio.size else 1.0
    caps_idx = np.flatnonzero(np.isfinite(dual.caps))
    mins_idx = np.flatnonzero(dual.mins > 0)
    for _ in range(rounds):
        before = (lam, mu.copy(), nu.copy())
        if np.isfinite(dual.budget):
            lo, hi = (lam / window, lam * window) if window and lam > 0 else (0.0, lam_top)
            lam = _bisect(lambda x: dual.usage(x, mu, nu)[0], dual.budget, hi, lo, iters)
        for k in caps_idx:

            def count(x: float, k: int = int(k), lam: float = lam) -> float:
                trial = mu.copy()
                trial[k] = x
                return float(dual.usage(lam, trial, nu)[1][k])

            lo, hi = (mu[k] / window, mu[k] * window) if window and mu[k] > 0 else (0.0, top)
            mu[k] = _bisect(count, float(dual.caps[k]), hi, lo, iters)
        for o in mins_idx:

            def volume(x: float, o: int = int(o), lam: float = lam) -> float:
                trial = nu.copy()
                trial[o] = x
                return float(dual.usage(lam, mu, trial)[2][o])

            nu[o] = _bisect(volume, float(dual.mins[o]), top, 0.0, iters, above=False)
        same = np.isclose(lam, before[0], rtol=1e-4) and np.allclose(mu, before[1], rtol=1e-4)
        if same and np.allclose(nu, before[2], rtol=1e-4):
            break
    return lam, mu, nu


def solve_lagrangian(
    problem: Problem, *, rounds: int = 4, seed: int = 0, sample_size: int = SAMPLE_SIZE
) -> Solution:
    """A near-optimal plan for millions of customers, with the optimality gap it guarantees.

    Multipliers are searched on a random sample of ``sample_size`` customers (limits scaled),
    then refined on everyone within a narrow window; the choice they induce is repaired to
    meet the budget and capacities and the room left is filled greedily.
    """
    n, m = problem.shape
    assert problem.caps is not None
    lam, mu, nu = 0.0, np.zeros(problem.caps.size), np.zeros(m)
    if n > 2 * sample_size:
        rows = np.sort(np.random.default_rng(seed).choice(n, sample_size, replace=False))
        lam, mu, nu = _search(_Dual(problem, rows, sample_size / n), lam, mu, nu, rounds, 30, None)
        full = _Dual(problem)
        lam, mu, nu = _search(full, lam, mu, nu, 2, 10, 1.5)
    else:
        full = _Dual(problem)
        lam, mu, nu = _search(full, lam, mu, nu, rounds, 30, None)
    choice, _ = full.pick(lam, mu, nu)
    full.usage(0.0, np.zeros_like(mu), np.zeros_like(nu))  # the unconstrained bound
    choice = _repair(problem, choice)
    choice = _fill(problem, choice, lam)
    objective, spent, counts = _evaluate(problem, choice)
    unmet = []
    minimums = np.asarray(problem.minimums)
    if (minimums > 0).any():
        per_offer = np.bincount(choice[choice >= 0], minlength=m)
        unmet = [int(o) for o in np.flatnonzero(per_offer < minimums)]
    multipliers = {"budget": lam, "groups": mu.tolist(), "minimums": nu.tolist()}
    bound = max(full.best_bound, objective) if unmet == [] else full.best_bound
    return Solution(choice, objective, spent, bound, "lagrangian", counts, multipliers, unmet)


def _repair(problem: Problem, choice: np.ndarray) -> np.ndarray:
    """Drop the least valuable choices until every capacity and the budget hold."""
    choice = choice.copy()
    assert problem.groups is not None and problem.caps is not None
    for g, cap in zip(problem.groups, problem.caps, strict=True):
        if not np.isfinite(cap):
            continue
        members = np.flatnonzero((choice >= 0) & g[np.maximum(choice, 0)])
        excess = members.size - int(cap)
        if excess > 0:
            value = problem.score[members, choice[members]]
            choice[members[np.argsort(value, kind="stable")[:excess]]] = -1
    if np.isfinite(problem.budget):
        rows = np.flatnonzero(choice >= 0)
        cost = problem.cost[rows, choice[rows]].astype(np.float64)
        excess = cost.sum() - problem.budget
        if excess > 0:
            value = problem.score[rows, choice[rows]]
            order = np.argsort(value / np.maximum(cost, 1e-12), kind="stable")
            covered = np.cumsum(cost[order])
            drop = order[: int(np.searchsorted(covered, excess - 1e-9)) + 1]
            choice[rows[drop]] = -1
    return choice


def _fill(problem: Problem, choice: np.ndarray, lam: float) -> np.ndarray:
    """Give unserved customers their best offer that still fits, best value per cost first."""
    assert problem.groups is not None and problem.caps is not None
    for _ in range(3):
        _, spent, counts = _evaluate(problem, choice)
        room = problem.caps - counts
        left = problem.budget - spent
        open_offers = ~(problem.groups & (room <= 0)[:, None]).any(axis=0)
        free = np.flatnonzero(choice < 0)
        if free.size == 0 or not open_offers.any() or left <= 0:
            break
        score = problem.score[free][:, open_offers]
        cost = problem.cost[free][:, open_offers].astype(np.float64)
        adj = np.where(cost <= left, score - lam * cost, -np.inf)
        pick = np.argmax(adj, axis=1)
        keep = np.isfinite(adj[np.arange(free.size), pick])
        if not keep.any():
            break
        free, pick = free[keep], np.flatnonzero(open_offers)[pick[keep]]
        value = problem.score[free, pick]
        cost1 = problem.cost[free, pick].astype(np.float64)
        order = np.argsort(-value / np.maximum(cost1, 1e-12), kind="stable")
        free, pick, cost1 = free[order], pick[order], cost1[order]
        accept = np.ones(free.size, dtype=bool)
        for g, r in zip(problem.groups, room, strict=True):
            if np.isfinite(r):
                inside = g[pick]
                accept &= ~inside | (np.cumsum(inside) <= r)
        spend = np.cumsum(np.where(accept, cost1, 0.0))
        accept &= spend <= left + 1e-9
        if not accept.any():
            break
        choice[free[accept]] = pick[accept]
    return choice


CURVE_SAMPLE_SIZE = 40_000
"""Customers the budget-value curve is estimated on when there are more."""


def value_curve(
    problem: Problem, budgets: np.ndarray, *, sample_size: int = CURVE_SAMPLE_SIZE, seed: int = 0
) -> pd.DataFrame:
    """The best plan's value at each budget (the budget-value curve).

    Each point is a Lagrangian plan; above ``sample_size`` customers the points are solved on a
    random sample with budget and capacities scaled, and scaled back (an estimate).
    """
    n, _ = problem.shape
    scale = 1.0
    sub = problem
    if n > sample_size:
        rows = np.sort(np.random.default_rng(seed).choice(n, sample_size, replace=False))
        scale = n / sample_size
        assert problem.caps is not None and problem.minimums is not None
        sub = Problem(
            problem.score[rows],
            problem.cost[rows],
            problem.budget / scale,
            problem.groups,
            problem.caps / scale,
            problem.minimums * 0,
            problem.group_names,
        )
    out = []
    for b in np.asarray(budgets, dtype=float):
        sub.budget = b / scale
        s = solve_lagrangian(sub, rounds=2, sample_size=sample_size)
        out.append(
            (b, s.objective * scale, s.spent * scale, int((s.choice >= 0).sum() * scale), s.gap)
        )
    return pd.DataFrame(out, columns=["budget", "value", "spent", "customers", "gap"])
