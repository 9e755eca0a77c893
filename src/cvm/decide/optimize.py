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

from typing import Any

import numpy as np

from cvm._exceptions import ConvergenceError, DataError
from cvm.decide.lagrangian import solve_lagrangian, value_curve
from cvm.decide.problem import Problem, Solution, evaluate_choice

__all__ = ["Problem", "Solution", "solve", "solve_exact", "solve_lagrangian", "value_curve"]

EXACT_MAX_CANDIDATES = 200_000
"""Above this many positive candidates ``method="auto"`` uses the Lagrangian method."""


def solve(problem: Problem, method: str = "auto", **options: Any) -> Solution:
    """Solve with ``exact`` (HiGHS MILP), ``lagrangian``, or ``auto`` (exact when small).

    Examples
    --------
    Three customers, two offers, a budget of 4: the first customer gets the cheaper offer so
    that the second can get the first one (-1: no offer).

    >>> import numpy as np
    >>> score = np.array([[5.0, 3.0], [4.0, 6.0], [2.0, 1.0]])
    >>> cost = np.array([[2.0, 1.0], [2.0, 3.0], [1.0, 1.0]])
    >>> plan = solve(Problem(score, cost, budget=4.0))
    >>> plan.choice.tolist(), plan.objective, plan.spent, plan.gap
    ([1, 0, 0], 9.0, 4.0, 0.0)
    """
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
    objective, spent, counts = evaluate_choice(problem, choice)
    bound = float(-result.mip_dual_bound) if result.mip_dual_bound is not None else objective
    return Solution(choice, objective, spent, max(bound, objective), "exact", counts)
