"""The plan's headline and its budget-value curve show one number at the planned budget.

They used to disagree: the headline summed the expected incremental value of the exact plan,
the curve summed the optimiser's weighted score (value x offer weight x context) of a
separate Lagrangian plan. With an offer weighted 1.5 the two differ by construction, so the
test fails on that behaviour.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm.cli import app
from cvm.decide import make_plan, parse_offers
from cvm.ingest import load_file
from cvm.workspace import Workspace

AS_OF = "2025-06-30"
BUDGET = 6.0
OFFERS = [
    {"id": "mail-a", "kind": "cross-sell", "channel": "email", "unit_cost": 0.5, "lift": 0.1,
     "margin": 0.4},
    {"id": "mail-b", "kind": "cross-sell", "channel": "email", "unit_cost": 0.3, "lift": 0.05,
     "margin": 0.4, "weight": 1.5},
]  # fmt: skip
CATALOG = """
[decide]
budget = 6.0

[[offers]]
id = "mail-a"
kind = "cross-sell"
channel = "email"
unit_cost = 0.5
lift = 0.1
margin = 0.4

[[offers]]
id = "mail-b"
kind = "cross-sell"
channel = "email"
unit_cost = 0.3
lift = 0.05
margin = 0.4
weight = 1.5
"""


@pytest.fixture
def shop(workspace: Workspace, tmp_path: Path) -> Workspace:
    """Forty customers (ids with leading zeros) with orders of different sizes, a $0 row and
    a refund, loaded from an export as a shop would send it."""
    rng = np.random.default_rng(4)
    rows = []
    for k in range(40):
        cid = f"{k:05d}"
        for n, day in enumerate(("2024-03-02", "2024-11-20", "2025-05-14")[: 1 + k % 3]):
            rows.append((f"{cid}-{n}", cid, day, f"{rng.uniform(10, 400):.2f}"))
    rows += [
        ("00003-z", "00003", "2025-05-20", "0.00"),
        ("00004-r", "00004", "2025-06-01", "-25.00"),
    ]
    people = pd.DataFrame(
        {
            "customer_id": [f"{k:05d}" for k in range(40)],
            "email": [f"c{k}@example.org" for k in range(40)],
            "first_seen": "2024-03-01",
            "consent_email": ["FALSE" if k % 10 == 9 else "TRUE" for k in range(40)],
        }
    )
    people.to_csv(tmp_path / "customers.csv", index=False)
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount"])
    frame.to_csv(tmp_path / "orders.csv", index=False)
    load_file(workspace, "customers", tmp_path / "customers.csv")
    load_file(workspace, "transactions", tmp_path / "orders.csv")
    return workspace


def test_headline_value_is_the_curve_at_the_planned_budget(shop: Workspace) -> None:
    result = make_plan(shop, BUDGET, as_of=AS_OF, offers=parse_offers(OFFERS), curve_points=6)
    chosen = result.chosen
    # the budget binds and the weighted offer is chosen, so score and value differ
    assert 0 < len(chosen) < len(result.customer_ids)
    assert (chosen["offer_id"] == "mail-b").any()
    assert result.solution.objective > result.expected_value + 1e-6
    # the expected value recomputed from its factors, pair by pair (lift x value - cost)
    independent = float((chosen["lift"] * chosen["value"] - chosen["cost"]).sum())
    assert result.expected_value == pytest.approx(independent, rel=1e-5)
    at_budget = result.curve[result.curve["budget"] == BUDGET]
    assert len(at_budget) == 1
    assert float(at_budget["value"].iloc[0]) == pytest.approx(result.expected_value, rel=1e-9)
    assert int(at_budget["customers"].iloc[0]) == len(chosen)
    # more budget never shows less value on the curve
    assert result.curve.sort_values("budget")["value"].is_monotonic_increasing


def test_cli_prints_one_number_for_the_plan(shop: Workspace, runner) -> None:
    config = shop.path / "cvm.toml"
    config.write_text(config.read_text(encoding="utf-8") + CATALOG, encoding="utf-8")
    path = shop.path
    shop.close()
    out = runner.invoke(app, ["plan", "-w", str(path), "--as-of", AS_OF], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    headline = re.search(r"expected incremental value ([\d,]+\.\d\d)", out.output)
    assert headline is not None, out.output
    row = next(line for line in out.output.splitlines() if re.match(r"\W*6\.00\s*\W", line))
    curve_value = re.findall(r"[\d,]+\.\d\d", row)[1]
    assert curve_value == headline.group(1)
