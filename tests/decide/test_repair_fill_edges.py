"""Repair and fill at their edges, each case worked by hand: costs below 1, a budget met or
missed by exactly one order, a cap after a group without one, a customer turned away by a cap.

The cases of test_repair_fill.py have costs of 1 and more and one group; these pin the rules
where a comparison or a tolerance written one way or the other changes the plan.
"""

from __future__ import annotations

import numpy as np

from cvm.decide.lagrangian import fill_choice as _fill
from cvm.decide.lagrangian import repair_choice as _repair
from cvm.decide.optimize import Problem


def test_repair_checks_every_capped_group_after_an_uncapped_one() -> None:
    # group 0 (offer 1) has no cap, group 1 (offer 0) holds one customer
    problem = Problem(
        np.array([[5.0, 1.0], [4.0, 1.0], [3.0, 1.0]]),
        np.ones((3, 2)),
        groups=np.array([[False, True], [True, False]]),
        caps=np.array([np.inf, 1.0]),
    )
    assert _repair(problem, np.array([0, 0, 1])).tolist() == [0, -1, 1]


def test_repair_drops_for_an_excess_below_one() -> None:
    # three orders of 0.5 against a budget of 1.0: over by 0.5, the least valuable goes
    problem = Problem(np.array([[1.0], [2.0], [3.0]]), np.full((3, 1), 0.5), budget=1.0)
    assert _repair(problem, np.array([0, 0, 0])).tolist() == [-1, 0, 0]


def test_repair_ranks_by_value_per_cost_when_costs_are_below_one() -> None:
    # customer 0: 1.0 for 0.1 (10 per unit); customer 1: 2.0 for 0.9 (2.2 per unit). Over by
    # 0.5: dropping customer 1 (0.9) covers it; ranking by value alone would drop customer 0
    # first (0.1 does not cover it) and then customer 1 as well
    problem = Problem(np.array([[1.0], [2.0]]), np.array([[0.1], [0.9]]), budget=0.5)
    assert _repair(problem, np.array([0, 0])).tolist() == [0, -1]


def test_repair_drops_no_more_than_an_excess_met_exactly() -> None:
    # three orders of 1 against a budget of 2: over by exactly 1, so exactly one goes
    problem = Problem(np.array([[1.0], [2.0], [3.0]]), np.ones((3, 1)), budget=2.0)
    assert _repair(problem, np.array([0, 0, 0])).tolist() == [-1, 0, 0]


def test_fill_spends_a_budget_left_below_one() -> None:
    problem = Problem(np.array([[2.0]]), np.array([[0.5]]), budget=0.5)
    assert _fill(problem, np.array([-1]), 0.0).tolist() == [0]


def test_fill_gives_an_offer_that_costs_exactly_what_is_left() -> None:
    problem = Problem(np.array([[3.0], [1.0]]), np.array([[2.0], [3.0]]), budget=2.0)
    assert _fill(problem, np.array([-1, -1]), 0.0).tolist() == [0, -1]


def test_fill_ranks_by_value_per_cost_when_costs_are_below_one() -> None:
    # customer 0: 1.0 for 0.1; customer 1: 2.0 for 0.9; 0.9 to spend: customer 0 comes first
    # (10 per unit against 2.2), and then customer 1 no longer fits
    problem = Problem(np.array([[1.0], [2.0]]), np.array([[0.1], [0.9]]), budget=0.9)
    assert _fill(problem, np.array([-1, -1]), 0.0).tolist() == [0, -1]


def test_a_customer_turned_away_by_a_cap_spends_nothing() -> None:
    # offer 0 holds one customer. Round one: customer 0 (5.0) takes its place, customer 1
    # (4.8) is turned away by the cap, customer 2 takes offer 1 (3.0) with the budget's second
    # unit. Had customer 1's refused order counted against the budget, customer 2 would have
    # waited a round and lost offer 1's last unit to customer 1 (4.5).
    problem = Problem(
        np.array([[5.0, 1.0], [4.8, 4.5], [0.5, 3.0]]),
        np.ones((3, 2)),
        budget=2.0,
        groups=np.array([[True, False]]),
        caps=np.array([1.0]),
    )
    assert _fill(problem, np.array([-1, -1, -1]), 0.0).tolist() == [0, -1, 1]
