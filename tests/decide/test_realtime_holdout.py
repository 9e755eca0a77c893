"""The real-time control group: who is held out, how many, and how their decisions are
measured by `cvm campaign measure` like any campaign's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np

from cvm.campaigns import measure_campaign
from cvm.decide.explore import held_out
from cvm.decide.realtime import Decider
from cvm.workspace import Workspace
from realtime_workspace import NOW, served


def test_the_share_held_out_is_within_binomial_bounds() -> None:
    n, share = 20_000, 0.1
    ids = [f"{k:07d}" for k in range(n)]
    out = sum(held_out(c, "salt-a", share) for c in ids)
    sd = np.sqrt(n * share * (1 - share))
    assert abs(out - n * share) < 4 * sd  # 4 sd: fails by chance once in ~16,000 salts
    # the same customers every time; another salt draws another group of the same size
    assert out == sum(held_out(c, "salt-a", share) for c in ids)
    other = {c for c in ids if held_out(c, "salt-b", share)}
    first = {c for c in ids if held_out(c, "salt-a", share)}
    assert abs(len(other) - n * share) < 4 * sd
    assert len(other & first) < 2 * n * share * share  # independent draws overlap by ~share^2
    assert not any(held_out(c, "salt-a", 0.0) for c in ids[:1000])


def test_held_out_customers_are_never_offered_and_are_measured(tmp_path: Path) -> None:
    ws = Workspace.open(served(tmp_path, share=0.3, cap=0.0, extra=240))
    d = Decider(ws.cursor(), clock=lambda: NOW, seed=3)
    people = [f"{k:06d}" for k in range(1000, 1240)]
    decisions = {c: d.decide("email", c) for c in people}
    control = {c for c in people if held_out(c, "test-salt", 0.3)}
    assert 0 < len(control) < len(people)
    for c, got in decisions.items():
        if c in control:
            assert got.offer_id is None and got.reason == "holdout" and got.arm == "control"
        else:
            assert got.offer_id == "ten-off" and got.arm == "treatment"
    # responses: a purchase reported for every 4th customer the day after, a purchase from the
    # shop's feed for every 5th three days after, one after the 14-day window for every 7th
    bought = set()
    for k, c in enumerate(people):
        if k % 4 == 0:
            d.outcome(
                decisions[c].decision_id, revenue=30.0, order_id=f"O{c}", ts=NOW + timedelta(days=1)
            )
            bought.add(c)
        if k % 5 == 0:
            ws.con.execute(
                "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
                " VALUES (?, ?, ?, 20)",
                [f"S{c}", c, NOW + timedelta(days=3)],
            )
            bought.add(c)
        if k % 7 == 0:
            ws.con.execute(
                "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
                " VALUES (?, ?, ?, 20)",
                [f"L{c}", c, NOW + timedelta(days=20)],
            )
    d.flush()
    m = measure_campaign(ws, "rt.ten-off", n_boot=100)
    arms = m.arms
    treated = [c for c in people if c not in control]
    assert int(arms.loc["control", "customers"]) == len(control)
    assert int(arms.loc["treatment", "customers"]) == len(treated)
    assert int(arms.loc["control", "conversions"]) == len(bought & control)
    assert int(arms.loc["treatment", "conversions"]) == len(bought & set(treated))
    assert int(arms.loc["treatment", "contacted"]) == len(treated)
    assert int(arms.loc["control", "contacted"]) == 0
    # the learned responses reach the posteriors once the windows have closed
    d.clock = lambda: NOW + timedelta(days=15)
    post = d.refresh().posteriors
    k = 0  # ten-off
    assert (post.n_treated[k], post.won_treated[k]) == (len(treated), len(bought & set(treated)))
    assert (post.n_control[k], post.won_control[k]) == (len(control), len(bought & control))
    ws.close()
