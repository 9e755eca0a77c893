"""Consent is read per channel: a customer who agreed to one channel only is reachable there only.

The customers come from a CRM export with vendor booleans; each has an address for every
channel, so consent is the only rule that can differ between channels.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from campaign_helpers import design

from cvm.campaigns import build_campaign, create_campaign
from cvm.campaigns.policy import contact_policy
from cvm.ingest import load_file
from cvm.workspace import Workspace

CHANNELS = ["email", "sms", "push", "mail"]
START = datetime(2025, 3, 1)

# one customer per channel with consent to that channel only, one with none, one with all;
# ids with leading zeros and the vendor's yes/no flags, as a CRM exports them
EXPORT = """customer_id,email,phone,signup_date,email_opt_in,sms_opt_in,push_opt_in,mail_opt_in
00101,only.email@example.com,+15550000101,2024-01-05,yes,no,no,no
00102,only.sms@example.com,+15550000102,2024-01-05,no,yes,no,no
00103,only.push@example.com,+15550000103,2024-01-05,no,no,yes,no
00104,only.mail@example.com,+15550000104,2024-01-05,no,no,no,yes
00105,nobody@example.com,+15550000105,2024-01-05,no,no,no,no
00106,everyone@example.com,+15550000106,2024-01-05,yes,yes,yes,yes
"""
COLUMNS = {
    "customer_id": "customer_id",
    "email": "email",
    "phone": "phone",
    "first_seen": "signup_date",
    "consent_email": "email_opt_in",
    "consent_sms": "sms_opt_in",
    "consent_push": "push_opt_in",
    "consent_mail": "mail_opt_in",
}


@pytest.fixture
def shop(tmp_path: Path):
    ws = Workspace.create(tmp_path / "shop")
    export = tmp_path / "crm_export.csv"
    export.write_text(EXPORT)
    result = load_file(ws, "customers", export, columns=COLUMNS)
    assert result.loaded == 6
    yield ws
    ws.close()


def _expected_reachable() -> dict[str, set[str]]:
    """Who may be contacted on each channel, read from the export text itself."""
    frame = pd.read_csv(pd.io.common.StringIO(EXPORT), dtype=str)
    return {
        channel: set(frame.loc[frame[f"{channel}_opt_in"] == "yes", "customer_id"])
        for channel in CHANNELS
    }


def test_each_channel_reads_its_own_consent(shop: Workspace) -> None:
    shop.con.execute("CREATE TEMP TABLE everyone AS SELECT customer_id FROM customers")
    contact_policy(shop, "everyone", CHANNELS, START, history=False)
    rows = shop.con.execute("SELECT customer_id, channel, reason FROM contact_policy").fetchall()
    assert len(rows) == 6 * 4
    reachable = {ch: {c for c, chan, r in rows if chan == ch and r is None} for ch in CHANNELS}
    refused = {ch: {c for c, chan, r in rows if (chan, r) == (ch, "no_consent")} for ch in CHANNELS}
    expected = _expected_reachable()
    assert reachable == expected
    assert reachable["mail"] == {"00104", "00106"} and reachable["push"] == {"00103", "00106"}
    for ch in CHANNELS:
        # everyone else is refused for consent, not for anything else
        assert refused[ch] == {f"0010{i}" for i in range(1, 7)} - expected[ch]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_campaign_on_a_channel_reaches_only_those_who_agreed_to_it(
    shop: Workspace, channel: str
) -> None:
    create_campaign(shop, design(f"C_{channel}", channel=channel, control_size=1))
    result = build_campaign(shop, f"C_{channel}")
    assigned = {
        r[0]
        for r in shop.con.execute(
            "SELECT customer_id FROM assignments WHERE campaign_id = ?", [f"C_{channel}"]
        ).fetchall()
    }
    assert assigned == _expected_reachable()[channel]
    assert result.excluded == {"no_consent": 4}
