"""Lifecycle stages on constructed histories, RFM scores and tiers on hand-made customers."""

from __future__ import annotations

import pytest

from cvm.segments import read_settings, segment_frame
from cvm.workspace import Workspace
from handmade import add_customer, add_event, add_orders


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    # one customer's whole life: browsing, three monthly orders, a year away, a comeback
    add_event(workspace, "A", "2023-12-01")
    add_orders(workspace, "A", ["2024-01-01", "2024-01-31", "2024-03-01", "2025-04-01"])
    return workspace


@pytest.mark.parametrize(
    ("as_of", "stage"),
    [
        ("2023-12-15", "prospect"),  # events, no purchase
        ("2024-01-15", "new"),  # first purchase 14 days ago
        ("2024-04-15", "active"),  # 45 days since last, own rhythm 30 days: ratio 1.5
        ("2024-05-15", "at_risk"),  # 75 days: ratio 2.5
        ("2024-07-15", "lapsed"),  # 136 days: ratio 4.5
        ("2025-03-15", "churned"),  # over 365 days without a purchase
        ("2025-04-10", "reactivated"),  # bought after a 396-day gap
        ("2025-08-01", "active"),  # 122 days since, own rhythm now 152 days
    ],
)
def test_lifecycle_transitions(ws: Workspace, as_of: str, stage: str) -> None:
    frame = segment_frame(ws, as_of, fit_clv=False)
    assert frame.loc["A", "lifecycle"] == stage


def test_thresholds_are_configurable(ws: Workspace) -> None:
    settings = read_settings({"lifecycle": {"at_risk_ratio": 3.0}})
    frame = segment_frame(ws, "2024-05-15", settings, fit_clv=False)
    assert frame.loc["A", "lifecycle"] == "active"


def test_subscription_contract_state_decides(workspace: Workspace) -> None:
    add_orders(workspace, "S", ["2024-01-01"])
    add_orders(workspace, "E", ["2024-01-01"])
    workspace.con.execute(
        "INSERT INTO subscriptions (subscription_id, customer_id, started, ended) VALUES"
        " ('s1', 'S', '2024-01-01', NULL), ('s2', 'E', '2024-01-01', '2024-03-01')"
    )
    frame = segment_frame(workspace, "2024-06-30", fit_clv=False)
    assert frame.loc["S", "lifecycle"] == "active"  # 181 days since a purchase, contract runs
    assert frame.loc["E", "lifecycle"] == "churned"  # contract ended


def test_rfm_scores_tiers_and_named_segments(workspace: Workspace) -> None:
    # ten customers: k orders of 10 * k, last order k days before the as-of day
    for k in range(1, 11):
        add_customer(workspace, f"C{k:02d}", "2023-01-01")
        days = [f"2024-{m:02d}-01" for m in range(1, k)] + [f"2024-12-{31 - k:02d}"]
        add_orders(workspace, f"C{k:02d}", days, 10.0 * k)
    settings = read_settings({"tiers": {"shares": [0.1, 0.2], "names": ["top", "mid", "rest"]}})
    frame = segment_frame(workspace, "2024-12-31", settings, fit_clv=False)
    assert frame["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert frame["f_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert frame.loc["C01", "rfm_segment"] == "New"  # very recent, one order
    assert frame.loc["C10", "rfm_segment"] == "Can't lose them"  # best buyer, least recent
    assert frame["tier"].isna().all()  # no CLV, no tier
    workspace.con.execute("UPDATE customer_profile SET clv = revenue")
    from cvm.segments import segment_table

    segment_table(workspace, "2024-12-31", settings, profile="customer_profile")
    tiers = workspace.con.execute(
        "SELECT tier, count(*) FROM customer_segments GROUP BY 1 ORDER BY 2"
    ).fetchall()
    assert tiers == [("top", 1), ("mid", 2), ("rest", 7)]
