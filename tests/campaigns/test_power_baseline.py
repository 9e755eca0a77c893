"""The baseline conversion of `cvm campaign plan` is the share of ALL customers seen before the
window who bought in it, counted here from the export itself, not by the workspace's SQL.

It used to average only over customers with revenue in the window (the others were NULL and
left out), so it said 97% where the true share was about 13%, and the sample sizes were wrong.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm.campaigns import baseline_from_history, plan_test
from cvm.cli import app
from cvm.ingest import load_file
from cvm.workspace import Workspace

WINDOW = 30
END = pd.Timestamp("2025-12-31 18:00")


@pytest.fixture(params=["with customer file", "orders only"])
def history(
    request: pytest.FixtureRequest, workspace: Workspace, tmp_path: Path
) -> tuple[Workspace, pd.DataFrame]:
    """200 customers (ids with leading zeros) who bought in 2025; about one in eight buys in
    the last 30 days; one of those buys $0, another only returns an order. With or without a
    customer file (a shop's first export has orders only)."""
    rng = np.random.default_rng(7)
    rows = []
    for k in range(200):
        cid = f"{k:06d}"
        rows.append((f"A{k}", cid, pd.Timestamp("2025-01-01") + pd.Timedelta(days=k), 40.0))
        if rng.random() < 0.13:
            day = END - pd.Timedelta(days=float(rng.uniform(0, WINDOW - 1)))
            rows.append((f"B{k}", cid, day, round(float(rng.uniform(5, 300)), 2)))
    rows.append(("Z1", "000001", END - pd.Timedelta(days=3), 0.0))  # a $0 order: no purchase
    rows.append(("R1", "000002", END - pd.Timedelta(days=2), -40.0))  # a refund: no purchase
    rows.append(("LAST", "000003", END, 55.0))
    orders = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount"])
    orders["order_date"] = pd.to_datetime(orders["order_date"]).dt.strftime("%Y-%m-%d %H:%M:%S")
    orders.to_csv(tmp_path / "orders.csv", index=False)
    if request.param == "with customer file":
        first = orders.groupby("customer_id")["order_date"].min()
        people = pd.DataFrame({"customer_id": first.index, "first_seen": first.to_numpy()})
        people.to_csv(tmp_path / "customers.csv", index=False)
        load_file(workspace, "customers", tmp_path / "customers.csv")
    load_file(workspace, "transactions", tmp_path / "orders.csv")
    return workspace, orders


def _true_conversion(orders: pd.DataFrame) -> float:
    """Customers with a first order before the window, and the share of them with a purchase
    (positive amount) in it, from the export rows."""
    ts = pd.to_datetime(orders["order_date"])
    since = ts.max() - pd.Timedelta(days=WINDOW)
    first = orders.assign(ts=ts).groupby("customer_id")["ts"].min()
    base = set(first[first < since].index)
    bought = set(orders.loc[(ts >= since) & (orders["amount"] > 0), "customer_id"])
    return len(base & bought) / len(base)


def test_baseline_counts_every_customer_not_only_buyers(history) -> None:
    ws, orders = history
    truth = _true_conversion(orders)
    assert 0.05 < truth < 0.25
    conversion, mean, sd = baseline_from_history(ws, WINDOW)
    assert conversion == pytest.approx(truth, abs=1e-12)
    assert 0 < mean < 60 and sd > 0


def test_campaign_plan_prints_the_true_baseline_and_its_sizes(history, runner) -> None:
    ws, orders = history
    truth = _true_conversion(orders)
    path = ws.path
    ws.close()
    out = runner.invoke(app, ["campaign", "plan", "--lift", "0.01", "-w", str(path)])
    assert out.exit_code == 0, out.output
    assert f"conversion {truth:.2%} → {truth + 0.01:.2%}" in out.output
    sizes = plan_test(truth, 0.01)
    assert f"{sizes.conversion_control:,} controls" in out.output
