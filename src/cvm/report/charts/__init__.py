"""Plotly figures: each function takes fitted results and returns a ``plotly`` Figure."""

from cvm.report.charts.clv import (
    calibration_chart,
    clv_distribution_chart,
    p_alive_matrix_chart,
    tracking_chart,
    write_chart,
)
from cvm.report.charts.segments import churn_calibration_chart, migration_heatmap, migration_sankey

__all__ = [
    "calibration_chart",
    "churn_calibration_chart",
    "clv_distribution_chart",
    "migration_heatmap",
    "migration_sankey",
    "p_alive_matrix_chart",
    "tracking_chart",
    "write_chart",
]
