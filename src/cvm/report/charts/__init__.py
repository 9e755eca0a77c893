"""Plotly figures: each function takes fitted results and returns a ``plotly`` Figure."""

from cvm.report.charts.campaigns import (
    campaign_lift_chart,
    lift_chart,
    qini_chart,
    uplift_decile_chart,
)
from cvm.report.charts.clv import (
    calibration_chart,
    clv_distribution_chart,
    clv_histogram_chart,
    p_alive_matrix_chart,
    tracking_chart,
    write_chart,
)
from cvm.report.charts.kpis import cohort_heatmap, equity_chart, kpi_trend_chart, kpi_value_chart
from cvm.report.charts.plan import budget_value_chart
from cvm.report.charts.segments import (
    churn_calibration_chart,
    churn_risk_chart,
    migration_heatmap,
    migration_sankey,
    treemap_chart,
)
from cvm.report.charts.survey import (
    nps_chart,
    nps_value_chart,
    quality_profile_chart,
    value_map_chart,
)

__all__ = [
    "budget_value_chart",
    "calibration_chart",
    "campaign_lift_chart",
    "churn_calibration_chart",
    "churn_risk_chart",
    "clv_distribution_chart",
    "clv_histogram_chart",
    "cohort_heatmap",
    "equity_chart",
    "kpi_trend_chart",
    "kpi_value_chart",
    "lift_chart",
    "migration_heatmap",
    "migration_sankey",
    "nps_chart",
    "nps_value_chart",
    "p_alive_matrix_chart",
    "qini_chart",
    "quality_profile_chart",
    "tracking_chart",
    "treemap_chart",
    "uplift_decile_chart",
    "value_map_chart",
    "write_chart",
]
