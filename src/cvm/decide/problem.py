"""The plan to optimise and its solution: one offer (or none) per customer under limits.

See :mod:`cvm.decide.optimize` for the problem's statement and the methods that solve it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cvm._exceptions import DataError

__all__ = ["Problem", "Solution", "evaluate_choice"]


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


def evaluate_choice(problem: Problem, choice: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(objective, spent, count per group) of a choice of one offer (or -1) per customer."""
    rows = np.flatnonzero(choice >= 0)
    cols = choice[rows]
    objective = float(problem.score[rows, cols].sum(dtype=np.float64))
    spent = float(problem.cost[rows, cols].sum(dtype=np.float64))
    per_offer = np.bincount(cols, minlength=problem.shape[1])
    assert problem.groups is not None
    counts = problem.groups.astype(np.int64) @ per_offer
    return objective, spent, counts
