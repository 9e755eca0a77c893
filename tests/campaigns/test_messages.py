"""What `cvm campaign measure` says: the power caveat only when it matters, counts as integers,
money without float noise, and no `nan` ROI when a campaign cost nothing."""

from __future__ import annotations

import re
from datetime import datetime

from campaign_helpers import design

from cvm.api.serialize import records
from cvm.campaigns import build_campaign, create_campaign, export_campaign, measure_campaign
from cvm.cli import app


def _run(ws, campaign_id, buyers):
    """A 50/50 campaign over K00001..K00400; ``buyers(arm)`` says which arm buys 100.00."""
    create_campaign(ws, design(campaign_id, control_fraction=0.5),
                    customers=[f"K{i:05d}" for i in range(1, 401)])  # fmt: skip
    build_campaign(ws, campaign_id)
    export_campaign(ws, campaign_id, ws.path / f"{campaign_id}.csv",
                    contacted_at=datetime(2025, 3, 3))  # fmt: skip
    arms = ws.con.execute(
        "SELECT customer_id, arm FROM assignments WHERE campaign_id = ?", [campaign_id]
    ).fetchall()
    rows = [
        (f"{campaign_id}-{c}", c, datetime(2025, 3, 5), 100.0) for c, arm in arms if buyers(arm)
    ]
    ws.con.executemany(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount) VALUES (?, ?, ?, ?)",
        rows,
    )
    return dict(arms), len(rows)


def test_a_significant_lift_is_not_called_under_powered(crm):
    # every treated customer buys, no control does: p far below alpha, yet the planned target
    # (10% of a 0% baseline) is below the detectable lift; the caveat would only mislead
    _run(crm, "SIG", lambda arm: arm != "control")
    m = measure_campaign(crm, "SIG")
    assert m.lift("conversion")["p_adjusted"] < 1e-20
    assert m.power["power_at_target"] < 0.8
    assert not any("under-powered" in w for w in m.warnings)


def test_a_non_significant_under_powered_test_is_called_so(crm):
    # three buyers per arm: no evidence either way, and too small to find a 10% relative lift
    picked: dict[str, int] = {}

    def three_each(arm: str) -> bool:
        picked[arm] = picked.get(arm, 0) + 1
        return picked[arm] <= 3

    _run(crm, "FLAT", three_each)
    m = measure_campaign(crm, "FLAT")
    assert m.lift("conversion")["p_adjusted"] >= 0.05
    assert m.power["power_at_target"] < 0.8
    assert any(w.startswith("under-powered: power ") for w in m.warnings)


def test_measure_prints_counts_as_integers_and_roi_without_nan(crm, runner, monkeypatch):
    from cvm.cli._common import console

    monkeypatch.setattr(console, "width", 250)  # every column in full
    arms, buyers = _run(crm, "CLI", lambda arm: arm != "control")
    treated = sum(a != "control" for a in arms.values())
    path = str(crm.path)
    crm.close()
    result = runner.invoke(app, ["campaign", "measure", "CLI", "-w", path, "--n-boot", "100",
                                 "--charts", str(crm.path / "charts")])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert not re.search(r"\de[+-]\d\d", out.replace("e-", "E-"))  # no 2.131e+04 (p may be tiny)
    assert "nan" not in out.lower()
    assert "n/a (no cost)" in out
    # the treated arm's revenue: buyers x 100.00, with thousands separators and cents
    assert f"{100 * buyers:,.2f}" in out and f"{100 * buyers:,.2f}".count(",") == 1
    # customers and conversions are integers, never 200.000 or 2.000e+02
    row = next(line for line in out.splitlines() if line.strip("│ ").startswith("treatment"))
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[1:4] == [f"{treated:,}", f"{treated:,}", f"{buyers:,}"]  # customers..conversions


def test_roi_without_cost_is_null_with_a_reason_in_json(crm):
    _run(crm, "FREE", lambda arm: arm != "control")
    m = measure_campaign(crm, "FREE")
    (arm,) = records(m.money)
    assert arm["cost"] == 0
    assert arm["roi"] is None
    assert arm["roi_note"].startswith("no cost")
