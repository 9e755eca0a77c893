"""Charts of the KPIs: customer flows and rates over time, cohort heatmaps, equity."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cvm.report.charts.clv import TEMPLATE

FLOW_COLOURS = {
    "new": "#27ae60",
    "retained": "#3b6ea5",
    "reactivated": "#8e44ad",
    "churned": "#c0392b",
}


def kpi_trend_chart(timeseries: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Active customers by origin (stacked: new, retained, reactivated), churned below zero,
    and the retention and repeat-purchase rates on a second axis."""
    ts = timeseries
    fig = fig or make_subplots(specs=[[{"secondary_y": True}]])
    for name in ("new", "retained", "reactivated"):
        fig.add_trace(
            go.Bar(x=ts["period_start"], y=ts[name], name=name, marker_color=FLOW_COLOURS[name]),
            secondary_y=False,
        )
    fig.add_trace(
        go.Bar(
            x=ts["period_start"], y=-ts["churned"], name="churned",
            marker_color=FLOW_COLOURS["churned"],
        ),
        secondary_y=False,
    )  # fmt: skip
    for name, colour in (("retention_rate", "black"), ("repeat_purchase_rate", "#e67e22")):
        fig.add_trace(
            go.Scatter(
                x=ts["period_start"], y=100 * ts[name], name=name.replace("_", " ") + " (%)",
                mode="lines", line={"color": colour},
            ),
            secondary_y=True,
        )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE,
        barmode="relative",
        title="Active customers: new, retained, reactivated (churned below zero)",
        xaxis_title="period",
    )
    fig.update_yaxes(title_text="customers", secondary_y=False)
    fig.update_yaxes(title_text="%", secondary_y=True)
    return fig


def kpi_value_chart(timeseries: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Net revenue per period (bars) with average order value and revenue per customer."""
    ts = timeseries
    fig = fig or make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(x=ts["period_start"], y=ts["net_revenue"], name="net revenue", marker_color="#bbb"),
        secondary_y=False,
    )
    for name, colour in (("average_order_value", "#3b6ea5"), ("revenue_per_customer", "#d35400")):
        fig.add_trace(
            go.Scatter(
                x=ts["period_start"], y=ts[name], name=name.replace("_", " "), mode="lines",
                line={"color": colour},
            ),
            secondary_y=True,
        )  # fmt: skip
    fig.update_layout(template=TEMPLATE, title="Revenue, order value and revenue per customer")
    fig.update_yaxes(title_text="net revenue", secondary_y=False)
    fig.update_yaxes(title_text="per order / per customer", secondary_y=True)
    return fig


def cohort_heatmap(
    cohorts: pd.DataFrame, value: str = "retention", fig: go.Figure | None = None
) -> go.Figure:
    """Cohorts by acquisition period (rows) and age (columns), coloured by ``value``
    (``retention`` in %, or ``revenue_per_customer``...) from ``cohort_table``."""
    matrix = cohorts.pivot(index="cohort", columns="age", values=value)
    scale = 100 if value == "retention" else 1
    labels = [pd.Timestamp(c).strftime("%Y-%m-%d") for c in matrix.index]
    sizes = cohorts.groupby("cohort")["cohort_size"].first().reindex(matrix.index)
    fig = fig or go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=scale * matrix.to_numpy(float),
            x=list(matrix.columns),
            y=[f"{lab} (n={n})" for lab, n in zip(labels, sizes, strict=True)],
            colorscale="Blues",
            colorbar={"title": "%" if value == "retention" else value.replace("_", " ")},
            hovertemplate="cohort %{y}<br>age %{x}<br>%{z:.1f}<extra></extra>",
        )
    )
    what = "retention (%)" if value == "retention" else value.replace("_", " ")
    fig.update_layout(
        template=TEMPLATE,
        title=f"Cohort {what} by acquisition period",
        xaxis_title="periods since acquisition",
        yaxis={"title": "acquisition cohort", "autorange": "reversed"},
    )
    return fig


def equity_chart(equity: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Customer equity of each CLV run by cutoff (from ``customer_equity``)."""
    fig = fig or go.Figure()
    fig.add_trace(
        go.Scatter(
            x=equity["cutoff"], y=equity["customer_equity"], mode="lines+markers",
            name="customer equity", line={"color": "#3b6ea5"},
        )
    )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE, title="Customer equity (sum of CLV) by run cutoff",
        xaxis_title="cutoff", yaxis_title="customer equity",
    )  # fmt: skip
    return fig
