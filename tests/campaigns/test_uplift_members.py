"""Uplift keeps every member of a randomized test and evaluates each arm against control only.

Two defects seen on a real three-arm e-mail test: members whose ``first_seen`` fell after the
day before the start (visit events loaded later set it) were silently dropped, which dropped
all 578 converters, so every prediction was 0; and the held-out Qini scored the first arm's
model against all treated rows pooled.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm.campaigns import fit_campaign_uplift, import_campaign, measure_campaign
from cvm.ingest import load_file
from cvm.workspace import Workspace

CAMPAIGNS = (
    "campaign_id,name,channel,starts,ends,response_days,control_fraction,status\n"
    "{cid},Spring test,email,2025-03-01,2025-03-07,14,0.5,completed\n"
)


def _workspace(root: Path, arms: dict[str, float], n: int, seed: int) -> tuple[Workspace, dict]:
    """Customers half known since 2024 (with a purchase), half first seen mid-campaign.

    ``arms`` maps each arm to its conversion rate among customers with ``tier = gold``;
    silver customers convert at the control rate in every arm. Converters buy on 5 March.
    """
    rng = np.random.default_rng(seed)
    ws = Workspace.create(root / "ws")
    ids = [f"{i:06d}" for i in range(1, n + 1)]  # ids with leading zeros, as CRM exports
    late = rng.random(n) < 0.5
    tier = np.where(rng.random(n) < 0.5, "gold", "silver")
    frame = pd.DataFrame(  # noqa: F841 - read by SQL
        {
            "customer_id": ids,
            "first_seen": np.where(late, "2025-03-04", "2024-01-01"),
            "attributes": [json.dumps({"tier": t, "age": int(a)})
                           for t, a in zip(tier, rng.integers(18, 80, n), strict=True)],
        }
    )  # fmt: skip
    ws.con.execute(
        "INSERT INTO customers (customer_id, first_seen, consent_email, attributes)"
        " SELECT customer_id, CAST(first_seen AS TIMESTAMP), TRUE, attributes FROM frame"
    )
    names = list(arms)
    arm = np.array(names)[rng.integers(0, len(names), n)]
    base = arms["control"]
    rate = np.where(tier == "gold", pd.Series(arms)[arm].to_numpy(), base)
    converted = rng.random(n) < rate
    cid = "TEST1"
    (root / "campaigns.csv").write_text(CAMPAIGNS.format(cid=cid))
    pd.DataFrame({"campaign_id": cid, "customer_id": ids, "arm": arm}).to_csv(
        root / "assignments.csv", index=False
    )
    old = np.flatnonzero(~late)
    tx = pd.concat(
        [
            pd.DataFrame({"customer_id": np.array(ids)[old], "order_date": "2024-06-01",
                          "amount": "25.00"}),
            pd.DataFrame({"customer_id": np.array(ids)[converted], "order_date": "2025-03-05",
                          "amount": "40.00"}),
        ]
    )  # fmt: skip
    tx.insert(0, "order_id", [f"O{i}" for i in range(len(tx))])
    tx.to_csv(root / "orders.csv", index=False)
    load_file(ws, "transactions", root / "orders.csv")
    import_campaign(ws, root / "campaigns.csv", root / "assignments.csv")
    measure_campaign(ws, cid, n_boot=100)
    truth = {"late": int(late.sum()), "converters": int(converted.sum()),
             "late_converters": int((late & converted).sum()), "n": n}  # fmt: skip
    return ws, truth


@pytest.fixture(scope="module")
def late_members(tmp_path_factory):
    ws, truth = _workspace(
        tmp_path_factory.mktemp("late"), {"control": 0.1, "email": 0.45}, 3000, seed=1
    )
    yield ws, truth
    ws.close()


def test_members_first_seen_after_the_cutoff_are_kept(late_members):
    ws, truth = late_members
    assert truth["late_converters"] > 100  # the fixture reproduces the case
    result = fit_campaign_uplift(ws, "TEST1", seed=0)
    assert result.excluded == {}
    assert result.metrics["train_rows"] + result.metrics["test_rows"] == truth["n"]
    assert any(f"{truth['late']:,} of {truth['n']:,} members had no purchase" in note
               for note in result.notes)  # fmt: skip
    uplift = result.scores.set_index("customer_id")["uplift"]
    assert uplift.std() > 0.05  # not all 0: gold customers respond, silver do not
    gold = ws.con.execute(
        "SELECT customer_id FROM customers WHERE attributes->>'tier' = 'gold'"
    ).df()["customer_id"]
    is_gold = uplift.index.isin(gold)
    assert uplift[is_gold].mean() - uplift[~is_gold].mean() > 0.2
    assert result.qini > 0


def test_a_member_without_a_customer_row_is_counted_with_its_reason(late_members):
    ws, truth = late_members
    ws.con.execute("DELETE FROM customers WHERE customer_id IN ('000001', '000002')")
    try:
        result = fit_campaign_uplift(ws, "TEST1", seed=0)
    finally:
        ws.con.execute(
            "INSERT INTO customers (customer_id, first_seen) VALUES ('000001', NULL),"
            " ('000002', NULL)"
        )
    assert result.excluded == {"not in the customers table": 2}
    assert result.metrics["train_rows"] + result.metrics["test_rows"] == truth["n"] - 2
    assert "2 members left out: not in the customers table" in result.notes


def test_each_arm_is_evaluated_against_control_only(tmp_path):
    ws, _ = _workspace(tmp_path, {"control": 0.1, "a_real": 0.5, "b_none": 0.1}, 6000, seed=2)
    try:
        result = fit_campaign_uplift(ws, "TEST1", seed=0)
    finally:
        ws.close()
    real, none = result.arms["a_real"], result.arms["b_none"]
    # each arm's held-out rows are its own treated and the control, never the arms pooled
    assert real.n_control == none.n_control
    assert real.n_treatment + none.n_treatment + real.n_control == result.metrics["test_rows"]
    top_real = real.deciles["observed_uplift"].iloc[:3].mean()
    top_none = none.deciles["observed_uplift"].iloc[:3].mean()
    assert top_real > 0.25 and abs(top_none) < 0.1
    assert real.qini > 0.2 and real.qini > none.qini + 0.2
    assert set(result.metrics["arms"]) == {"a_real", "b_none"}
