"""Charts of segments and churn: migration Sankey and heatmap, churn calibration curve."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

if TYPE_CHECKING:
    from cvm.segments.churn import ChurnTraining
    from cvm.segments.runs import Migration

TEMPLATE = "plotly_white"


def migration_sankey(migration: Migration, value: str = "customers") -> go.Figure:
    """Flows from each segment on the first day to each on the second (customers or CLV)."""
    table = migration.table[migration.table[value] > 0]
    left = sorted(table["from_segment"].unique())
    right = sorted(table["to_segment"].unique())
    labels = [f"{s} ({migration.from_date})" for s in left] + [
        f"{s} ({migration.to_date})" for s in right
    ]
    source = [left.index(s) for s in table["from_segment"]]
    target = [len(left) + right.index(s) for s in table["to_segment"]]
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "pad": 12},
            link={"source": source, "target": target, "value": table[value].tolist()},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"{migration.by} migration {migration.from_date} → {migration.to_date} ({value})",
    )
    return fig


def migration_heatmap(migration: Migration, value: str = "customers") -> go.Figure:
    """The transition matrix as a heatmap, rows the first day's segments."""
    matrix = migration.matrix(value).drop(index="total", columns="total")
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=list(matrix.columns),
            y=list(matrix.index),
            colorscale="Blues",
            text=matrix.round(0).astype(int).astype(str).to_numpy(),
            texttemplate="%{text}",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"{migration.by} transitions {migration.from_date} → {migration.to_date} ({value})",
        xaxis_title=f"segment on {migration.to_date}",
        yaxis_title=f"segment on {migration.from_date}",
    )
    return fig


def churn_calibration_chart(training: ChurnTraining) -> go.Figure:
    """Observed churn against predicted risk by decile, model and its baseline (1 - P(alive),
    or a logistic regression for contract churn)."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], name="perfect", line={"color": "#bbb", "dash": "dot"})
    )
    for name, table in (
        ("churn model", training.calibration),
        (training.baseline_name, training.baseline_calibration),
    ):
        fig.add_trace(
            go.Scatter(x=table["predicted"], y=table["observed"], name=name, mode="lines+markers")
        )
    fig.update_layout(
        template=TEMPLATE,
        title=f"Churn within {training.horizon_days} days after {training.valid_cutoff}",
        xaxis_title="predicted churn risk",
        yaxis_title="observed churn rate",
    )
    return fig
