"""KPIs, charts and the HTML report; plotting lives here, never in the models."""

from cvm.report.build import ReportData, build_report
from cvm.report.html import render_html, write_report

__all__ = ["ReportData", "build_report", "render_html", "write_report"]
