"""Real-time decisions on hand-made customers: each rule of the plan applies to one decision,
and what a decision changes (a contact, a cooldown) applies to the next one at once."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from cvm.decide.realtime import Decider, UnknownCustomerError
from cvm.workspace import Workspace
from realtime_workspace import NOW, served


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace.open(served(tmp_path, cap=0.0))
    yield w
    w.close()


def decider(ws: Workspace) -> Decider:
    return Decider(ws.cursor(), clock=lambda: NOW, seed=1)


def test_each_rule_of_the_plan_applies(ws: Workspace) -> None:
    d = decider(ws)
    got = {c: d.decide("email", c) for c in ("00101", "00102", "00103", "00104")}
    assert got["00101"].offer_id == "ten-off"  # the larger lift wins
    assert got["00102"].offer_id is None
    assert got["00102"].reason == "email policy: no_consent"
    assert got["00103"].offer_id is None
    assert got["00103"].reason == "email policy: frequency_cap_7d"
    assert got["00104"].offer_id == "five-off"  # ten-off is in its cooldown
    assert got["00101"].arm == "treatment" and got["00102"].arm == "none"


def test_a_decision_counts_against_the_next_at_once(ws: Workspace) -> None:
    d = decider(ws)
    first = d.decide("email", "00105")
    second = d.decide("email", "00105")
    third = d.decide("email", "00105")
    assert (first.offer_id, second.offer_id, third.offer_id) == ("ten-off", "five-off", None)
    # cap 2 in 7 days; ten-off also in its cooldown
    assert third.reason == "ten-off: cooldown 30 days; five-off: email policy: frequency_cap_7d"
    # stored, and a new snapshot (the plan's own rules on the tables) reads the same state
    d.refresh()
    again = d.decide("email", "00105")
    assert again.offer_id is None and again.reason == third.reason
    rows = ws.con.execute(
        "SELECT campaign_id, arm FROM assignments WHERE customer_id = '00105' ORDER BY 1"
    ).fetchall()
    assert rows == [("rt.five-off", "treatment"), ("rt.ten-off", "treatment")]
    contacts = ws.con.execute("SELECT count(*) FROM contacts WHERE customer_id = '00105'")
    assert contacts.fetchone() == (2,)


def test_consent_withdrawn_after_the_snapshot_is_respected(ws: Workspace) -> None:
    d = decider(ws)
    d.current()
    ws.con.execute("UPDATE customers SET consent_email = FALSE WHERE customer_id = '00101'")
    # the service tells the decider whose records a commit touched
    d.consent_changed(ws, ["00101"])
    got = d.decide("email", "00101")
    assert got.offer_id is None and got.reason == "email policy: no_consent"
    assert d.decide("sms", "00101").reason != "sms policy: no_consent"  # sms consent kept


def test_an_erased_customer_is_never_offered(ws: Workspace) -> None:
    d = decider(ws)
    d.current()
    ws.con.execute("DELETE FROM customers WHERE customer_id = '00101'")
    d.consent_changed(ws, ["00101"])  # no record: no consent on any channel
    for channel in ("email", "sms", "push", "mail"):
        assert d.decide(channel, "00101").offer_id is None


def test_consent_read_before_a_snapshot_is_let_go_by_it(ws: Workspace) -> None:
    d = decider(ws)
    d.current()
    ws.con.execute("UPDATE customers SET consent_email = FALSE WHERE customer_id = '00101'")
    d.consent_changed(ws, ["00101"])
    ws.con.execute("UPDATE customers SET consent_email = TRUE WHERE customer_id = '00101'")
    d.refresh()  # reads the consent from the table again: given back
    assert d.decide("email", "00101").offer_id == "ten-off"


def test_none_when_nothing_is_worth_it(ws: Workspace) -> None:
    got = decider(ws).decide("mail", "00101")  # the letter costs more than it can bring
    assert got.offer_id is None and got.arm == "none"
    assert got.reason.startswith("nothing worth it: best expected value -")


def test_unknown_customer_is_named(ws: Workspace) -> None:
    with pytest.raises(UnknownCustomerError, match="unknown customer '00999'"):
        decider(ws).decide("email", "00999")


def test_an_anonymous_id_resolves_through_identity_links(ws: Workspace) -> None:
    ws.con.execute(
        "INSERT INTO identities (source, source_id, customer_id) VALUES ('anonymous', 'anon-7',"
        " '00101')"
    )
    got = decider(ws).decide("email", anonymous_id="anon-7")
    assert got.customer_id == "00101" and got.offer_id == "ten-off"
    with pytest.raises(UnknownCustomerError, match="not linked"):
        decider(ws).decide("email", anonymous_id="anon-unknown")


def test_later_purchase_is_the_response(ws: Workspace) -> None:
    d = decider(ws)
    made = d.decide("email", "00101")
    answer = d.outcome(made.decision_id, revenue=42.0, order_id="A-1", ts=NOW + timedelta(days=2))
    assert answer["attributed"] and answer["transaction_id"] == "A-1"
    # the order is stored once, even when reported twice
    d.outcome(made.decision_id, revenue=42.0, order_id="A-1", ts=NOW + timedelta(days=2))
    n = ws.con.execute("SELECT count(*) FROM transactions WHERE transaction_id = 'A-1'")
    assert n.fetchone() == (1,)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("holdout_share = 1.0", "holdout_share must be within [0, 1)"),
        ("holdout_share = -0.1", "holdout_share must be within [0, 1]"),
        ("exploration_cap = nan", "exploration_cap must be a finite number"),
        ("salt = ''", "salt must be a non-empty text"),
        ("holdout = 0.1", "unknown key [decide.realtime] holdout"),
    ],
)
def test_realtime_settings_are_checked(line: str, words: str) -> None:
    import tomllib

    from cvm._exceptions import ConfigError
    from cvm.settings import parse_settings

    with pytest.raises(ConfigError, match=re.escape(words)):
        parse_settings(tomllib.loads(f"[decide.realtime]\n{line}\n"))


def test_a_stored_plan_bounds_real_time_offers_by_its_budget_and_capacity(ws: Workspace) -> None:
    from cvm.decide import make_plan, save_plan

    plan = make_plan(ws, 1.2, as_of="2025-06-30", curve_points=0)
    save_plan(ws, plan)
    spent = plan.solution.spent
    assert spent == pytest.approx(1.0)  # two offers of 0.5 fit in 1.2
    got = decider(ws).decide("email", "00101")
    assert got.offer_id is None
    assert got.reason.startswith(f"budget: {1.2 - spent:.2f} left in plan {plan.run_id}")
    # a plan with room: the offer is made, and counts against what the plan has left
    roomy = make_plan(ws, 1.6, as_of="2025-06-30", curve_points=0, capacity={"email": 3})
    save_plan(ws, roomy)
    chosen = int((roomy.solution.choice >= 0).sum())
    assert chosen == 3  # the capacity binds before the budget
    d = decider(ws)
    assert d.decide("email", "00101").offer_id is None  # no e-mail capacity left
    assert d.decide("email", "00101").reason == (
        f"capacity: channel email is used up in plan {roomy.run_id}"
    )
