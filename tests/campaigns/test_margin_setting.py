"""``[campaigns] margin_rate``: one default (0.3, as the README says), and a set value is used."""

from __future__ import annotations

import pytest

from cvm.campaigns import measure_campaign


def _margin_share(ws) -> float:
    money = measure_campaign(ws, "CMP0001", n_boot=100).money.iloc[0]
    assert money["incremental_revenue"] != 0
    return float(money["incremental_margin"] / money["incremental_revenue"])


def test_margin_rate_default_and_setting_reach_the_money(past_campaign) -> None:
    ws, _ = past_campaign
    assert _margin_share(ws) == pytest.approx(0.3)
    before = ws.config
    try:
        ws.config = ws.config.replace(campaigns={"margin_rate": 0.55})
        assert _margin_share(ws) == pytest.approx(0.55)
    finally:
        ws.config = before
        measure_campaign(ws, "CMP0001")  # leave the stored measurement as the other tests expect
