"""The Lagrangian method: near-optimal plans for millions of customers, with their gap.

The budget and count constraints are relaxed with multipliers; every customer then picks
``argmax_o score - lambda * cost - mu[group(o)]`` independently (vectorised over the
customer-by-offer matrix). The multipliers are found by coordinate bisection, the choice is
repaired to feasibility and filled greedily, and the dual function bounds the optimum from
above (Fisher 1981; see :mod:`cvm.decide.optimize`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cvm.decide.problem import Problem, Solution, evaluate_choice

__all__ = ["SAMPLE_SIZE", "fill_choice", "repair_choice", "solve_lagrangian", "value_curve"]

SAMPLE_SIZE = 100_000
"""Customers in the sample the Lagrangian multipliers are first searched on."""


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
    choice = repair_choice(problem, choice)
    choice = fill_choice(problem, choice, lam)
    objective, spent, counts = evaluate_choice(problem, choice)
    unmet = []
    minimums = np.asarray(problem.minimums)
    if (minimums > 0).any():
        per_offer = np.bincount(choice[choice >= 0], minlength=m)
        unmet = [int(o) for o in np.flatnonzero(per_offer < minimums)]
    multipliers = {"budget": lam, "groups": mu.tolist(), "minimums": nu.tolist()}
    bound = max(full.best_bound, objective) if unmet == [] else full.best_bound
    return Solution(choice, objective, spent, bound, "lagrangian", counts, multipliers, unmet)


def repair_choice(problem: Problem, choice: np.ndarray) -> np.ndarray:
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


def fill_choice(problem: Problem, choice: np.ndarray, lam: float) -> np.ndarray:
    """Give unserved customers their best offer that still fits, best value per cost first."""
    assert problem.groups is not None and problem.caps is not None
    for _ in range(3):
        _, spent, counts = evaluate_choice(problem, choice)
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
    problem: Problem,
    budgets: np.ndarray,
    *,
    sample_size: int = CURVE_SAMPLE_SIZE,
    seed: int = 0,
    worth: np.ndarray | None = None,
) -> pd.DataFrame:
    """The best plan's value at each budget (the budget-value curve).

    Each point is a Lagrangian plan; above ``sample_size`` customers the points are solved on a
    random sample with budget and capacities scaled, and scaled back (an estimate). ``value``
    is the plan's objective, or, given ``worth`` (a (customers, offers) matrix such as the
    expected incremental value), the sum of ``worth`` over the pairs the plan chose.
    """
    n, _ = problem.shape
    scale = 1.0
    sub = problem
    rows = np.arange(n)
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
        value = s.objective
        if worth is not None:
            picked = np.flatnonzero(s.choice >= 0)
            value = float(worth[rows[picked], s.choice[picked]].sum(dtype=np.float64))
        out.append((b, value * scale, s.spent * scale, int((s.choice >= 0).sum() * scale), s.gap))
    return pd.DataFrame(out, columns=["budget", "value", "spent", "customers", "gap"])
