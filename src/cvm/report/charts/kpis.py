"""Charts of the KPIs: customer flows and rates over time, cohort heatmaps, equity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cvm.report.charts.axes import COUNT, MONEY, PERCENT, axis, dual_axes, nice_ticks
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
    active = ts["new"] + ts["retained"] + ts["reactivated"]
    rates = 100 * pd.concat([ts["retention_rate"], ts["repeat_purchase_rate"]])
    return dual_axes(fig, [*active, *(-ts["churned"])], rates, COUNT, PERCENT)


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
    per = pd.concat([ts["average_order_value"], ts["revenue_per_customer"]])
    return dual_axes(fig, ts["net_revenue"], per, MONEY, MONEY)


def cohort_heatmap(
    cohorts: pd.DataFrame, value: str = "retention", fig: go.Figure | None = None
) -> go.Figure:
    """Cohorts by acquisition period (rows) and age (columns), coloured by ``value``
    (``retention`` in %, or ``revenue_per_customer``...) from ``cohort_table``.

    Retention at age 0 is 100% by definition: it is left out (the cohort's size is in its
    label), so the colours spread over the ages that differ.
    """
    matrix = cohorts.pivot(index="cohort", columns="age", values=value)
    retention = value == "retention"
    if retention and len(matrix.columns) > 1:
        matrix = matrix.drop(columns=[c for c in matrix.columns if c == 0])
    scale = 100 if retention else 1
    labels = [pd.Timestamp(c).strftime("%Y-%m-%d") for c in matrix.index]
    sizes = cohorts.groupby("cohort")["cohort_size"].first().reindex(matrix.index)
    z = scale * matrix.to_numpy(float)
    top = float(np.nanmax(z)) if np.isfinite(z).any() else 1.0
    fig = fig or go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=[f"{lab} (n={n:,})" for lab, n in zip(labels, sizes, strict=True)],
            colorscale="Blues",
            zmin=0,
            zmax=top if top > 0 else 1.0,
            colorbar={"title": "%" if retention else value.replace("_", " ")},
            hovertemplate="cohort %{y}<br>age %{x}<br>%{z:.1f}<extra></extra>",
        )
    )
    what = "retention (%)" if retention else value.replace("_", " ")
    note = " (age 0 is 100% by definition: not shown)" if retention else ""
    fig.update_layout(
        template=TEMPLATE,
        title=f"Cohort {what} by acquisition period{note}",
        xaxis={
            "title": "periods since acquisition",
            "dtick": 1 if len(matrix.columns) <= 12 else 2,
        },
        yaxis={"title": "acquisition cohort", "autorange": "reversed"},
    )
    return fig


def equity_chart(equity: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Customer equity by run cutoff (from ``customer_equity``): the newest run of each cutoff
    (a refit on the same data replaces the point), dates as days, money as 650k."""
    latest = equity.sort_values(["cutoff", "created_at"]).drop_duplicates("cutoff", keep="last")
    days = pd.to_datetime(latest["cutoff"]).dt.strftime("%Y-%m-%d")
    top = float(latest["customer_equity"].max()) if len(latest) else 1.0
    ticks = nice_ticks(0.0, top if top > 0 else 1.0)
    fig = fig or go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(days), y=latest["customer_equity"], mode="lines+markers",
            name="customer equity", line={"color": "#3b6ea5"}, customdata=latest[["model"]],
            hovertemplate="cutoff %{x}<br>customer equity %{y:,.0f}<br>%{customdata[0]}"
            "<extra></extra>",
        )
    )  # fmt: skip
    xaxis: dict[str, object] = {"title": "cutoff", "type": "date", "tickformat": "%Y-%m-%d"}
    if len(days) == 1:  # one day: a month each side, never an axis of milliseconds
        day = pd.Timestamp(days.iloc[0])
        xaxis["range"] = [
            f"{day - pd.Timedelta(days=31):%Y-%m-%d}",
            f"{day + pd.Timedelta(days=31):%Y-%m-%d}",
        ]
    fig.update_layout(
        template=TEMPLATE, title="Customer equity (sum of CLV) by run cutoff", xaxis=xaxis,
        yaxis={"title": "customer equity", "range": [0, 1.05 * ticks[-1]], **axis(MONEY, ticks)},
    )  # fmt: skip
    return fig
