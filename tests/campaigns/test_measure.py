"""Import, attribution and measurement: the past campaign's truth, exact windows, priors."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from campaign_helpers import design

from cvm._exceptions import DataError, IngestError
from cvm.campaigns import (
    build_campaign,
    create_campaign,
    export_campaign,
    import_campaign,
    learned_priors,
    measure_campaign,
)


@pytest.fixture(scope="module")
def measured(past_campaign):
    ws, info = past_campaign
    return measure_campaign(ws, "CMP0001"), info


def test_interval_of_the_measured_lift_covers_the_true_lift(measured):
    m, info = measured
    truth = info["truth"]
    conversion, revenue = m.lift("conversion"), m.lift("revenue")
    assert conversion.lower <= truth["sate_conversion"] <= conversion.upper
    assert revenue.lower <= truth["sate_revenue_per_customer"] <= revenue.upper
    boot = m.lift("revenue_bootstrap")
    assert boot.lower <= truth["sate_revenue_per_customer"] <= boot.upper
    assert m.arms.loc["control", "customers"] == truth["control"]
    assert m.arms.loc["treatment", "customers"] == truth["treatment"]
    # the control arm's conversion estimates the untreated baseline
    assert m.arms.loc["control", "conversion_rate"] == pytest.approx(
        truth["baseline_conversion"], abs=0.03
    )


def test_measurement_reconciles_money_and_is_stored(measured, past_campaign):
    ws, _ = past_campaign
    m, _ = measured
    money = m.money.iloc[0]
    n = m.arms.loc["treatment", "customers"]
    assert money["incremental_revenue"] == pytest.approx(m.lift("revenue").lift * n)
    assert money["incremental_margin"] == pytest.approx(money["incremental_revenue"] * 0.3)
    outcomes = ws.con.execute(
        "SELECT arm, sum(revenue), count(*) FROM campaign_outcomes"
        " WHERE campaign_id = 'CMP0001' GROUP BY arm ORDER BY arm"
    ).fetchall()
    assert [r[2] for r in outcomes] == [m.arms.loc["control", "customers"], n]
    assert outcomes[1][1] == pytest.approx(m.arms.loc["treatment", "revenue"])
    status = ws.con.execute("SELECT status FROM campaigns WHERE campaign_id = 'CMP0001'").fetchall()
    assert status == [("completed",)]
    priors = learned_priors(ws, offer_id="OFF10")
    conv = priors[(priors["metric"] == "conversion") & (priors["segment"] == "all")].iloc[0]
    assert conv["lift"] == pytest.approx(m.lift("conversion").lift)
    assert conv["treatment_rate"] == pytest.approx(m.arms.loc["treatment", "conversion_rate"])


def test_import_rejects_unknown_customers_and_campaigns_with_reasons(past_campaign, tmp_path):
    ws, info = past_campaign
    campaigns = pd.read_csv(info["files"]["campaigns"]).assign(campaign_id="CMP0002")
    campaigns.to_csv(tmp_path / "c.csv", index=False)
    good = pd.read_csv(info["files"]["assignments"]).head(50).assign(campaign_id="CMP0002")
    bad = pd.DataFrame(
        {
            "campaign_id": ["CMP0002", "CMP9999", "CMP0002", "CMP0002"],
            "customer_id": ["ZZZ", good["customer_id"].iloc[0], good["customer_id"].iloc[1],
                            good["customer_id"].iloc[2]],
            "arm": ["control", "control", None, "treatment"],
            "assigned_at": [None, None, None, None],
        }
    )  # fmt: skip
    pd.concat([good, bad]).to_csv(tmp_path / "a.csv", index=False)
    result = import_campaign(ws, tmp_path / "c.csv", tmp_path / "a.csv")
    assert result.campaigns == ["CMP0002"] and result.assignments == 50
    assert result.rejected == {
        "unknown customer": 1,
        "unknown campaign": 1,
        "missing arm": 1,
        "duplicate assignment of the customer in the campaign": 1,
    }
    rows = ws.con.execute(
        "SELECT line, reason FROM rejected_rows WHERE load_id = ? ORDER BY line",
        [result.load_id],
    ).fetchall()
    assert rows == [
        (52, "unknown customer ZZZ"),
        (53, "unknown campaign CMP9999"),
        (54, "missing arm"),
        (55, "duplicate assignment of the customer in the campaign"),
    ]
    with pytest.raises(DataError, match="already in the workspace"):
        import_campaign(ws, tmp_path / "c.csv", tmp_path / "a.csv")
    with pytest.raises(IngestError, match="no such file"):
        import_campaign(ws, tmp_path / "missing.csv", tmp_path / "a.csv")


def test_import_of_a_campaign_without_a_control_writes_nothing(past_campaign, tmp_path):
    ws, info = past_campaign
    pd.read_csv(info["files"]["campaigns"]).assign(campaign_id="CMP0003").to_csv(
        tmp_path / "c.csv", index=False
    )
    rows = pd.read_csv(info["files"]["assignments"]).head(20)
    rows.assign(campaign_id="CMP0003", arm="treatment").to_csv(tmp_path / "a.csv", index=False)
    before = ws.con.execute("SELECT count(*) FROM assignments").fetchall()
    with pytest.raises(DataError, match="'control' arm"):
        import_campaign(ws, tmp_path / "c.csv", tmp_path / "a.csv")
    assert ws.con.execute("SELECT count(*) FROM assignments").fetchall() == before
    assert ws.con.execute(
        "SELECT count(*) FROM campaigns WHERE campaign_id = 'CMP0003'"
    ).fetchall() == [(0,)]


def test_unknown_or_unbuilt_campaigns_cannot_be_measured(crm):
    with pytest.raises(DataError, match="unknown campaign 'NOPE'"):
        measure_campaign(crm, "NOPE")
    create_campaign(crm, design())
    with pytest.raises(DataError, match="not been built"):
        measure_campaign(crm, "SPRING")
    assert crm.con.execute("SELECT count(*) FROM model_runs").fetchall() == [(0,)]


def _tx(ws, rows):
    ws.con.executemany(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount, is_refund, refund_of)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def test_attribution_windows_and_refunds_by_hand(crm):
    create_campaign(crm, design(cost_per_contact=0.5, response_days=14),
                    customers=[f"K{i:05d}" for i in range(1, 41)])  # fmt: skip
    build_campaign(crm, "SPRING")
    export_campaign(crm, "SPRING", crm.path / "x.csv", contacted_at=datetime(2025, 3, 3))
    sql = "SELECT customer_id, arm FROM assignments WHERE campaign_id = 'SPRING'"
    arms = dict(crm.con.execute(sql).fetchall())
    treated = sorted(c for c, a in arms.items() if a != "control")
    control = sorted(c for c, a in arms.items() if a == "control")
    t1, t2 = treated[:2]
    c1 = control[0]
    _tx(crm, [
        ("a", t1, datetime(2025, 3, 2), 50.0, False, None),   # before the contact
        ("b", t1, datetime(2025, 3, 5), 80.0, False, None),   # in the window
        ("c", t1, datetime(2025, 4, 1), -30.0, True, "b"),    # its refund, after the window
        ("d", t1, datetime(2025, 3, 18), 70.0, False, None),  # after 14 days from the contact
        ("e", t2, datetime(2025, 3, 4), 20.0, False, None),
        ("f", t2, datetime(2025, 3, 4), -20.0, True, "e"),    # fully refunded: 0 net
        ("g", c1, datetime(2025, 3, 1, 12), 40.0, False, None),  # control: from assignment
        ("h", c1, datetime(2025, 3, 15), 99.0, False, None),  # control: outside its window
    ])  # fmt: skip
    m = measure_campaign(crm, "SPRING")
    outcomes = crm.con.execute(
        "SELECT customer_id, orders, converted, revenue, contacted FROM campaign_outcomes"
        " WHERE customer_id IN (?, ?, ?) ORDER BY customer_id",
        [t1, t2, c1],
    ).fetchall()
    expected = {t1: (1, True, 50.0, True), t2: (1, True, 0.0, True), c1: (1, True, 40.0, False)}
    assert {r[0]: r[1:] for r in outcomes} == expected
    assert m.arms.loc["treatment", "revenue"] == pytest.approx(50.0)
    assert m.arms.loc["control", "conversions"] == 1
    money = m.money.iloc[0]
    assert money["cost"] == pytest.approx(0.5 * len(treated))
    assert money["roi"] == pytest.approx(
        (money["incremental_margin"] - money["cost"]) / money["cost"]
    )
    assert any("under-powered" in w for w in m.warnings)
    assert not any("provisional" in w for w in m.warnings)  # data run past the window


def test_priors_pool_campaigns_of_the_same_offer(crm):
    for cid in ("A1", "A2"):
        create_campaign(crm, design(cid, offer_id="OFF5", overlap="allow"))
        build_campaign(crm, cid)
        sql = (
            "SELECT customer_id FROM assignments WHERE campaign_id = ? AND arm <> 'control'"
            " ORDER BY customer_id LIMIT ?"
        )
        arms = crm.con.execute(sql, [cid, 300 if cid == "A1" else 100]).fetchall()
        _tx(crm, [(f"{cid}{i}", r[0], datetime(2025, 3, 2), 10.0, False, None)
                  for i, r in enumerate(arms)])  # fmt: skip
        m = measure_campaign(crm, cid)
        # transactions stop on 2 March, before the response window ends
        assert any("provisional" in w for w in m.warnings)
    stored = crm.con.execute(
        "SELECT lift, lift_lower, lift_upper FROM response_priors"
        " WHERE metric = 'conversion' AND segment = 'all' ORDER BY campaign_id"
    ).fetchall()
    se = [(u - lo) / (2 * 1.959964) for _, lo, u in stored]
    w = [1 / s**2 for s in se]
    pooled = sum(wi * r[0] for wi, r in zip(w, stored, strict=True)) / sum(w)
    prior = learned_priors(crm, offer_id="OFF5")
    row = prior[(prior["metric"] == "conversion") & (prior["segment"] == "all")].iloc[0]
    assert row["campaigns"] == 2
    assert row["lift"] == pytest.approx(pooled)
    assert row["lift_se"] == pytest.approx(sum(w) ** -0.5)
