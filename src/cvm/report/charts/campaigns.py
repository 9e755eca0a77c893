"""Charts of campaigns: lift per arm with intervals, Qini curve, uplift by decile."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

if TYPE_CHECKING:
    from cvm.campaigns.measure import Measurement

from cvm.report.content import GLOSSARY

TEMPLATE = "plotly_white"

__all__ = ["campaign_lift_chart", "lift_chart", "qini_chart", "uplift_decile_chart"]


def lift_chart(
    measurement: Measurement, metric: str = "conversion", fig: go.Figure | None = None
) -> go.Figure:
    """Lift of each treatment arm over the control with its interval (zero marked)."""
    fig = fig or go.Figure()
    rows = measurement.effects[measurement.effects["metric"] == metric]
    fig.add_trace(
        go.Bar(
            x=rows["arm"],
            y=rows["lift"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": rows["upper"] - rows["lift"],
                "arrayminus": rows["lift"] - rows["lower"],
            },
            marker_color=["#2a9d8f" if s else "#adb5bd" for s in rows["significant"]],
            name=f"{metric} lift",
        )
    )
    fig.add_hline(y=0, line={"color": "black", "width": 1})
    level = float(rows["level"].iloc[0]) if len(rows) else 0.95
    fig.update_layout(
        template=TEMPLATE,
        title=f"{measurement.campaign_id}: {metric} lift over control ({level:.1%} interval)",
        xaxis_title="arm",
        yaxis_title=f"treatment - control ({metric} per customer)",
    )
    return fig


def qini_chart(curve: pd.DataFrame, fig: go.Figure | None = None, name: str = "model") -> go.Figure:
    """Qini curve against random (from :func:`cvm.models.uplift_evaluation.qini_curve`)."""
    fig = fig or go.Figure()
    fig.add_trace(go.Scatter(x=curve["fraction"], y=curve["qini"], name=name))
    fig.add_trace(
        go.Scatter(
            x=curve["fraction"],
            y=curve["random"],
            name="random",
            line={"dash": "dash", "color": "grey"},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": "Qini curve (held-out customers)",
            "subtitle": {"text": f"Qini: {GLOSSARY['Qini'][1]}"},
        },
        xaxis_title="share targeted, by decreasing predicted uplift",
        yaxis_title="incremental responses",
    )
    return fig


def uplift_decile_chart(deciles: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Observed and predicted uplift per decile of predicted uplift (1 = highest)."""
    fig = fig or go.Figure()
    fig.add_trace(go.Bar(x=deciles.index, y=deciles["observed_uplift"], name="observed"))
    fig.add_trace(
        go.Scatter(
            x=deciles.index, y=deciles["predicted_uplift"], name="predicted", mode="lines+markers"
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Uplift by decile of predicted uplift",
        xaxis_title="decile (1 = highest predicted uplift)",
        yaxis_title="treatment - control response",
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
