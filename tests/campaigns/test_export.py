"""Export: only treated customers with consent and a contact field; contacts recorded."""

from __future__ import annotations

import pandas as pd
import pytest
from campaign_helpers import design

from cvm._exceptions import DataError
from cvm.campaigns import add_suppressions, build_campaign, create_campaign, export_campaign


def _consent(ws, column):
    rows = ws.con.execute(f"SELECT customer_id, {column} FROM customers").fetchall()
    return {cid: bool(flag) for cid, flag in rows}


def test_email_export_has_mailchimp_columns_and_no_control_or_unconsented(crm):
    create_campaign(crm, design(arms={"ten_off": 1, "free_ship": 1}))
    build_campaign(crm, "SPRING")
    # consent withdrawn after the build: still treated (intent to treat) but not exported
    crm.con.execute("UPDATE customers SET consent_email = false WHERE customer_id = 'K00001'")
    add_suppressions(crm, ["K00002"], channel="email")
    result = export_campaign(crm, "SPRING", crm.path / "spring.csv")
    frame = pd.read_csv(result.path, dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "Email Address", "First Name", "Last Name", "Tags", "Customer ID", "CLV", "Tier",
        "Segment", "Offer",
    ]  # fmt: skip
    arms = crm.con.execute(
        "SELECT customer_id, arm FROM assignments WHERE campaign_id = 'SPRING'"
    ).df()
    emails = "k" + arms["customer_id"].str[1:].str.lower() + "@example.com"
    arm_of = dict(zip(emails, arms["arm"], strict=True))
    exported_arms = frame["Email Address"].map(arm_of)
    assert exported_arms.notna().all()
    assert "control" not in set(exported_arms)
    consent = _consent(crm, "consent_email")
    exported_ids = "K" + frame["Email Address"].str[1:6]
    assert all(consent[c] for c in exported_ids)
    assert {"K00001", "K00002"}.isdisjoint(exported_ids)
    treated = int((arms["arm"] != "control").sum())
    withdrawn = [c for c in ("K00001", "K00002") if arm_of.get(f"k{c[1:].lower()}@example.com")
                 not in (None, "control")]  # fmt: skip
    assert result.rows == treated - len(withdrawn) == len(frame)
    assert sum(result.excluded.values()) == len(withdrawn)
    assert set(frame["Tags"]) <= {"SPRING,ten_off", "SPRING,free_ship"}
    assert frame.loc[0, "Last Name"] == "Lee"
    # each exported customer is one contact, at the campaign start
    contacts = crm.con.execute(
        "SELECT count(*), count(DISTINCT customer_id), min(ts), max(ts) FROM contacts"
        " WHERE campaign_id = 'SPRING'"
    ).fetchall()[0]
    assert contacts[:2] == (len(frame), len(frame))
    assert contacts[2] == contacts[3] == pd.Timestamp("2025-03-01")


def test_export_again_records_no_duplicate_contacts(crm):
    create_campaign(crm, design())
    build_campaign(crm, "SPRING")
    first = export_campaign(crm, "SPRING", crm.path / "a.csv")
    again = export_campaign(crm, "SPRING", crm.path / "b.csv")
    assert first.contacts_recorded == first.rows and again.contacts_recorded == 0
    assert (crm.path / "a.csv").read_text() == (crm.path / "b.csv").read_text()


def test_sms_export_needs_a_phone_and_sms_consent(crm):
    create_campaign(crm, design(channel="sms"))
    result = build_campaign(crm, "SPRING")
    # every 5th lacks SMS consent; of the rest every 7th lacks a phone (35 = both)
    n = 2000
    assert result.excluded == {"no_consent": n // 5, "no_phone": n // 7 - n // 35}
    out = export_campaign(crm, "SPRING")
    frame = pd.read_csv(out.path, dtype=str)
    assert list(frame.columns)[:4] == ["Phone Number", "First Name", "Last Name", "Tags"]
    assert out.path == crm.path / "exports" / "SPRING_sms.csv"
    assert frame["Phone Number"].str.startswith("+1555").all()
    consent = _consent(crm, "consent_sms")
    assert all(consent["K" + p[-5:]] for p in frame["Phone Number"])


def test_a_draft_cannot_be_exported(crm):
    create_campaign(crm, design())
    with pytest.raises(DataError, match="build it before exporting"):
        export_campaign(crm, "SPRING")
    assert crm.con.execute("SELECT count(*) FROM contacts").fetchall() == [(0,)]
