"""Charts of segments and churn: migration Sankey and heatmap, churn calibration curve, and the
report's value treemap and churn-risk bands (drawn from aggregates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cvm.report.charts.axes import COUNT, MONEY, dual_axes

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


SMALL_SHARE = 0.02
"""A segment holding less than this share of the treemap's total joins its tier's "other"."""


def _group_small(cells: pd.DataFrame, size: str) -> pd.DataFrame:
    """Segments too small to label (under ``SMALL_SHARE`` of the total) merged, per tier, into
    one "other (k segments)" box; a tier's lone small segment keeps its name."""
    small = cells[size] < SMALL_SHARE * float(cells[size].sum())
    count = small.groupby(cells["tier"]).transform("sum")
    merge = small & (count > 1)
    if not merge.any():
        return cells
    rest = cells[merge].copy()
    rest["weighted"] = rest["mean_clv"].fillna(0) * rest["customers"]
    other = rest.groupby("tier", sort=False).agg(
        segments=("segment", "size"),
        customers=("customers", "sum"),
        clv=("clv", "sum"),
        weighted=("weighted", "sum"),
    )
    other = other.reset_index().assign(
        segment=lambda f: "other (" + f["segments"].astype(str) + " segments)",
        mean_clv=lambda f: f["weighted"] / f["customers"].where(f["customers"] > 0),
    )
    return pd.concat([cells[~merge], other[cells.columns]], ignore_index=True)


def treemap_chart(cells: pd.DataFrame) -> go.Figure:
    """Value tiers holding their RFM segments, sized by CLV and coloured by mean CLV.

    Segments too small to carry a label are grouped per tier into "other"; a label that
    still does not fit is hidden rather than shrunk (the hover shows it).
    """
    size = "clv" if float(cells["clv"].clip(lower=0).sum()) > 0 else "customers"
    cells = _group_small(cells[cells[size] > 0], size)
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
            texttemplate="%{label}<br>%{percentRoot:.0%}",
            hovertemplate="%{label}<br>" + size + " %{value:,.0f}<br>"
            "%{customdata:,.0f} customers<extra></extra>",
            marker={"colorscale": "Blues"},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"Where value sits: tiers and RFM segments (area = {size.upper()})",
        margin={"t": 50, "l": 10, "r": 10, "b": 10},
        uniformtext={"minsize": 11, "mode": "hide"},
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
    return dual_axes(fig, bins["customers"], bins["clv"], COUNT, MONEY)
