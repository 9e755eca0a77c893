"""Next best action: which offer for whom, under a budget, and why.

Read the offer catalog (:func:`load_catalog`), value every offer for every customer
(lift x value - cost, weighted), respect eligibility, consent and contact rules, choose at most
one action per customer under the budget and channel capacities (:func:`make_plan`), store it
(:func:`save_plan`), explain any decision (:func:`explain`) and hand the plan over as campaigns
with control groups (:func:`to_campaigns`).

Set-based work runs through the workspace's engine (``ws.engine``) with the files of
``decide/sql/`` (named parameters; the catalog's recommended-product columns placed on the
inputs' SQLGlot tree). The valuation and the optimisation are numpy and scipy on
(customers, offers) matrices.

    catalog.py, value.py, lifts.py       offers, their value per customer, where lifts come from
    eligibility.py                       rules, recommendations, contact policy, cooldowns
    problem.py, optimize.py, lagrangian.py   the knapsack: exact (HiGHS) and Lagrangian
    plan.py, storage.py, explain.py      the plan, its stored decisions, why each was taken
    snapshot.py, realtime.py             real-time decisions: one customer, one channel, now
    explore.py, decision_log.py          hold-out group, Thompson draws; the decisions' log
"""

from cvm.decide.catalog import (
    CHANNELS,
    KINDS,
    DecideSettings,
    Offer,
    load_catalog,
    parse_offers,
    read_decide_settings,
)
from cvm.decide.explain import Explanation, explain, latest_plan
from cvm.decide.handoff import to_campaigns
from cvm.decide.optimize import Problem, Solution, solve, solve_exact, solve_lagrangian
from cvm.decide.plan import PlanResult, make_plan
from cvm.decide.realtime import Decider, Decision, UnknownCustomerError
from cvm.decide.recommend import associations, recommendations
from cvm.decide.storage import save_plan
from cvm.decide.value import Factors, offer_factors

__all__ = [
    "CHANNELS",
    "KINDS",
    "DecideSettings",
    "Decider",
    "Decision",
    "Explanation",
    "Factors",
    "Offer",
    "PlanResult",
    "Problem",
    "Solution",
    "UnknownCustomerError",
    "associations",
    "explain",
    "latest_plan",
    "load_catalog",
    "make_plan",
    "offer_factors",
    "parse_offers",
    "read_decide_settings",
    "recommendations",
    "save_plan",
    "solve",
    "solve_exact",
    "solve_lagrangian",
    "to_campaigns",
]
