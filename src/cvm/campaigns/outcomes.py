"""Any outcome of a campaign, per customer and arm, and its lift per treatment arm.

An outcome is a column of an imported results file (``imported_outcomes``), or one of the
attributed outcomes of a measured campaign (``converted``, ``revenue``, ``visits``,
``orders`` in ``campaign_outcomes``). Every treatment arm is compared with the campaign's
control arm (whatever its name): a 0/1 outcome by the two-proportion test (Newcombe interval),
any other by Welch's t. Intervals are at the Bonferroni level ``alpha / arms``; p-values are
Holm-adjusted across the arms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns import stats
from cvm.campaigns.design import get_campaign
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["ATTRIBUTED", "OutcomeMeasurement", "measure_outcome", "outcome_frame"]

ATTRIBUTED = {
    "converted": "converted",
    "conversion": "converted",
    "revenue": "revenue",
    "visits": "visits",
    "orders": "orders",
}
"""Outcome names of an attributed (built or imported-assignments) campaign, and their columns."""


@dataclass
class OutcomeMeasurement:
    """One row per treatment arm against the control, and what was left out."""

    campaign_id: str
    outcome: str
    control_arm: str
    binary: bool
    alpha: float
    arms: pd.DataFrame
    missing: dict[str, int] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        """The rows as plain JSON-ready dicts (NaN as None)."""
        out: list[dict[str, Any]] = []
        for row in self.arms.to_dict("records"):
            out.append(
                {
                    str(k): (None if isinstance(v, float) and not np.isfinite(v) else _plain(v))
                    for k, v in row.items()
                }
            )
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def outcome_frame(
    ws: Workspace, campaign_id: str, outcome: str | None = None
) -> tuple[pd.DataFrame, str, str, dict[str, int]]:
    """(customer_id, arm, y) per member, the outcome's name, the control arm, missing counts.

    Customers whose outcome is blank are left out and counted per arm in the last item.
    """
    c = get_campaign(ws, campaign_id)
    if c.outcomes:
        name = outcome or c.outcomes[0]
        if name not in c.outcomes:
            raise DataError(
                f"campaign {campaign_id!r} has no outcome {name!r}; imported outcomes:"
                f" {', '.join(c.outcomes)}"
            )
        frame = ws.engine.frame(
            sql_file(__package__, "outcome_imported.sql"),
            {"outcome": name, "campaign_id": campaign_id},
        )
    else:
        name = outcome or "converted"
        column = ATTRIBUTED.get(name)
        if column is None:
            raise DataError(
                f"outcome {name!r}: a measured campaign has {', '.join(sorted(ATTRIBUTED))}"
            )
        frame = ws.engine.frame(
            fill(sql_file(__package__, "outcome_attributed.sql"), outcome=column),
            {"campaign_id": campaign_id},
        )
        if frame.empty:
            raise DataError(
                f"campaign {campaign_id!r} has no outcomes yet: run"
                f" `cvm campaign measure {campaign_id}` first"
            )
    blank = frame["y"].isna()
    missing = {str(a): int(n) for a, n in frame.loc[blank, "arm"].value_counts().items()}
    return frame.loc[~blank].reset_index(drop=True), name, c.control_arm, missing


def measure_outcome(
    ws: Workspace, campaign_id: str, outcome: str | None = None, *, alpha: float = 0.05
) -> OutcomeMeasurement:
    """Lift of ``outcome`` for every treatment arm over the control (see the module docstring).

    Columns: ``arm, n, mean, control_n, control_mean, lift, ci_low, ci_high, relative,
    p_value, p_adjusted, level, method``; with the campaign's value per conversion and cost per
    contact also ``incremental`` (lift x n), ``incremental_value``, ``cost`` and ``roi``
    (None when there is no cost).
    """
    c = get_campaign(ws, campaign_id)
    frame, name, control, missing = outcome_frame(ws, campaign_id, outcome)
    arm = frame["arm"].to_numpy(str)
    y = frame["y"].to_numpy(float)
    treat = sorted(a for a in set(arm) if a != control)
    if control not in set(arm) or not treat:
        raise DataError(
            f"campaign {campaign_id!r}: {name!r} needs customers in the control arm"
            f" {control!r} and in a treatment arm"
        )
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    level = alpha / len(treat)
    y0 = y[arm == control]
    rows = []
    for t in treat:
        y1 = y[arm == t]
        lift = (
            stats.two_proportion(int(y1.sum()), y1.size, int(y0.sum()), y0.size, alpha=level)
            if binary
            else stats.welch(y1, y0, alpha=level)
        )
        row: dict[str, Any] = {
            "arm": t,
            "n": int(y1.size),
            "mean": float(y1.mean()),
            "control_n": int(y0.size),
            "control_mean": float(y0.mean()),
            "lift": lift.lift,
            "ci_low": lift.lower,
            "ci_high": lift.upper,
            "relative": lift.relative,
            "p_value": lift.p_value,
        }
        rows.append(row)
    table = pd.DataFrame(rows)
    table["p_adjusted"] = stats.holm(table["p_value"].to_numpy())
    table["level"] = 1 - level
    table["method"] = "two-proportion (Newcombe)" if binary else "Welch t"
    table["outcome"] = name
    if c.value_per_conversion is not None or c.cost_per_contact:
        table["incremental"] = table["lift"] * table["n"]
        value = c.value_per_conversion if c.value_per_conversion is not None else float("nan")
        table["incremental_value"] = table["incremental"] * value
        table["cost"] = table["n"] * float(c.cost_per_contact)
        table["roi"] = [
            (v - k) / k if k > 0 else float("nan")
            for v, k in zip(table["incremental_value"], table["cost"], strict=True)
        ]
    return OutcomeMeasurement(campaign_id, name, control, binary, alpha, table, missing)
