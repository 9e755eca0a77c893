"""The two steps that turn the Lagrangian pick into a feasible plan, each on a case worked by hand.

Repair drops the least valuable choices until every capacity holds, then the lowest value per
cost until the budget holds; fill gives unserved customers their best offer that still fits,
best value per cost first. The multiplier search rarely leaves them anything to do on the
solver tests' data, so their rules are pinned here directly.
"""

from __future__ import annotations

import numpy as np

from cvm.decide.lagrangian import fill_choice as _fill
from cvm.decide.lagrangian import repair_choice as _repair
from cvm.decide.optimize import Problem

# five customers, two offers; offer 0 is in the capped group
SCORE = np.array([[5.0, 1.0], [4.0, 1.5], [3.0, 2.5], [2.0, 0.5], [6.0, 0.2]])
COST = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 4.0], [3.0, 1.0]])


def test_repair_drops_the_least_valuable_over_a_capacity() -> None:
    problem = Problem(SCORE, COST, groups=np.array([[True, False]]), caps=np.array([2.0]))
    chosen = np.array([0, 0, 0, 0, 1])  # four in offer 0's group, cap 2
    repaired = _repair(problem, chosen)
    # the two best of the group stay (scores 5 and 4); 3 and 2 go; customer 4 is outside it
    assert repaired.tolist() == [0, 0, -1, -1, 1]
    assert chosen.tolist() == [0, 0, 0, 0, 1]  # the input is left as it was


def test_repair_meets_the_budget_dropping_lowest_value_per_cost() -> None:
    problem = Problem(SCORE, COST, budget=4.0)
    chosen = np.array([0, 0, 0, 0, 0])  # cost 1 + 1 + 2 + 1 + 3 = 8, over by 4
    # value per cost: 5, 4, 1.5, 2, 2: drop 1.5 (cost 2), then 2 (cost 1; stable order keeps
    # customer 3 before 4), then 2 (cost 3): 6 dropped, the fewest that cover the excess
    assert _repair(problem, chosen).tolist() == [0, 0, -1, -1, -1]
    within = Problem(SCORE, COST, budget=8.0)
    assert _repair(within, chosen).tolist() == chosen.tolist()  # nothing over: nothing dropped
    no_budget = Problem(SCORE, COST)
    assert _repair(no_budget, chosen).tolist() == chosen.tolist()


def test_fill_serves_the_unserved_within_budget_and_capacity() -> None:
    problem = Problem(
        SCORE, COST, budget=5.0, groups=np.array([[True, False]]), caps=np.array([2.0])
    )
    start = np.array([0, -1, -1, -1, -1])  # one served (cost 1), budget 4 left, 1 group place
    filled = _fill(problem, start.copy(), 0.0)
    # customer 1: best offer 0 (4.0, cost 1); customer 4: offer 0 (6.0, cost 3) competes for
    # the last group place at value per cost 2 against 4, so customer 1 takes it; then
    # offer 1 only: customer 2 (2.5, cost 1), customer 4 (0.2, cost 1); customer 3 has
    # offer 1 at cost 4, over what is left
    assert filled[0] == 0 and filled[1] == 0
    counts = np.bincount(filled[filled >= 0], minlength=2)
    spent = COST[np.flatnonzero(filled >= 0), filled[filled >= 0]].sum()
    assert counts[0] <= 2 and spent <= 5.0
    assert filled.tolist() == [0, 0, 1, -1, 1]
    # the budget multiplier weighs cost in the choice of offer: 3.0 for 2 against 2.5 for 1
    one = Problem(np.array([[3.0, 2.5]]), np.array([[2.0, 1.0]]), budget=10.0)
    assert _fill(one, np.array([-1]), 0.0).tolist() == [0]
    assert _fill(one, np.array([-1]), 1.0).tolist() == [1]
    # nothing left to spend: nobody is added
    broke = Problem(SCORE, COST, budget=1.0)
    assert _fill(broke, start.copy(), 0.0).tolist() == start.tolist()
