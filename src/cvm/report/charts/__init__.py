"""Plotly figures: each function takes fitted results and returns a ``plotly`` Figure."""

from cvm.report.charts.clv import (
    calibration_chart,
    clv_distribution_chart,
    p_alive_matrix_chart,
    tracking_chart,
    write_chart,
)

__all__ = [
    "calibration_chart",
    "clv_distribution_chart",
    "p_alive_matrix_chart",
    "tracking_chart",
    "write_chart",
]
