"""The as-of profile: one row per customer, prospects included, nothing after the day."""

from __future__ import annotations

import pytest

from cvm.clv.profile import profile_frame
from cvm.features.profile import PROFILE_COLUMNS
from cvm.workspace import Workspace
from handmade import add_customer, add_event, add_orders


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    add_customer(workspace, "A", "2024-01-01", consent_email=True, attributes='{"tier": "gold"}')
    add_orders(workspace, "A", ["2024-01-10", "2024-02-10", "2024-04-10"], 100.0, "web")
    add_orders(workspace, "A", ["2024-05-10"], 40.0, "store")
    workspace.con.execute(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount, is_refund, refund_of)"
        " VALUES ('A-r', 'A', '2024-04-20', -30, true, 'A-2024-04-10-2')"
    )
    workspace.con.execute(
        "INSERT INTO order_items (transaction_id, line_no, product_id, category, quantity,"
        " amount) VALUES ('A-2024-01-10-0', 1, 'p1', 'shoes', 1, 100),"
        " ('A-2024-02-10-1', 1, 'p2', 'bags', 1, 100)"
    )
    add_event(workspace, "A", "2024-05-15")
    add_event(workspace, "P", "2024-05-05")  # a prospect seen only in events
    add_orders(workspace, "LATE", ["2024-07-01"])  # after the as-of day
    return workspace


def test_profile_columns_and_values(ws: Workspace) -> None:
    p = profile_frame(ws, "2024-05-31", fit_clv=False)
    assert set(p.index) == {"A", "P"}
    assert list(p.reset_index().columns) == list(PROFILE_COLUMNS)
    a = p.loc["A"]
    assert a["orders"] == 4 and a["refunds"] == 1
    assert a["revenue"] == pytest.approx(100 * 3 + 40 - 30)
    assert a["days_since_last"] == 21  # 2024-05-10 -> 2024-05-31
    assert a["ipt_mean"] == pytest.approx((31 + 60 + 30) / 3)
    assert a["last_gap"] == 30
    assert a["channel_shares"] == {"web": 0.75, "store": 0.25}
    assert a["main_channel"] == "web"
    assert list(a["categories"]) == ["bags", "shoes"]
    assert a["events_30d"] == 1 and a["consent_email"]
    assert not a["is_prospect"]
    assert p.loc["P", "is_prospect"] and p.loc["P", "orders"] == 0


def test_profile_attribute_access_and_as_of(ws: Workspace) -> None:
    from cvm.features.profile import customer_profile

    table = customer_profile(ws, "2024-02-15")  # SQL only: no CLV fit
    rows = ws.con.execute(
        f"SELECT customer_id, orders, attributes->>'tier' FROM {table} ORDER BY 1"
    ).fetchall()
    assert rows == [("A", 2, "gold")]  # the prospect's first event is later


def test_clv_left_null_when_it_cannot_be_fitted(ws: Workspace) -> None:
    p = profile_frame(ws, "2024-05-31")  # one buyer: BG/NBD is not identified
    assert p["clv"].isna().all() and p["p_alive"].isna().all()
