"""KPIs against hand-counted flows, and reconciled on a simulated business."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cvm._exceptions import ConfigError, DataError
from cvm.campaigns import measure_campaign
from cvm.report.kpis import (
    clv_distribution,
    cohort_table,
    customer_equity,
    imported_outcomes,
    kpi_snapshot,
    kpi_timeseries,
    segment_migration,
    segment_summary,
)
from cvm.workspace import Workspace
from demo_workspace import open_demo

# c1 buys Jan, Feb, Mar; c2 Jan and Mar; c3 Feb; c4 twice in Mar; c5 Jan (and a refund in Feb)
ORDERS = [
    ("t1", "c1", "2024-01-05", 10.0, False), ("t2", "c1", "2024-02-05", 20.0, False),
    ("t3", "c1", "2024-03-05", 30.0, False), ("t4", "c2", "2024-01-10", 40.0, False),
    ("t5", "c2", "2024-03-10", 50.0, False), ("t6", "c3", "2024-02-15", 60.0, False),
    ("t7", "c4", "2024-03-01", 70.0, False), ("t8", "c4", "2024-03-31 23:00", 80.0, False),
    ("t9", "c5", "2024-01-20", 90.0, False), ("t10", "c5", "2024-02-20", -90.0, True),
]  # fmt: skip


@pytest.fixture
def hand(workspace: Workspace) -> Workspace:
    workspace.con.executemany(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount, is_refund)"
        " VALUES (?, ?, CAST(? AS TIMESTAMP), ?, ?)",
        ORDERS,
    )
    return workspace


def test_flows_by_hand(hand: Workspace) -> None:
    ts = kpi_timeseries(hand, "2024-02-01", "2024-03-31").set_index("period_start")
    feb, mar = ts.loc["2024-02-01"], ts.loc["2024-03-01"]
    cols = ["active", "new", "retained", "reactivated", "churned", "previous_active"]
    assert feb[cols].tolist() == [2, 1, 1, 0, 2, 3]  # c1, c3 active; c2, c5 churned
    assert mar[cols].tolist() == [3, 1, 1, 1, 1, 2]  # c4 new, c1 retained, c2 back; c3 gone
    assert feb["retention_rate"] == pytest.approx(1 / 3)
    assert mar["churn_rate"] == pytest.approx(1 / 2)
    assert feb["repeat_purchase_rate"] == pytest.approx(1 / 2)  # c1 has two purchases
    assert mar["repeat_purchase_rate"] == pytest.approx(1.0)  # c1 3, c2 2, c4 2
    assert (feb["revenue"], feb["refunds"], feb["net_revenue"]) == (80.0, 90.0, -10.0)
    assert mar["orders"] == 4
    assert mar["average_order_value"] == pytest.approx(230 / 4)
    assert mar["purchase_frequency"] == pytest.approx(4 / 3)
    assert mar["revenue_per_customer"] == pytest.approx(230 / 3)
    assert mar["customers_to_date"] == 5


def test_snapshot_is_the_trailing_period(hand: Workspace) -> None:
    snap = kpi_snapshot(hand, "2024-03-31").iloc[0]
    march = kpi_timeseries(hand, "2024-03-01", "2024-03-31").iloc[0]
    for col in ("active", "new", "retained", "reactivated", "churned", "revenue"):
        assert snap[col] == march[col]
    mid = kpi_snapshot(hand, "2024-03-09").iloc[0]  # 2024-02-10 .. 2024-03-09 vs the month before
    assert (mid["period_start"], mid["period_end"]) == (
        pd.Timestamp("2024-02-10"),
        pd.Timestamp("2024-03-10"),
    )
    assert (mid["active"], mid["new"], mid["retained"], mid["reactivated"]) == (3, 2, 1, 0)
    assert pd.isna(snap["customer_equity"])  # no CLV run yet


def test_cohorts_by_hand(hand: Workspace) -> None:
    c = cohort_table(hand)
    sizes = c.groupby("cohort")["cohort_size"].first()
    assert sizes.to_dict() == {
        pd.Timestamp("2024-01-01"): 3,
        pd.Timestamp("2024-02-01"): 1,
        pd.Timestamp("2024-03-01"): 1,
    }
    jan = c[c["cohort"] == "2024-01-01"].set_index("age")
    assert jan["customers"].tolist() == [3, 1, 2]
    assert jan["retention"].tolist() == pytest.approx([1.0, 1 / 3, 2 / 3])
    assert jan.loc[2, "revenue"] == 80.0
    assert c[c["cohort"] == "2024-03-01"]["age"].tolist() == [0]


def test_bad_options(hand: Workspace) -> None:
    with pytest.raises(ConfigError, match="unknown frequency 'X'"):
        kpi_timeseries(hand, freq="X")
    with pytest.raises(ConfigError, match="not a date"):
        kpi_snapshot(hand, "yesterday-ish")
    with pytest.raises(DataError, match="no CLV run"):
        clv_distribution(hand)


def test_no_transactions_is_a_clear_error(workspace: Workspace) -> None:
    with pytest.raises(DataError, match="no transactions"):
        kpi_timeseries(workspace)


def test_segments_and_migration(hand: Workspace) -> None:
    con = hand.con
    for run, created, labels in (
        ("s1", "2024-01-01", {"c1": "champions", "c2": "at risk", "c3": "new"}),
        ("s2", "2024-02-01", {"c1": "champions", "c2": "champions", "c4": "new"}),
    ):
        con.execute(
            "INSERT INTO model_runs (run_id, kind, created_at) VALUES (?, 'segments', ?)",
            [run, created],
        )
        con.executemany(
            "INSERT INTO scores (run_id, customer_id, segment, clv) VALUES (?, ?, ?, ?)",
            [(run, c, s, 10.0) for c, s in labels.items()],
        )
    summary = segment_summary(hand).set_index("group")
    assert summary["customers"].to_dict() == {"champions": 2, "new": 1}
    assert summary.loc["champions", "share"] == pytest.approx(2 / 3)
    moves = segment_migration(hand).set_index(["from_group", "to_group"])["customers"]
    assert moves.to_dict() == {
        ("(none)", "new"): 1,
        ("at risk", "champions"): 1,
        ("champions", "champions"): 1,
        ("new", "(none)"): 1,
    }


def test_campaign_lift_and_roi(hand: Workspace) -> None:
    con = hand.con
    con.execute(
        "INSERT INTO offers (offer_id, kind, channel, cost) VALUES ('o', 'discount', 'email', 2)"
    )
    con.execute(
        "INSERT INTO campaigns (campaign_id, name, offer_id, starts, response_days, status)"
        " VALUES ('k', 'spring', 'o', '2024-03-01', 30, 'completed')"
    )
    arms = [("c1", "treatment"), ("c4", "treatment"), ("c3", "treatment"), ("c2", "control"),
            ("c5", "control")]  # fmt: skip
    con.executemany(
        "INSERT INTO assignments VALUES ('k', ?, ?, NULL, '2024-02-28')", [list(a) for a in arms]
    )
    assert imported_outcomes(hand).empty  # results are those a measurement stored
    measure_campaign(hand, "k", n_boot=100)
    out = imported_outcomes(hand, margin=0.5).iloc[0]
    # nobody was contacted: every window runs from the assignment, 2024-02-28 .. 2024-03-29:
    # treated c1 30, c4 70 (t8 is after the window), c3 0
    assert out["conversion"] == pytest.approx(2 / 3)
    assert out["control_conversion"] == pytest.approx(1 / 2)  # c2 bought 50
    assert out["lift"] == pytest.approx(2 / 3 - 1 / 2)
    assert out["incremental_revenue"] == pytest.approx((100 / 3 - 25) * 3)
    assert out["cost"] == pytest.approx(6.0)
    assert out["roi"] == pytest.approx((0.5 * 25 - 6) / 6)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    yield from open_demo(tmp_path_factory.mktemp("kpis"), n_customers=600, seed=1)


def test_flows_reconcile_on_a_simulated_business(demo: Workspace) -> None:
    ts = kpi_timeseries(demo)
    assert len(ts) == 36
    assert (ts["new"] + ts["retained"] + ts["reactivated"] == ts["active"]).all()
    assert (ts["retained"] + ts["churned"] == ts["previous_active"]).all()
    assert (ts["previous_active"].iloc[1:].to_numpy() == ts["active"].iloc[:-1].to_numpy()).all()
    buyers, revenue = demo.con.execute(
        "SELECT count(DISTINCT customer_id), sum(amount) FROM transactions"
        " WHERE NOT is_refund AND amount > 0"
    ).fetchall()[0]
    assert ts["new"].sum() == buyers == ts["customers_to_date"].iloc[-1]
    assert ts["revenue"].sum() == pytest.approx(revenue)
    weekly = kpi_timeseries(demo, "2025-01-01", "2025-06-30", freq="W")
    assert (weekly["new"] + weekly["retained"] + weekly["reactivated"] == weekly["active"]).all()


def test_cohorts_reconcile_on_a_simulated_business(demo: Workspace) -> None:
    c = cohort_table(demo)
    buyers = demo.con.execute(
        "SELECT count(DISTINCT customer_id) FROM transactions WHERE NOT is_refund AND amount > 0"
    ).fetchall()[0][0]
    assert c.groupby("cohort")["cohort_size"].first().sum() == buyers
    assert (c.loc[c["age"] == 0, "retention"] == 1.0).all()
    ts = kpi_timeseries(demo).set_index("period_start")
    # customers active in a month = the sum over cohorts of those active at that age
    c["period"] = [
        d + pd.DateOffset(months=int(a)) for d, a in zip(c["cohort"], c["age"], strict=True)
    ]
    active = c.groupby("period")["customers"].sum()
    assert (active.reindex(ts.index).to_numpy() == ts["active"].to_numpy()).all()


def test_equity_and_clv_distribution(demo: Workspace) -> None:
    equity = customer_equity(demo)
    total = demo.con.execute(
        "SELECT sum(clv) FROM scores JOIN model_runs USING (run_id) WHERE kind = 'clv'"
    ).fetchall()[0][0]
    assert len(equity) == 1
    assert equity["customer_equity"].iloc[0] == pytest.approx(total)
    dist = clv_distribution(demo)
    assert dist["customer_equity"] == pytest.approx(total)
    assert dist["p10"] <= dist["p50"] <= dist["p90"]
    assert 0.1 < dist["top10_share"] < dist["top20_share"] < 1
    snap = kpi_snapshot(demo).iloc[0]
    assert snap["customer_equity"] == pytest.approx(total)


def test_campaign_results_are_the_stored_measurement(demo: Workspace) -> None:
    # the demo measured the simulator's past campaign: the results read that measurement
    results = imported_outcomes(demo)
    assert len(results) >= 1
    priors = demo.con.execute(
        "SELECT campaign_id, arm, metric, n_treatment, lift FROM response_priors"
        " WHERE segment = 'all'"
    ).df()
    conversion = priors[priors["metric"] == "conversion"].set_index(["campaign_id", "arm"])
    revenue = priors[priors["metric"] == "revenue"].set_index(["campaign_id", "arm"])
    keyed = results.set_index(["campaign_id", "arm"])
    assert set(keyed.index) == set(conversion.index)
    assert keyed["customers"].to_dict() == conversion["n_treatment"].to_dict()
    assert keyed["lift"].to_numpy() == pytest.approx(conversion.loc[keyed.index, "lift"])
    assert keyed["incremental_revenue"].to_numpy() == pytest.approx(
        (revenue.loc[keyed.index, "lift"] * keyed["customers"]).to_numpy()
    )


def test_cli_kpis(demo: Workspace, runner, tmp_path: Path) -> None:
    from cvm.cli import app

    path = str(demo.path)
    demo.close()  # the CLI opens the workspace itself
    try:
        out = tmp_path / "charts"
        result = runner.invoke(
            app,
            ["kpis", "-w", path, "--as-of", "2025-06-30", "--from", "2025-01-01", "--to",
             "2025-06-30", "--cohorts", "--out", str(out)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "reactivated" in result.output and "cohort retention" in result.output
        for name in ("kpi_trend", "kpi_value", "cohort_retention", "customer_equity"):
            assert (out / f"{name}.html").exists()
        bad = runner.invoke(app, ["kpis", "-w", path, "--freq", "fortnight"])
        assert bad.exit_code == 1 and "unknown frequency" in bad.output
    finally:
        demo.con = Workspace.open(path).con
