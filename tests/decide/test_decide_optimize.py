"""The optimiser: equal to brute force on small instances, always feasible, bound honest."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cvm.decide.optimize import Problem, solve_exact, solve_lagrangian


def brute_force(p: Problem) -> float:
    n, m = p.shape
    best = 0.0
    for combo in itertools.product(range(-1, m), repeat=n):
        c = np.array(combo)
        rows = np.flatnonzero(c >= 0)
        picked = c[rows]
        if not np.isfinite(p.score[rows, picked]).all():
            continue
        if p.cost[rows, picked].sum() > p.budget + 1e-9:
            continue
        per_offer = np.bincount(picked, minlength=m)
        if (p.groups.astype(int) @ per_offer > p.caps).any() or (per_offer < p.minimums).any():
            continue
        best = max(best, float(p.score[rows, picked].sum()))
    return best


def random_problem(rng: np.random.Generator, n: int = 6, m: int = 3, minimums: bool = False):
    score = rng.normal(1.0, 2.0, (n, m))
    score[rng.random((n, m)) < 0.2] = -np.inf  # ineligible pairs
    groups = np.array([[True, True, False], [False, False, True]])
    caps = np.array([float(rng.integers(0, 4)), 2.0])
    mins = np.array([0.0, 0.0, 1.0]) if minimums else None
    return Problem(score, rng.uniform(0.2, 3.0, (n, m)), rng.uniform(1.0, 8.0), groups, caps, mins)


def assert_feasible(p: Problem, choice: np.ndarray) -> None:
    rows = np.flatnonzero(choice >= 0)
    assert p.cost[rows, choice[rows]].sum() <= p.budget + 1e-9
    counts = p.groups.astype(int) @ np.bincount(choice[rows], minlength=p.shape[1])
    assert (counts <= p.caps).all()
    assert (p.score[rows, choice[rows]] > 0).all()  # never a negative or ineligible pair


@pytest.mark.parametrize("seed", range(25))
def test_exact_equals_brute_force_and_lagrangian_is_bounded(seed: int) -> None:
    p = random_problem(np.random.default_rng(seed))
    truth = brute_force(p)
    exact = solve_exact(p)
    assert exact.objective == pytest.approx(truth, abs=1e-7)
    assert_feasible(p, exact.choice)
    lagr = solve_lagrangian(p)
    assert_feasible(p, lagr.choice)
    assert lagr.objective <= truth + 1e-9
    assert lagr.bound >= truth - 1e-7  # the dual bound really bounds the optimum


@pytest.mark.parametrize("seed", range(5))
def test_minimum_volumes_are_met_by_the_exact_solver(seed: int) -> None:
    p = random_problem(np.random.default_rng(100 + seed), minimums=True)
    truth = brute_force(p)
    exact = solve_exact(p)
    assert exact.objective == pytest.approx(truth, abs=1e-7)
    assert (exact.choice == 2).sum() >= 1


def test_negative_values_are_never_chosen_even_with_free_budget() -> None:
    score = np.array([[-1.0, 2.0], [-0.5, -3.0], [0.0, 1.0]])
    p = Problem(score, np.zeros((3, 2)))
    for solution in (solve_exact(p), solve_lagrangian(p)):
        assert solution.choice.tolist() == [1, -1, 1]


def test_large_lagrangian_meets_budget_and_capacities_with_a_small_gap() -> None:
    rng = np.random.default_rng(7)
    n, m = 60_000, 8
    score = rng.normal(0.5, 1.0, (n, m)).astype(np.float32)
    cost = rng.uniform(0.1, 2.0, (n, m)).astype(np.float32)
    groups = np.zeros((3, m), dtype=bool)
    groups[np.arange(m) % 3, np.arange(m)] = True
    p = Problem(score, cost, 5_000.0, groups, np.array([2_000.0, 3_000.0, 1e9]))
    s = solve_lagrangian(p, sample_size=20_000)
    assert_feasible(p, s.choice)
    assert s.spent <= 5_000.0 and s.spent > 4_950.0
    assert 0 <= s.gap < 0.01
