"""The one contact policy: each rule on its own customer, per channel, as build applies it."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from campaign_helpers import design, running_campaign

from cvm._exceptions import ConfigError, DataError
from cvm.campaigns import add_suppressions, build_campaign, create_campaign
from cvm.campaigns.policy import REASONS, contact_policy
from cvm.workspace import load_config

START = datetime(2025, 3, 1)
CHANNELS = ["email", "sms", "push", "mail"]


def _policy(ws, ids, channels=CHANNELS, start=START, end=None, **kw) -> pd.DataFrame:
    """Reasons per customer (rows) and channel (columns)."""
    ws.con.register("ids_df", pd.DataFrame({"customer_id": ids}))
    ws.con.execute("CREATE OR REPLACE TEMP TABLE ids AS SELECT * FROM ids_df")
    ws.con.unregister("ids_df")
    contact_policy(ws, "ids", channels, start, end, **kw)
    frame = ws.con.execute("SELECT customer_id, channel, reason FROM contact_policy").df()
    frame = frame.pivot(index="customer_id", columns="channel", values="reason")
    return frame.astype(object).where(frame.notna(), None)


@pytest.fixture
def history(crm):
    """A running campaign (RUN: K00021..K00024), contacts before START, suppressions."""
    crm.con.execute("UPDATE customers SET consent_push = true, consent_mail = true")
    add_suppressions(crm, ["K00001"], channel="email")
    add_suppressions(crm, ["K00003"])
    crm.con.execute(
        "INSERT INTO contacts VALUES ('OLD', 'K00011', 'email', TIMESTAMP '2025-02-27'),"
        " ('OLD', 'K00012', 'email', TIMESTAMP '2025-02-05'),"
        " ('OLD', 'K00012', 'email', TIMESTAMP '2025-02-10'),"
        " ('SPRING', 'K00013', 'email', TIMESTAMP '2025-02-27'),"
        " ('SPRING', 'K00013', 'email', TIMESTAMP '2025-02-28')"
    )
    running_campaign(crm, "RUN")
    return crm


def _arm(ws, customer_id):
    return ws.con.execute(
        "SELECT arm FROM assignments WHERE campaign_id = 'RUN' AND customer_id = ?",
        [customer_id],
    ).fetchall()[0][0]


def test_each_rule_gives_its_reason_on_the_channels_it_concerns(history):
    ids = ["K00001", "K00003", "K00007", "K00010", "K00011", "K00013", "K00016", "NOBODY"]
    got = _policy(history, ids)[CHANNELS]
    expected = {
        "K00001": ["suppressed", None, None, None],  # on the e-mail list only
        "K00003": ["suppressed"] * 4,  # on every channel
        "K00007": [None, "no_phone", None, None],
        "K00010": ["no_consent", "no_consent", None, None],  # every 10th no e-mail, 5th no SMS
        "K00011": [None] * 4,  # one contact in 7 days: under the default cap of 2
        "K00013": ["frequency_cap_7d"] * 4,  # two: caps count contacts on every channel
        "K00016": [None] * 4,
        "NOBODY": ["no_customer_record"] * 4,
    }
    assert got.loc[ids].to_dict("index") == {
        k: dict(zip(CHANNELS, v, strict=True)) for k, v in expected.items()
    }
    assert set(got.stack().dropna()) <= set(REASONS)


def test_caps_running_campaigns_overlap_and_history(history):
    history.path.joinpath("cvm.toml").write_text(
        history.path.joinpath("cvm.toml").read_text()
        + "\n[campaigns.frequency_caps]\ndays_7 = 1\ndays_30 = 2\n"
    )
    history.config = load_config(history.path / "cvm.toml")
    ids = ["K00011", "K00012", "K00013", "K00021"]
    control = _arm(history, "K00021") == "control"
    running = "control_in_running_campaign" if control else "in_running_campaign"
    assert _policy(history, ids, ["email"])["email"].to_dict() == {
        "K00011": "frequency_cap_7d",
        "K00012": "frequency_cap_30d",
        "K00013": "frequency_cap_7d",
        "K00021": running,
    }
    own = _policy(history, ids, ["email"], campaign_id="SPRING")["email"]
    assert own["K00013"] is None  # a campaign's own contacts do not cap it
    allowed = _policy(history, ids, ["email"], overlap="allow")["email"]
    assert allowed["K00021"] == ("control_in_running_campaign" if control else None)
    static = _policy(history, ids, ["email"], history=False)["email"]
    assert static.isna().all()


def test_running_campaigns_count_when_they_meet_the_period(history):
    # RUN ends 2025-03-10 and measures 14 days more: free from 2025-03-25
    after = datetime(2025, 3, 25)
    assert _policy(history, ["K00021"], ["email"], start=after)["email"].isna().all()
    over = _policy(history, ["K00021"], ["email"], start=START, end=after)["email"]
    assert over["K00021"] in ("control_in_running_campaign", "in_running_campaign")


def test_build_excludes_exactly_what_the_policy_says(history):
    create_campaign(history, design("SMS", channel="sms"))
    result = build_campaign(history, "SMS")
    stored = history.con.execute(
        "SELECT customer_id, reason FROM campaign_exclusions WHERE campaign_id = 'SMS' ORDER BY 1"
    ).fetchall()
    ids = history.con.execute("SELECT customer_id FROM customers").df()["customer_id"]
    window_end = datetime(2025, 3, 21)  # ends 2025-03-07 + 14 response days
    policy = _policy(history, ids.tolist(), ["sms"], end=window_end, campaign_id="SMS")["sms"]
    expected = sorted((k, v) for k, v in policy.dropna().items())
    assert stored == expected
    assert {r for _, r in expected} >= {"no_consent", "no_phone", "suppressed"}
    assert sum(result.excluded.values()) == len(expected)
    # counted from the seed, not by the policy: every 5th has no SMS consent (400), every 7th
    # else no phone (285 - 57 = 228), K00003 is suppressed everywhere, K00013 had 2 contacts
    # in the 7 days before START, and K00022..K00024 are in RUN (K00021 has no phone)
    by_reason: dict[str, list[str]] = {}
    for customer, reason in stored:
        by_reason.setdefault(reason, []).append(customer)
    running = by_reason.pop("in_running_campaign", []) + by_reason.pop(
        "control_in_running_campaign", []
    )
    assert sorted(running) == ["K00022", "K00023", "K00024"]
    assert {k: len(v) for k, v in by_reason.items()} == {
        "no_consent": 400,
        "no_phone": 228,
        "suppressed": 1,
        "frequency_cap_7d": 1,
    }
    assert by_reason["suppressed"] == ["K00003"] and by_reason["frequency_cap_7d"] == ["K00013"]


def test_bad_arguments_are_clear_errors(crm):
    with pytest.raises(DataError, match="not a table name"):
        contact_policy(crm, "customers; DROP TABLE customers", ["email"], START)
    with pytest.raises(DataError, match="channels"):
        contact_policy(crm, "customers", ["fax"], START)
    with pytest.raises(DataError, match="overlap"):
        contact_policy(crm, "customers", ["email"], START, overlap="maybe")
    crm.path.joinpath("cvm.toml").write_text(
        crm.path.joinpath("cvm.toml").read_text() + "\n[campaigns.frequency_caps]\ndays_7 = 0\n"
    )
    with pytest.raises(ConfigError, match="days_7"):  # refused when cvm.toml is read
        crm.config = load_config(crm.path / "cvm.toml")
        contact_policy(crm, "customers", ["email"], START)
