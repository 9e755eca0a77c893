"""The contact policy's arguments: the period's end counts, every overlap mode, clear errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from campaign_helpers import design

from cvm._exceptions import DataError
from cvm.campaigns import build_campaign, create_campaign
from cvm.campaigns.policy import contact_policy

START = datetime(2025, 3, 1)


def _reasons(ws, start, end=None, ids=("K00022", "K00033"), **kw) -> dict[str, str | None]:
    ws.con.execute("CREATE OR REPLACE TEMP TABLE ids (customer_id VARCHAR)")
    ws.con.executemany("INSERT INTO ids VALUES (?)", [[i] for i in ids])
    contact_policy(ws, "ids", ["email"], start, end, **kw)
    return dict(ws.con.execute("SELECT customer_id, reason FROM contact_policy").fetchall())


@pytest.fixture
def april(crm):
    """A campaign running in April (K00021..K00024), with a control group of one."""
    create_campaign(crm, design("APRIL", starts="2025-04-01", ends="2025-04-07", control_size=1),
                    customers=["K00021", "K00022", "K00023", "K00024"])  # fmt: skip
    build_campaign(crm, "APRIL")
    arms = dict(
        crm.con.execute(
            "SELECT arm, min(customer_id) FROM assignments WHERE campaign_id = 'APRIL' GROUP BY 1"
        ).fetchall()
    )
    return crm, arms


def test_a_campaign_starting_before_the_period_ends_counts(april) -> None:
    crm, arms = april
    ids = (arms["control"], arms["treatment"], "K00033")
    assert _reasons(crm, START, ids=ids) == dict.fromkeys(ids)  # March only: free
    assert _reasons(crm, START, datetime(2025, 4, 2), ids=ids) == {
        arms["control"]: "control_in_running_campaign",
        arms["treatment"]: "in_running_campaign",
        "K00033": None,
    }


def test_every_overlap_mode_is_accepted(april) -> None:
    crm, arms = april
    ids = (arms["control"], arms["treatment"], "K00033")
    day = datetime(2025, 4, 3)
    expected = {"exclude": "in_running_campaign", "error": "in_running_campaign", "allow": None}
    for overlap, reason in expected.items():
        assert _reasons(crm, day, ids=ids, overlap=overlap) == {
            arms["control"]: "control_in_running_campaign",  # a control group never
            arms["treatment"]: reason,
            "K00033": None,
        }, overlap


def test_unknown_or_no_channels_are_named(crm) -> None:
    with pytest.raises(DataError) as unknown:
        contact_policy(crm, "customers", ["email", "fax", "pigeon"], START)
    assert str(unknown.value) == (
        "contact policy: channels ['fax', 'pigeon']: use email, sms, push, mail"
    )
    with pytest.raises(DataError) as empty:
        contact_policy(crm, "customers", [], START)
    assert str(empty.value) == "contact policy: channels []: use email, sms, push, mail"
