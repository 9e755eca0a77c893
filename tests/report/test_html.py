"""The report: sections on a full workspace and on one with only transactions, the segment
filter, and the single HTML file (plotly.js inlined once, every figure as JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from report_workspace import full_workspace

from cvm._exceptions import ConfigError, DataError
from cvm.cli import app
from cvm.report import build_report, render_html, write_report
from cvm.workspace import Workspace

CHART_DIV = re.compile(r'<div class="chart" id="chart-([a-z_]+)"')


@pytest.fixture(scope="module")
def full_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_workspace(tmp_path_factory)


@pytest.fixture(scope="module")
def report(full_ws: Path):
    with Workspace.open(full_ws, read_only=True) as ws:
        return build_report(ws)


@pytest.fixture
def tx_only(workspace: Workspace) -> Workspace:
    rows = [
        ("t1", "a", "2024-01-05", 50.0),
        ("t2", "a", "2024-02-07", 30.0),
        ("t3", "b", "2024-02-10", 20.0),
        ("t4", "c", "2024-03-01", 80.0),
        ("t5", "a", "2024-03-15", 10.0),
    ]
    workspace.con.executemany(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount) VALUES (?, ?, ?, ?)",
        [(t, c, pd.Timestamp(d).to_pydatetime(), a) for t, c, d, a in rows],
    )
    return workspace


def test_full_workspace_fills_the_value_movement_and_voice_sections(full_ws: Path, report) -> None:
    charts = {c.key for c in report.charts}
    assert {"clv_distribution", "segment_treemap", "kpi_trend", "cohort_heatmap"} <= charts
    assert {"migration_sankey", "clv_tracking", "clv_calibration", "churn_risk"} <= charts
    assert {"value_map", "nps"} <= charts
    assert report.runs["clv"] is not None and report.runs["previous_segments"] is not None
    # every value tier of the latest segments run is offered in the filter, and nothing else
    with Workspace.open(full_ws, read_only=True) as ws:
        tiers = ws.con.execute(
            "SELECT DISTINCT 'tier:' || tier FROM scores WHERE tier IS NOT NULL AND run_id = ("
            " SELECT run_id FROM model_runs WHERE kind = 'segments' ORDER BY cutoff DESC"
            " LIMIT 1)"
        ).fetchall()
    offered = {c for c in report.segment_choices if c.startswith("tier:")}
    assert offered == {t[0] for t in tiers} and len(offered) >= 2


def _monthly_counts(ws: Workspace, as_of: object) -> dict[str, float]:
    """Active customers, customers to date and retention of the month ending on ``as_of``,
    counted here from the purchases (not refunds, positive amounts), not by the KPI code."""
    end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    start, before = end - pd.DateOffset(months=1), end - pd.DateOffset(months=2)
    buys = ws.con.execute(
        "SELECT customer_id, ts FROM transactions WHERE NOT is_refund AND amount > 0"
    ).df()
    now = set(buys.loc[(buys.ts >= start) & (buys.ts < end), "customer_id"])
    prev = set(buys.loc[(buys.ts >= before) & (buys.ts < start), "customer_id"])
    return {
        "active": len(now),
        "to_date": buys.loc[buys.ts < end, "customer_id"].nunique(),
        "retention": len(now & prev) / len(prev),
    }


def test_headline_cards_match_counts_from_the_purchases(full_ws: Path, report) -> None:
    with Workspace.open(full_ws, read_only=True) as ws:
        counts = _monthly_counts(ws, report.as_of)
    cards = {c.label: c.value for c in report.section("headline").cards}
    assert counts["active"] > 0 and 0 < counts["retention"] < 1
    assert cards["active"] == f"{counts['active']:,.0f}"
    assert cards["customers to date"] == f"{counts['to_date']:,.0f}"
    assert cards["retention"] == f"{100 * counts['retention']:.1f}%"


def test_clv_histogram_counts_every_scored_customer(full_ws: Path, report) -> None:
    fig = next(c.figure for c in report.charts if c.key == "clv_distribution")
    with Workspace.open(full_ws, read_only=True) as ws:
        scored = ws.con.execute(
            "SELECT count(*) FROM scores WHERE run_id = ? AND clv IS NOT NULL", [report.runs["clv"]]
        ).fetchall()[0][0]
    assert sum(fig.data[0].y) == scored
    assert len(fig.data[0].y) <= 40  # binned, never one point per customer


def test_segment_filter_restricts_every_section(full_ws: Path, report) -> None:
    choice = next(c for c in report.segment_choices if c.startswith("tier:"))
    with Workspace.open(full_ws, read_only=True) as ws:
        kind, name = choice.split(":", 1)
        members = ws.con.execute(
            f"SELECT count(*) FROM scores WHERE run_id = ? AND {kind} = ?",
            [report.runs["segments"], name],
        ).fetchall()[0][0]
        part = build_report(ws, segment=choice.upper(), evaluate=False)
        # the views are gone afterwards: the whole table is visible again
        total = ws.con.execute("SELECT count(DISTINCT customer_id) FROM transactions").fetchall()
    assert part.segment == choice
    fig = next(c.figure for c in part.charts if c.key == "clv_distribution")
    assert sum(fig.data[0].y) == members
    everyone = dict((c.label, c.value) for c in report.section("headline").cards)
    theirs = dict((c.label, c.value) for c in part.section("headline").cards)
    assert theirs["customers to date"] != everyone["customers to date"]
    assert total[0][0] > members


def test_unknown_segment_and_bad_day_are_clear_errors(full_ws: Path) -> None:
    with Workspace.open(full_ws, read_only=True) as ws:
        with pytest.raises(ConfigError, match="unknown segment 'nope'"):
            build_report(ws, segment="nope")
        with pytest.raises(ConfigError, match="as_of: not a date"):
            build_report(ws, as_of="yesterday-ish")
        with pytest.raises(DataError, match="before the first transaction"):
            build_report(ws, as_of="1990-01-01")


def test_transactions_only_workspace_skips_sections_with_notes(tx_only: Workspace) -> None:
    report = build_report(tx_only)
    assert report.as_of.isoformat() == "2024-03-15"
    assert {c.key for c in report.charts} >= {"kpi_trend", "cohort_heatmap"}
    notes = {s.key: " ".join(s.notes) for s in report.sections}
    assert "no CLV scores yet" in notes["value"]
    assert "no campaigns yet" in notes["campaigns"]
    assert "no survey answers yet" in notes["voice"]
    assert "no churn scores" in notes["churn"]
    html = render_html(report)
    assert html.count("no campaigns yet") == 1


def test_empty_workspace_is_a_clear_error(workspace: Workspace) -> None:
    with pytest.raises(DataError, match="no transactions"):
        build_report(workspace)


def test_html_inlines_plotly_once_and_every_figure_as_json(report, tmp_path: Path) -> None:
    html = render_html(report)
    assert html.count("<script src=") == 0  # nothing to fetch: opens offline
    assert len(re.findall(r"plotly\.js v\d", html)) == 1
    divs = CHART_DIV.findall(html)
    assert sorted(divs) == sorted(c.key for c in report.charts)
    for key in divs:
        blob = re.search(
            rf'<script type="application/json" id="chart-{key}-figure">(.*?)</script>', html, re.S
        )
        assert blob is not None
        assert json.loads(blob.group(1))["data"]


def test_write_report_and_cli(full_ws: Path, runner, tmp_path: Path) -> None:
    with Workspace.open(full_ws, read_only=True) as ws:
        path = write_report(ws, tmp_path / "out", evaluate=False)
    assert path == tmp_path / "out" / "report.html"
    assert path.stat().st_size < 10_000_000
    target = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "-w", str(full_ws), "-o", str(target), "--no-evaluate"])
    assert result.exit_code == 0, result.output
    assert str(target) in result.output.replace("\n", "")
    assert "Where value sits" in target.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["report", "-w", str(full_ws), "--segment", "nope"])
    assert bad.exit_code == 1
    assert "unknown segment" in bad.output
