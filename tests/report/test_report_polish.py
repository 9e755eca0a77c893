"""What a manager reads: money ticks, dates as dates, no "-0", level zero lines, readable
heatmap and treemap, plain words beside jargon, and a dashboard that says what exists instead
of a raw error. Checked on a copy of the report workspace with CLV run three times: a refit at
the last cutoff (the README tour) and a run half a year earlier."""

from __future__ import annotations

import math
import re
import shutil
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from report_workspace import full_workspace

from cvm.report import build_report, render_html
from cvm.report.charts import treemap_chart
from cvm.report.content import fmt_change
from cvm.workspace import Workspace

EARLY = "2024-06-30"


@pytest.fixture(scope="module")
def polish_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cvm.clv import fit_clv, save_run, score_clv
    from cvm.clv.scoring import last_transaction_day

    root = tmp_path_factory.mktemp("polish") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), root)
    with Workspace.open(root) as ws:
        end = last_transaction_day(ws)
        for day in (end - timedelta(days=182), end):
            fit = fit_clv(ws, day)
            save_run(ws, fit, score_clv(fit), {"cutoff": str(day)})
    return root


@pytest.fixture(scope="module")
def report(polish_ws: Path):
    with Workspace.open(polish_ws, read_only=True) as ws:
        return build_report(ws, evaluate=False)


def _sql(root: Path, query: str, params: list | None = None) -> list[tuple]:
    with Workspace.open(root, read_only=True) as ws:
        return ws.con.execute(query, params or []).fetchall()


def _chart(report, key: str):
    return next(c.figure for c in report.charts if c.key == key)


SHORT = re.compile(r"^−?\d{1,3}(\.\d{1,2})?[kMB]?%?$")


def test_equity_chart_has_one_dated_point_per_cutoff_and_short_money_ticks(
    polish_ws: Path, report
) -> None:
    fig = _chart(report, "customer_equity")
    cutoffs = _sql(
        polish_ws,
        "SELECT DISTINCT CAST(cutoff AS DATE) FROM model_runs r WHERE kind = 'clv' AND EXISTS"
        " (SELECT 1 FROM scores s WHERE s.run_id = r.run_id) ORDER BY 1",
    )
    assert list(fig.data[0].x) == [f"{c[0]:%Y-%m-%d}" for c in cutoffs]
    assert len(cutoffs) == 2  # three runs, two cutoffs: the refit replaced its point
    newest = _sql(
        polish_ws,
        "SELECT sum(clv) FROM scores WHERE run_id = (SELECT run_id FROM model_runs"
        " WHERE kind = 'clv' ORDER BY cutoff DESC, created_at DESC LIMIT 1)",
    )[0][0]
    assert fig.data[0].y[-1] == pytest.approx(newest)
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.tickformat == "%Y-%m-%d"
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks and all(SHORT.match(t) for t in ticks), ticks
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= max(fig.data[0].y)


def test_one_cutoff_draws_no_axis_of_milliseconds() -> None:
    from cvm.report.charts import equity_chart

    one = pd.DataFrame(
        {"cutoff": pd.to_datetime(["2025-12-31", "2025-12-31"]),
         "created_at": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 11:00"]),
         "model": ["bgnbd", "mbgnbd"], "customer_equity": [649_214.27204529016, 649_214.1]}
    )  # fmt: skip
    fig = equity_chart(one)
    assert list(fig.data[0].x) == ["2025-12-31"]
    assert fig.layout.xaxis.range == ("2025-11-30", "2026-01-31")
    assert all(SHORT.match(t) for t in fig.layout.yaxis.ticktext)


def test_changes_never_read_minus_zero() -> None:
    assert fmt_change(-0.3, "int") == "no change"
    assert fmt_change(-0.004) == "no change"
    assert fmt_change(-0.0) == "no change"
    assert fmt_change(-0.3) == "−0.30"
    assert fmt_change(-1234.6) == "−1,235"
    assert fmt_change(52.0, "int") == "+52"
    assert fmt_change(float("nan")) == "–"


