"""Charts of the CLV models: holdout tracking, calibration, P(alive) matrix, CLV distribution
and the report's CLV histogram (drawn from bins, never from per-customer points)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cvm.report.charts.axes import COUNT, PERCENT, dual_axes
from cvm.report.content import GLOSSARY

if TYPE_CHECKING:
    from cvm.clv.evaluation import Evaluation

TEMPLATE = "plotly_white"


def tracking_chart(evaluation: Evaluation, fig: go.Figure | None = None) -> go.Figure:
    """Cumulative repeat purchases in the holdout: actual against each model."""
    fig = fig or go.Figure()
    track = evaluation.tracking
    fig.add_trace(
        go.Scatter(
            x=track.index, y=track["actual"], name="actual", line={"color": "black", "width": 3}
        )
    )
    for name in evaluation.models:
        fig.add_trace(go.Scatter(x=track.index, y=track[name], name=name, line={"dash": "dash"}))
    fig.update_layout(
        template=TEMPLATE,
        title=f"Cumulative repeat purchases after {evaluation.calibration_end}",
        xaxis_title="days into the holdout",
        yaxis_title="repeat purchases",
    )
    return fig


def calibration_chart(evaluation: Evaluation, fig: go.Figure | None = None) -> go.Figure:
    """Mean holdout purchases by calibration-period frequency: actual against each model."""
    fig = fig or go.Figure()
    table = evaluation.calibration_table
    fig.add_trace(go.Bar(x=table.index, y=table["actual"], name="actual", marker_color="#444"))
    for name in evaluation.models:
        fig.add_trace(go.Bar(x=table.index, y=table[name], name=name))
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title="Holdout purchases by calibration-period purchases",
        xaxis_title="repeat purchases in the calibration period",
        yaxis_title="mean purchases in the holdout",
    )
    return fig


def p_alive_matrix_chart(
    model: Any,
    *,
    max_frequency: int = 20,
    T: float | None = None,
    fig: go.Figure | None = None,
) -> go.Figure:
    """P(alive) for every (frequency, recency) of a customer observed for ``T`` time units."""
    T = float(T if T is not None else 52.0)
    recency = np.linspace(0, T, 40)
    freq = np.arange(0, max_frequency + 1)
    x, t_x = np.meshgrid(freq, recency)
    t_x = np.where(x == 0, 0.0, t_x)
    alive = model.conditional_probability_alive(x.ravel(), t_x.ravel(), np.full(x.size, T))
    fig = fig or go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=np.reshape(alive, x.shape),
            x=freq,
            y=recency,
            colorscale="Viridis",
            zmin=0,
            zmax=1,
            colorbar={"title": "P(alive)"},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": f"P(alive) of a customer observed for T = {T:g}",
            "subtitle": {"text": f"P(alive): {GLOSSARY['P(alive)'][1]}"},
        },
        xaxis_title="repeat purchases",
        yaxis_title="recency (last purchase)",
    )
    return fig


def clv_distribution_chart(scores: pd.DataFrame, fig: go.Figure | None = None) -> go.Figure:
    """Histogram of predicted CLV, with the share of value held by the top decile."""
    clv = scores["clv"].to_numpy(dtype=float)
    clv = clv[np.isfinite(clv)]
    top = np.sort(clv)[::-1][: max(1, clv.size // 10)].sum() / max(clv.sum(), 1e-12)
    cap = np.quantile(clv, 0.99) if clv.size else 0.0
    fig = fig or go.Figure()
    fig.add_trace(go.Histogram(x=np.minimum(clv, cap), nbinsx=60, marker_color="#3b6ea5"))
    fig.update_layout(
        template=TEMPLATE,
        title=f"Predicted CLV (top 10% of customers hold {100 * top:.0f}% of value)",
        xaxis_title="CLV (capped at the 99th percentile)",
        yaxis_title="customers",
    )
    return fig


def write_chart(fig: go.Figure, path: str | Path) -> Path:
    """Write a chart as HTML that opens offline (plotly.js beside it, written once per folder)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(target, include_plotlyjs="directory", full_html=True)
    return target


def clv_histogram_chart(bins: pd.DataFrame, top10_share: float | None = None) -> go.Figure:
    """Customers per CLV bin (bars) and the share of customer equity each bin holds (line).

    >>> bins = pd.DataFrame({"bin_start": [0.0, 100.0], "bin_end": [100.0, 200.0],
    ...                      "customers": [30, 10], "clv": [1000.0, 3000.0]})
    >>> fig = clv_histogram_chart(bins, top10_share=0.42)
    >>> [trace.type for trace in fig.data], fig.data[1].y.tolist()
    (['bar', 'scatter'], [25.0, 75.0])
    >>> fig.layout.title.text
    'Predicted CLV: top 10% hold 42% of value'
    """
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
    return dual_axes(fig, bins["customers"], 100 * bins["clv"] / total, COUNT, PERCENT)
