"""Charts of the survey analyses: the customer value map, ratio bars, the NPS breakdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cvm.report.charts.axes import MONEY, PERCENT, dual_axes
from cvm.report.charts.clv import TEMPLATE

if TYPE_CHECKING:
    from cvm.survey import ValueMap

NPS_COLOURS = {"detractors": "#c0392b", "passives": "#bdc3c7", "promoters": "#27ae60"}


def value_map_chart(
    value_map: ValueMap, group: str = "all", fig: go.Figure | None = None
) -> go.Figure:
    """Relative quality (y) against relative price (x) per brand, with the fair-value line.

    Each brand is placed against the average of the others; brands above the diagonal give
    more quality than their price asks (better value), below it less. Error bars are the
    bootstrap intervals.
    """
    points = value_map.map[value_map.map["group"] == group]
    if "relative_price" not in points:
        raise ValueError("the survey has no price attribute: no value map to draw")
    fig = fig or go.Figure()
    xs = points["relative_price"].to_numpy(float)
    ys = points["relative_quality"].to_numpy(float)
    lo = float(np.nanmin(np.concatenate([xs, ys, points["relative_price_lower"]]))) - 0.05
    hi = float(np.nanmax(np.concatenate([xs, ys, points["relative_price_upper"]]))) + 0.05
    fig.add_trace(
        go.Scatter(
            x=[lo, hi], y=[lo, hi], mode="lines", name="fair value",
            line={"color": "#888", "dash": "dash"},
        )
    )  # fmt: skip
    own = points["brand"] == value_map.own_brand
    for mask, name, colour in (
        (~own, "competitors", "#3b6ea5"),
        (own, value_map.own_brand, "#d35400"),
    ):
        part = points[mask]
        fig.add_trace(
            go.Scatter(
                x=part["relative_price"],
                y=part["relative_quality"],
                mode="markers+text",
                text=part["brand"],
                textposition="top center",
                name=name,
                marker={"size": 14, "color": colour},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part["relative_price_upper"] - part["relative_price"],
                    "arrayminus": part["relative_price"] - part["relative_price_lower"],
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": part["relative_quality_upper"] - part["relative_quality"],
                    "arrayminus": part["relative_quality"] - part["relative_quality_lower"],
                },
                customdata=part[["value_ratio"]].to_numpy(),
                hovertemplate="%{text}<br>relative price %{x:.3f}<br>relative quality %{y:.3f}"
                "<br>value ratio %{customdata[0]:.3f}<extra></extra>",
            )
        )
    title = "Customer value map" + ("" if group == "all" else f" ({group})")
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        xaxis_title="relative price (1 = market; above 1 dearer)",
        yaxis_title="relative perceived quality (1 = market)",
        xaxis={"range": [lo, hi]},
        yaxis={"range": [lo, hi], "scaleanchor": "x"},
    )
    return fig


def quality_profile_chart(
    value_map: ValueMap, versus: str = "market", group: str = "all", fig: go.Figure | None = None
) -> go.Figure:
    """Quality ratio per attribute (and overall) against one competitor or the market."""
    r = value_map.ratios
    sel = r[(r["group"] == group) & (r["versus"] == versus) & (r["measure"] == "quality")]
    order = [*value_map.weights.index, "overall"]
    sel = sel.set_index("attribute").reindex(order)
    fig = fig or go.Figure()
    colours = np.where(sel["estimate"] >= 1, "#27ae60", "#c0392b")
    fig.add_trace(
        go.Bar(
            x=sel.index,
            y=sel["estimate"] - 1,
            base=1,
            marker_color=colours,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": sel["upper"] - sel["estimate"],
                "arrayminus": sel["estimate"] - sel["lower"],
            },
            name="quality ratio",
        )
    )
    fig.add_hline(y=1, line_dash="dash", line_color="#888")
    labels = [f"{a} ({100 * value_map.weights[a]:.0f}%)" for a in value_map.weights.index]
    fig.update_layout(
        template=TEMPLATE,
        title=f"Quality ratio of {value_map.own_brand} against {versus} (1 = parity)",
        xaxis={"tickvals": order, "ticktext": [*labels, "overall"]},
        yaxis_title="our score / their score",
    )
    return fig


def nps_chart(table: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Stacked shares of detractors, passives and promoters per row of ``nps_table``,
    labelled with the NPS and its interval."""
    labels = [
        f"{b}" if g == "all" else f"{b} · {g}"
        for g, b in zip(table["group"], table["brand"], strict=True)
    ]
    fig = fig or go.Figure()
    for part, colour in NPS_COLOURS.items():
        fig.add_trace(
            go.Bar(
                y=labels,
                x=100 * table[part],
                name=part,
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: %{x:.1f}%<extra>" + part + "</extra>",
            )
        )
    notes = [
        f"NPS {n:+.0f} [{lo:+.0f}, {hi:+.0f}], n={k}"
        for n, lo, hi, k in zip(
            table["nps"], table["lower"], table["upper"], table["respondents"], strict=True
        )
    ]
    fig.add_trace(
        go.Scatter(
            y=labels, x=[101] * len(labels), text=notes, mode="text", textposition="middle right",
            showlegend=False, hoverinfo="skip",
        )
    )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        title="Net Promoter Score: detractors (0-6), passives (7-8), promoters (9-10)",
        xaxis={"title": "% of respondents", "range": [0, 140]},
        yaxis={"autorange": "reversed"},
    )
    return fig


def nps_value_chart(table: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Mean CLV (bars, with intervals) and churn risk (line) by NPS class."""
    rows = table.drop(index="all", errors="ignore")
    fig = fig or go.Figure()
    fig.add_trace(
        go.Bar(
            x=rows.index,
            y=rows["mean_clv"],
            name="mean CLV",
            marker_color=[NPS_COLOURS.get(f"{c}s", "#3b6ea5") for c in rows.index],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": rows["clv_upper"] - rows["mean_clv"],
                "arrayminus": rows["mean_clv"] - rows["clv_lower"],
            },
        )
    )
    fig.add_trace(
        go.Scatter(
            x=rows.index, y=100 * rows["churn_risk"], name="churn risk (%)", yaxis="y2",
            mode="lines+markers", line={"color": "black"},
        )
    )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE,
        title="Customer value by NPS class",
        yaxis_title="mean CLV",
        yaxis2={"title": "churn risk (%)", "overlaying": "y", "side": "right"},
    )
    return dual_axes(
        fig, pd.concat([rows["clv_upper"], rows["clv_lower"]]), 100 * rows["churn_risk"],
        MONEY, PERCENT,
    )  # fmt: skip