def test_headline_change_is_the_difference_of_the_last_two_runs(polish_ws: Path, report) -> None:
    sums = _sql(
        polish_ws,
        "SELECT sum(s.clv) FROM model_runs r JOIN scores s USING (run_id) WHERE r.kind = 'clv'"
        " GROUP BY r.run_id, r.cutoff, r.created_at ORDER BY r.cutoff, r.created_at",
    )
    change = sums[-1][0] - sums[-2][0]
    card = next(c for c in report.section("headline").cards if c.label == "customer equity")
    assert f"{fmt_change(change)} since the last run" in card.note
    assert not re.search(r"(^|[^\d])[-−]0(\.0+)?( |$)", card.note)


def _zero_share(rng: tuple[float, float]) -> float:
    return -rng[0] / (rng[1] - rng[0])


def _round_step(ticks: list[float]) -> bool:
    steps = np.diff(ticks)
    if len(steps) == 0:
        return True
    step = float(steps[0])
    mantissa = step / 10 ** math.floor(math.log10(step))
    on_grid = all(abs(t / step - round(t / step)) < 1e-6 for t in ticks)
    return np.allclose(steps, step) and round(mantissa, 6) in (1.0, 2.0, 5.0) and on_grid


def test_dual_axis_charts_have_level_zero_lines_and_round_ticks(report) -> None:
    dual = [
        c for c in report.charts if c.figure.to_dict()["layout"].get("yaxis2", {}).get("overlaying")
    ]
    assert {c.key for c in dual} >= {"kpi_trend", "kpi_value", "clv_distribution", "churn_risk"}
    for chart in dual:
        lay = chart.figure.layout
        assert lay.yaxis.range is not None and lay.yaxis2.range is not None, chart.key
        assert _zero_share(lay.yaxis.range) == pytest.approx(_zero_share(lay.yaxis2.range))
        for ax, traces in ((lay.yaxis, "y"), (lay.yaxis2, "y2")):
            ticks = list(ax.tickvals)
            assert _round_step(ticks), (chart.key, ticks)
            assert all(SHORT.match(t) for t in ax.ticktext), (chart.key, ax.ticktext)
            values = np.concatenate(
                [np.asarray(t.y, float) for t in chart.figure.data if (t.yaxis or "y") == traces]
            )
            if np.nanmin(values) >= 0:  # nothing below zero: no tick below zero
                assert min(ticks) >= 0, (chart.key, ticks)


def test_cohort_heatmap_colours_the_ages_that_differ(polish_ws: Path, report) -> None:
    trace = _chart(report, "cohort_heatmap").data[0]
    assert 0 not in list(trace.x)
    z = np.asarray(trace.z, dtype=float)
    assert trace.zmin == 0 and trace.zmax == pytest.approx(np.nanmax(z))
    assert trace.zmax < 100  # the 100% of age 0 no longer sets the scale
    # the first cohort's first later month, counted here from the purchases
    buys = pd.DataFrame(
        _sql(
            polish_ws, "SELECT customer_id, ts FROM transactions WHERE NOT is_refund AND amount > 0"
        ),
        columns=["customer_id", "ts"],
    )
    month = buys["ts"].dt.to_period("M")
    first = month.groupby(buys["customer_id"]).transform("min")
    label = str(trace.y[0])[:7]
    cohort = set(buys.loc[first.astype(str) == label, "customer_id"])
    nxt = pd.Period(label, "M") + 1
    back = set(buys.loc[(month == nxt) & buys["customer_id"].isin(cohort), "customer_id"])
    assert z[0, 0] == pytest.approx(100 * len(back) / len(cohort))


def test_treemap_groups_segments_too_small_to_label() -> None:
    cells = pd.DataFrame(
        {"tier": ["Gold", "Gold", "Gold", "Gold", "Bronze", "Bronze"],
         "segment": ["Champions", "Loyal", "New", "At risk", "Loyal", "Hibernating"],
         "customers": [50, 40, 3, 2, 300, 5],
         "clv": [6000.0, 3000.0, 60.0, 40.0, 900.0, 30.0],
         "mean_clv": [120.0, 75.0, 20.0, 20.0, 3.0, 6.0]}
    )  # fmt: skip
    tm = treemap_chart(cells).data[0]
    leaves = dict(zip(tm.ids[2:], tm.values[2:], strict=True))
    assert leaves["Gold/other (2 segments)"] == pytest.approx(100.0)
    assert "Gold/New" not in leaves and "Gold/At risk" not in leaves
    assert "Bronze/Hibernating" in leaves  # alone in its tier: keeps its name
    assert sum(leaves.values()) == pytest.approx(cells["clv"].sum())


