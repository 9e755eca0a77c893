"""The budget-value curve of a plan: where more spend stops paying."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cvm.report.charts.axes import MONEY, RATIO, dual_axes

TEMPLATE = "plotly_white"


def budget_value_chart(
    curve: pd.DataFrame, budget: float | None = None, fig: go.Figure | None = None
) -> go.Figure:
    """Expected incremental value (and the marginal value of one more unit of budget) against
    the budget; ``curve`` has ``budget`` and ``value`` columns (:func:`cvm.decide.make_plan`)."""
    fig = fig or go.Figure()
    data = curve.sort_values("budget")
    fig.add_trace(
        go.Scatter(
            x=data["budget"],
            y=data["value"],
            mode="lines+markers",
            name="expected incremental value",
        )
    )
    step = data["value"].diff() / data["budget"].diff()
    fig.add_trace(
        go.Bar(
            x=data["budget"],
            y=step,
            name="value per extra unit of budget",
            opacity=0.35,
            yaxis="y2",
        )
    )
    if budget is not None:
        fig.add_vline(x=budget, line_dash="dash", annotation_text="planned budget")
    fig.update_layout(
        template=TEMPLATE,
        title="Expected incremental value as the budget grows",
        xaxis_title="budget",
        yaxis_title="expected incremental value",
        yaxis2={"title": "marginal value per unit", "overlaying": "y", "side": "right"},
    )
    return dual_axes(fig, data["value"], step, MONEY, RATIO)
