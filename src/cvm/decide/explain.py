"""Why a customer got the action they got: every offer, its factors, and what decided."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["Explanation", "deciding_factor", "explain", "latest_plan"]


@dataclass(repr=False)
class Explanation:
    """A customer's decision in a plan: one row per offer and a sentence for each.

    Its repr is those sentences (``offers`` holds the frame with every factor).
    """

    run_id: str
    customer_id: str
    chosen: str | None
    offers: pd.DataFrame  # every offer with factors, status, reason and ``why``

    @property
    def lines(self) -> list[str]:
        return [f"{r.offer_id}: {r.why}" for r in self.offers.itertuples()]

    def __repr__(self) -> str:
        outcome = f"gets {self.chosen}" if self.chosen else "gets no offer"
        head = f"<Explanation: customer {self.customer_id} {outcome} (plan {self.run_id})>"
        return "\n".join([head, *(f"  {line}" for line in self.lines)])


def latest_plan(ws: Workspace) -> str:
    """The id of the newest stored plan."""
    run_id = ws.engine.scalar(sql_file(__package__, "plan_latest.sql"))
    if run_id is None:
        raise DataError("no stored plan: run `cvm plan` first")
    return str(run_id)


def deciding_factor(winner: pd.Series, loser: pd.Series) -> str:
    """The factor that most separates the winner's score from the loser's, as a phrase.

    Factors multiply (lift, value, weight, context) or subtract (cost); the one with the largest
    log-ratio in the winner's favour decided.

    Examples
    --------
    >>> same = {"value": 50.0, "weight": 1.0, "context": 1.0, "cost": 1.0}
    >>> winner = pd.Series({"offer_id": "a", "lift": 0.04, **same})
    >>> deciding_factor(winner, pd.Series({"offer_id": "b", "lift": 0.02, **same}))
    'lower lift (0.02 vs 0.04 for a)'
    """
    ratios = {}
    for name in ("lift", "value", "weight", "context"):
        a, b = float(winner[name]), float(loser[name])
        if a > 0 and b > 0:
            ratios[name] = np.log(a / b)
        elif a > 0 >= b:
            ratios[name] = np.inf
    a, b = float(winner["cost"]), float(loser["cost"])
    if a > 0 and b > 0:
        ratios["cost"] = np.log(b / a)
    if not ratios or max(ratios.values()) <= 0:
        return "a lower score"
    name = max(ratios, key=lambda k: ratios[k])
    word = "higher" if name == "cost" else "lower"
    return f"{word} {name} ({loser[name]:.4g} vs {winner[name]:.4g} for {winner['offer_id']})"


def _why(row: pd.Series, winner: pd.Series | None, plan: pd.Series) -> str:
    status = row["status"]
    facts = (
        f"lift {row['lift']:.4g} ({row['lift_source']}) x value {row['value']:.4g}"
        f" - cost {row['cost']:.4g} = {row['ev']:.4g}"
    )
    if status == "chosen":
        return (
            f"chosen: {facts}; score {row['score']:.4g} (weight {row['weight']:.3g},"
            f" context {row['context']:.3g}), the highest of the eligible offers"
        )
    if status == "ineligible":
        return f"ineligible: {row['reason']}"
    if status == "negative_value":
        return f"not worth it: {facts} <= 0 (cost exceeds the expected gain)"
    if status == "lower_value" and winner is not None:
        return (
            f"lower value: score {row['score']:.4g} < {winner['score']:.4g};"
            f" deciding factor: {deciding_factor(winner, row)}"
        )
    if status == "capacity":
        return f"capped: channel or offer capacity reached (score {row['score']:.4g})"
    return (
        f"budget: score {row['score']:.4g} per cost {row['cost']:.4g} below the plan's"
        f" cut-off once the budget {plan['budget']:,.0f} was spent"
    )


def explain(ws: Workspace, customer_id: str, run_id: str | None = None) -> Explanation:
    """The decision for ``customer_id`` in a stored plan (default: the newest)."""
    run_id = run_id or latest_plan(ws)
    plan = ws.engine.frame(sql_file(__package__, "plan_run.sql"), {"run_id": run_id})
    if plan.empty:
        raise DataError(f"unknown plan {run_id!r}")
    rows = ws.engine.frame(
        sql_file(__package__, "plan_customer.sql"), {"run_id": run_id, "customer_id": customer_id}
    )
    if rows.empty:
        raise DataError(f"customer {customer_id!r} is not in plan {run_id}")
    won = rows[rows["status"] == "chosen"]
    winner = won.iloc[0] if not won.empty else None
    rows["why"] = [_why(r, winner, plan.iloc[0]) for _, r in rows.iterrows()]
    chosen = str(winner["offer_id"]) if winner is not None else None
    return Explanation(run_id, customer_id, chosen, rows.drop(columns=["run_id"]))
