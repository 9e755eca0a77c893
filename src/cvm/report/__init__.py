"""KPIs, charts and the HTML report; plotting lives here, never in the models.

report/kpis.py       KPIs as of any day and over time, segment sizes and migration
report/content.py    what a page shows: cards, tables, charts, sections (formatted once)
report/sections.py   one function per section of the report, reading the workspace
report/build.py      every section as of a day, optionally for one segment (scope.py)
report/html.py       the self-contained HTML page
report/charts/       every plotly figure, one module per subject (clv, segments, ...)
report/sql/          the SQL, run through ``ws.engine``; a user-chosen column (segment or
                     tier) fills a ``__column__`` placeholder on the SQLGlot tree
"""

from cvm.report.build import ReportData, build_report
from cvm.report.html import render_html, write_report

__all__ = ["ReportData", "build_report", "render_html", "write_report"]
