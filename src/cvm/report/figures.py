"""Figures of the report drawn from aggregates (bins, groups), never from per-customer points,
so a report of a million customers weighs what one of a thousand does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

TEMPLATE = "plotly_white"

__all__ = ["campaign_lift_chart", "churn_risk_chart", "clv_histogram_chart", "treemap_chart"]


def clv_histogram_chart(bins: pd.DataFrame, top10_share: float | None = None) -> go.Figure:
    """Customers per CLV bin (bars) and the share of customer equity each bin holds (line)."""
    labels = [f"{a:,.0f}–{b:,.0f}" for a, b in zip(bins["bin_start"], bins["bin_end"], strict=True)]
    if labels:
        labels[-1] = f"≥ {bins['bin_start'].iloc[-1]:,.0f}"
    total = float(bins["clv"].sum()) or 1.0
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels, y=bins["customers"], name="customers", marker_color="#3b6ea5",
            hovertemplate="CLV %{x}<br>%{y:,} customers<extra></extra>",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=labels, y=100 * bins["clv"] / total, name="share of equity (%)", yaxis="y2",
            mode="lines+markers", line={"color": "#d35400"},
        )
    )  # fmt: skip
    share = "" if top10_share is None else f": top 10% hold {100 * top10_share:.0f}% of value"
    fig.update_layout(
        template=TEMPLATE,
        title=f"Predicted CLV{share}",
        xaxis_title="CLV (last bin: 99th percentile and above)",
        yaxis_title="customers",
        yaxis2={"title": "% of customer equity", "overlaying": "y", "side": "right"},
        bargap=0.05,
        legend={"orientation": "h", "y": -0.3},
    )
    return fig


def treemap_chart(cells: pd.DataFrame) -> go.Figure:
    """Value tiers holding their RFM segments, sized by CLV and coloured by mean CLV."""
    size = "clv" if float(cells["clv"].clip(lower=0).sum()) > 0 else "customers"
    cells = cells[cells[size] > 0]
    tiers = cells.groupby("tier", sort=False)[[size, "customers"]].sum()
    ids = [*tiers.index, *(cells["tier"] + "/" + cells["segment"])]
    labels = [*tiers.index, *cells["segment"]]
    parents = [""] * len(tiers) + list(cells["tier"])
    values = [*tiers[size], *cells[size]]
    customers = [*tiers["customers"], *cells["customers"]]
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            customdata=np.asarray(customers, dtype=float),
            hovertemplate="%{label}<br>" + size + " %{value:,.0f}<br>"
            "%{customdata:,.0f} customers<extra></extra>",
            marker={"colorscale": "Blues"},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"Where value sits: tiers and RFM segments (area = {size.upper()})",
        margin={"t": 50, "l": 10, "r": 10, "b": 10},
    )
    return fig


def churn_risk_chart(bins: pd.DataFrame) -> go.Figure:
    """Customers (bars) and CLV at stake (line) by churn-risk decile band."""
    labels = [f"{10 * b}–{10 * b + 10}%" for b in bins["bin"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=bins["customers"], name="customers", marker_color="#c0392b"))
    fig.add_trace(
        go.Scatter(
            x=labels, y=bins["clv"], name="CLV at stake", yaxis="y2", mode="lines+markers",
            line={"color": "black"},
        )
    )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE,
        title="Churn risk: customers and the CLV they carry",
        xaxis_title="predicted churn risk",
        yaxis_title="customers",
        yaxis2={"title": "CLV", "overlaying": "y", "side": "right"},
        legend={"orientation": "h", "y": -0.3},
    )
    return fig


def campaign_lift_chart(lifts: pd.DataFrame, metric: str = "conversion") -> go.Figure:
    """Lift of every measured campaign arm over its control, with its interval."""
    rows = lifts[lifts["metric"] == metric]
    labels = [f"{c} · {a}" for c, a in zip(rows["campaign_id"], rows["arm"], strict=True)]
    scale = 100.0 if metric == "conversion" else 1.0
    significant = (rows["lift_lower"] > 0) | (rows["lift_upper"] < 0)
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=scale * rows["lift"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": scale * (rows["lift_upper"] - rows["lift"]),
                "arrayminus": scale * (rows["lift"] - rows["lift_lower"]),
            },
            marker_color=["#2a9d8f" if s else "#adb5bd" for s in significant],
            name=f"{metric} lift",
        )
    )
    fig.add_hline(y=0, line={"color": "black", "width": 1})
    unit = "percentage points" if metric == "conversion" else "per customer"
    fig.update_layout(
        template=TEMPLATE,
        title=f"Campaign {metric} lift over control, with intervals (green: excludes zero)",
        yaxis_title=f"treatment − control ({unit})",
    )
    return fig
