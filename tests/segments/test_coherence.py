"""One story on demo-like data: P(alive), RFM segments, lifecycle stages and churn figures
agree with each other, and every churn figure says what it measures."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd
import pytest

from cvm.workspace import Workspace
from demo_workspace import open_demo


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    yield from open_demo(tmp_path_factory.mktemp("coherence"), n_customers=1500, seed=5)


def _latest(ws: Workspace, kind: str) -> str:
    return str(
        ws.con.execute(
            "SELECT run_id FROM model_runs WHERE kind = ? ORDER BY created_at DESC LIMIT 1",
            [kind],
        ).fetchall()[0][0]
    )


def test_the_default_model_does_not_hold_one_time_buyers_alive(ws: Workspace) -> None:
    model, metrics = ws.con.execute(
        "SELECT model, metrics FROM model_runs WHERE run_id = ?", [_latest(ws, "clv")]
    ).fetchall()[0]
    assert model == "mbgnbd"
    one_time = ws.con.execute(
        "SELECT min(p_alive), max(p_alive) FROM scores WHERE run_id = ? AND frequency = 0",
        [_latest(ws, "clv")],
    ).fetchall()[0]
    assert one_time[1] < 1.0  # BG/NBD would give exactly 1 to each of them
    assert {r["model"] for r in json.loads(metrics)["comparison"]} >= {"mbgnbd", "bgnbd"}


def test_rfm_segments_and_p_alive_agree(ws: Workspace) -> None:
    from cvm.segments.runs import segment_summary

    rfm = segment_summary(ws, _latest(ws, "segments")).xs("rfm", level="kind")
    assert rfm.loc["Lost", "mean_p_alive"] < 0.5
    assert rfm.loc["Lost", "mean_p_alive"] < rfm.loc["Champions", "mean_p_alive"]
    assert rfm.loc["Can't lose them", "mean_p_alive"] < rfm.loc["Loyal", "mean_p_alive"]


def test_rfm_labels_and_lifecycle_agree(ws: Workspace) -> None:
    # customers with contracts are staged by their contracts first (README, lifecycle stages):
    # the purchase-only customers are where RFM and lifecycle read the same behaviour
    frame = ws.con.execute(
        "SELECT s.segment, s.lifecycle FROM scores AS s WHERE s.run_id = ?"
        " AND s.customer_id NOT IN (SELECT customer_id FROM subscriptions)",
        [_latest(ws, "segments")],
    ).df()
    assert len(frame) > 500
    table = pd.crosstab(frame["segment"], frame["lifecycle"])
    gone = table.loc[["Lost", "Can't lose them"]]
    # the long-silent segments are never called active, new or reactivated ...
    assert gone.reindex(columns=["active", "new", "reactivated"], fill_value=0).sum().sum() == 0
    # ... and the best recent customers are never called churned
    assert table.reindex(columns=["churned"], fill_value=0).loc["Champions"].sum() == 0


def test_churn_figures_are_defined_and_consistent(ws: Workspace) -> None:
    from cvm.report import build_report

    run = _latest(ws, "segments")
    risk = ws.con.execute(
        "SELECT avg(churn_risk), count(*) FILTER (WHERE churn_risk >= 0.5), count(churn_risk)"
        " FROM scores WHERE run_id = ?",
        [run],
    ).fetchall()[0]
    observed = json.loads(
        ws.con.execute(
            "SELECT metrics FROM model_runs WHERE run_id = ?", [_latest(ws, "churn")]
        ).fetchall()[0][0]
    )["model"]["churn_rate"]
    # calibrated risk: the mean predicted share with no purchase in the next 90 days is close
    # to the share observed on the validation window
    assert abs(risk[0] - observed) < 0.1
    report = build_report(ws, evaluate=False)
    sections = {s.key: s for s in report.sections}
    churn = sections["churn"]
    assert "probability of no purchase in the next 90 days" in churn.lead
    cards = {c.label: c for c in churn.cards}
    assert cards["risk ≥ 50%"].value == f"{risk[1]:,}"
    headline = {c.label: c for c in sections["headline"].cards}
    assert "period churn" in headline and "not contract churn" in headline["period churn"].note
