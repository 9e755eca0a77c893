"""``cvm campaign plan``: how many controls (and treated) a test needs to detect a lift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvm._exceptions import DataError
from cvm.campaigns import stats
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["Plan", "baseline_from_history", "plan_test"]


@dataclass(frozen=True)
class Plan:
    """Sizes per arm for the conversion lift and, when asked, for the revenue lift."""

    baseline: float
    lift: float
    alpha: float
    power: float
    control_fraction: float
    conversion_control: int
    conversion_treatment: int
    revenue_sd: float | None = None
    revenue_lift: float | None = None
    revenue_control: int | None = None
    revenue_treatment: int | None = None

    @property
    def total(self) -> int:
        """Customers needed so that both metrics are covered."""
        return max(
            self.conversion_control + self.conversion_treatment,
            (self.revenue_control or 0) + (self.revenue_treatment or 0),
        )


def plan_test(
    baseline: float,
    lift: float,
    *,
    control_fraction: float = 0.1,
    alpha: float = 0.05,
    power: float = 0.8,
    revenue_sd: float | None = None,
    revenue_lift: float | None = None,
    arms: int = 1,
) -> Plan:
    """Sample sizes to detect an absolute conversion ``lift`` (and a revenue lift).

    With ``arms`` treatment arms each compared with the control, ``alpha`` is split
    (Bonferroni), as the measurement does.

    Examples
    --------
    Two points of lift over a 10% baseline, with a 20% control group:

    >>> plan = plan_test(0.10, 0.02, control_fraction=0.2)
    >>> plan.conversion_control, plan.conversion_treatment, plan.total
    (2445, 9780, 12225)

    Two treatment arms share the treated and split ``alpha``, so each needs more:

    >>> plan_test(0.10, 0.02, control_fraction=0.2, arms=2).conversion_control
    3530
    """
    if not 0 < control_fraction < 1:
        raise DataError(f"control fraction must be within (0, 1), got {control_fraction!r}")
    if arms < 1:
        raise DataError(f"arms must be at least 1, got {arms}")
    ratio = (1 - control_fraction) / control_fraction / arms
    level = alpha / arms
    n0, n1 = stats.sample_size_conversion(baseline, lift, alpha=level, power=power, ratio=ratio)
    r0 = r1 = None
    if revenue_sd is not None and revenue_lift is not None:
        r0, r1 = stats.sample_size_revenue(
            revenue_sd, revenue_lift, alpha=level, power=power, ratio=ratio
        )
    return Plan(
        baseline, lift, alpha, power, control_fraction, n0, n1, revenue_sd, revenue_lift, r0, r1
    )


def baseline_from_history(ws: Workspace, days: int = 30) -> tuple[float, float, float]:
    """(conversion, mean revenue, revenue SD) per customer over the last ``days`` of data.

    Customers are ALL those seen before that window, whether they bought in it or not:
    conversion is the share of them with a purchase in the window (a customer who bought
    nothing counts as 0), revenue is net of refunds; a first guess for :func:`plan_test`.
    """
    rows = ws.engine.rows(sql_file(__package__, "baseline.sql"), {"days": days})
    n, conversion, mean, sd = rows[0]
    if not n or conversion is None:
        raise DataError("no customers with history before the last window: give --baseline")
    return float(conversion), float(mean), float(sd or 0.0)