def test_report_treemap_keeps_every_unit_of_value(polish_ws: Path, report) -> None:
    tm = _chart(report, "segment_treemap").data[0]
    total = _sql(
        polish_ws,
        "SELECT sum(c) FROM (SELECT tier, segment, sum(clv) AS c FROM scores WHERE run_id = ?"
        " GROUP BY ALL) WHERE c > 0",
        [report.runs["segments"]],
    )[0][0]
    tiers = sum(1 for p in tm.parents if p == "")
    assert sum(tm.values[tiers:]) == pytest.approx(total)
    small = [v for v in tm.values[tiers:] if v < 0.02 * total]
    parents = [
        p for p, v in zip(tm.parents[tiers:], tm.values[tiers:], strict=True) if v < 0.02 * total
    ]
    assert len(parents) == len(set(parents)), "two small boxes left side by side in a tier"
    assert len(small) <= tiers
    assert _chart(report, "segment_treemap").layout.uniformtext.mode == "hide"


def _section_html(html: str, key: str) -> str:
    start = html.index(f'<section id="{key}"')
    return html[start : html.index("</section>", start)]


def test_jargon_is_explained_beside_it(report) -> None:
    html = render_html(report, plotly_src="/x.js")
    quality = _section_html(html, "clv_quality")
    assert "BIC" in quality and "Bayesian information criterion" in quality
    value = _section_html(html, "value")
    assert "mean p alive" in value and "<dt>P(alive)</dt>" in value
    assert "still a customer" in value


@pytest.fixture(scope="module")
def client(polish_ws: Path):
    from cvm.api import Settings, create_app

    with TestClient(create_app(Settings(workspace=polish_ws, open=True))) as c:
        yield c


def test_earlier_day_with_a_segment_is_an_html_page_with_what_exists(
    polish_ws: Path, client: TestClient, report
) -> None:
    choice = next(c for c in report.segment_choices if c.startswith("tier:"))
    page = client.get("/dashboard", params={"as_of": EARLY, "segment": choice})
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    first = _sql(
        polish_ws, "SELECT min(CAST(cutoff AS DATE)) FROM model_runs WHERE kind = 'segments'"
    )
    day = f"{first[0][0]:%Y-%m-%d}"
    text = page.text
    assert f"no segments run on or before {EARLY}" in text
    assert f"the first segments are as of {day}" in text
    assert f'href="/dashboard?as_of={day}&amp;segment={choice.replace(":", "%3A")}"' in text
    assert f'href="/dashboard?as_of={EARLY}"' in text  # the same day, all customers
    assert '<form class="filters"' in text
    unknown = client.get("/dashboard", params={"segment": "tier:nope"})
    assert unknown.status_code == 400 and "unknown segment" in unknown.text
    assert unknown.headers["content-type"].startswith("text/html")


def test_earlier_day_alone_offers_the_first_day_with_scores(
    polish_ws: Path, client: TestClient
) -> None:
    page = client.get("/dashboard", params={"as_of": EARLY})
    assert page.status_code == 200
    first = _sql(
        polish_ws,
        "SELECT min(CAST(cutoff AS DATE)) FROM model_runs r WHERE kind = 'clv' AND EXISTS"
        " (SELECT 1 FROM scores s WHERE s.run_id = r.run_id AND s.clv IS NOT NULL)",
    )
    day = f"{first[0][0]:%Y-%m-%d}"
    assert "no CLV scores yet" not in page.text
    assert f"no CLV scores on or before {EARLY}: the first are as of {day}" in page.text
    assert f'href="/dashboard?as_of={day}"' in page.text
