"""Next best action: which offer for whom, under a budget, and why.

Read the offer catalog (:func:`load_catalog`), value every offer for every customer
(lift x value - cost, weighted), respect eligibility, consent and contact rules, choose at most
one action per customer under the budget and channel capacities (:func:`make_plan`), store it
(:func:`save_plan`), explain any decision (:func:`explain`) and hand the plan over as campaigns
with control groups (:func:`to_campaigns`).
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
from cvm.decide.recommend import associations, recommendations
from cvm.decide.storage import save_plan
from cvm.decide.value import Factors, offer_factors

__all__ = [
    "CHANNELS",
    "KINDS",
    "DecideSettings",
    "Explanation",
    "Factors",
    "Offer",
    "PlanResult",
    "Problem",
    "Solution",
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
