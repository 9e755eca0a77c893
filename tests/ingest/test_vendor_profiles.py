"""Vendor source profiles on files shaped like each vendor's export: who may be contacted, and
which rows count as purchases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from tabular_helpers import rejected, rows, set_config

from cvm._exceptions import IngestError
from cvm.ingest import LoadResult, load_file
from cvm.workspace import Workspace

VENDORS = Path(__file__).parents[1] / "data" / "vendors"


def consent(ws: Workspace) -> dict[str, tuple[bool, bool, bool]]:
    """customer id -> (email, sms, mail) consent as stored."""
    got = rows(ws, "SELECT customer_id, consent_email, consent_sms, consent_mail FROM customers")
    return {r[0]: (r[1], r[2], r[3]) for r in got}


def _vendor_file(ws: Workspace, kind: str, name: str, profile: str) -> LoadResult:
    """Load the vendor export ``name`` as ``kind`` through its profile."""
    return load_file(ws, kind, VENDORS / name, profile=profile)


def test_salesforce_opt_outs_are_inverted_and_unreadable_means_no(workspace: Workspace) -> None:
    r = load_file(
        workspace, "customers", VENDORS / "salesforce_contacts.csv", profile="salesforce-contacts"
    )
    assert (r.rows_read, r.loaded, r.rejected) == (4, 4, 0)
    assert consent(workspace) == {
        "0035g00000AbCdEAA1": (True, True, False),  # opted out of nothing
        "0035g00000AbCdFAA1": (False, True, False),  # HasOptedOutOfEmail = true
        "0035g00000AbCdGAA1": (True, False, False),  # DoNotCall = true
        "0035g00000AbCdHAA1": (False, True, False),  # "maybe": unreadable, so no e-mail
    }
    assert r.notes == [
        "unreadable consent value in 'HasOptedOutOfEmail' on 1 rows: read as no consent"
    ]
    first_seen = rows(workspace, "SELECT first_seen FROM customers ORDER BY customer_id")[0][0]
    assert first_seen == datetime(2024, 1, 15, 10, 22, 31)
    names = rows(workspace, "SELECT attributes->>'$.FirstName' FROM customers ORDER BY 1")
    assert [n[0] for n in names] == ["Ana", "Ben", "Chloé", "Dev"]


def test_crm_profile_no_longer_maps_an_opt_out_to_consent(workspace: Workspace) -> None:
    """Defect: --profile crm made only the contact who opted out e-mailable."""
    load_file(workspace, "customers", VENDORS / "salesforce_contacts.csv", profile="crm")
    emailable = {k for k, v in consent(workspace).items() if v[0]}
    assert emailable == {"0035g00000AbCdEAA1", "0035g00000AbCdGAA1"}
    assert "0035g00000AbCdFAA1" not in emailable  # HasOptedOutOfEmail = true


def test_salesforce_report_export_labels_and_one_zero_checkboxes(workspace: Workspace) -> None:
    r = _vendor_file(
        workspace, "customers", "salesforce_contacts_report.csv", "salesforce-contacts"
    )
    assert r.loaded == 2
    assert consent(workspace) == {
        "0035g00000AbCdEAA1": (True, True, False),
        "0035g00000AbCdFAA1": (False, True, False),
    }


def test_hubspot_contacts_load_whole_with_marketing_status_and_unsubscribes(
    workspace: Workspace,
) -> None:
    """Defect: 0 of 3 HubSpot contacts loaded ("invalid consent flag: Marketing contact")."""
    r = load_file(
        workspace, "customers", VENDORS / "hubspot_contacts.csv", profile="hubspot-contacts"
    )
    assert (r.rows_read, r.loaded, r.rejected, r.notes) == (4, 4, 0, [])
    assert consent(workspace) == {
        "0051201": (True, False, False),  # marketing contact, unsubscribe flag empty
        "0051202": (False, False, False),  # unsubscribed from all email
        "0051203": (False, False, False),  # non-marketing contact
        "0051204": (True, False, False),
    }
    assert rows(workspace, "SELECT customer_id FROM customers ORDER BY 1")[0] == ("0051201",)
    assert rejected(workspace) == []


def test_crm_profile_reads_hubspot_too(workspace: Workspace) -> None:
    load_file(workspace, "customers", VENDORS / "hubspot_contacts.csv", profile="crm")
    assert {k for k, v in consent(workspace).items() if v[0]} == {"0051201", "0051204"}


def test_hubspot_without_consent_columns_contacts_nobody_and_says_so(
    workspace: Workspace, tmp_path: Path
) -> None:
    f = tmp_path / "hubspot_min.csv"
    f.write_text("Record ID,Email,Create Date\n0051201,erin.walsh@example.com,2024-01-09 14:03\n")
    r = load_file(workspace, "customers", f, profile="hubspot-contacts")
    assert r.loaded == 1
    assert consent(workspace) == {"0051201": (False, False, False)}
    assert r.notes == [
        "consent column not in file: email: Marketing contact status (no consent from it)",
        "consent column not in file: email: Unsubscribed from all email (no consent from it)",
    ]


def test_dynamics_allow_and_do_not_allow(workspace: Workspace) -> None:
    r = load_file(
        workspace, "customers", VENDORS / "dynamics_contacts.csv", profile="dynamics-contacts"
    )
    assert (r.loaded, r.rejected, r.notes) == (3, 0, [])
    assert consent(workspace) == {
        "5f2b3c1e-0a1d-ef11-8409-000d3a4b1c01": (True, True, True),
        "5f2b3c1e-0a1d-ef11-8409-000d3a4b1c02": (False, True, False),  # no bulk e-mail, no mail
        "5f2b3c1e-0a1d-ef11-8409-000d3a4b1c03": (False, False, True),  # no e-mail, no calls
    }
    assert rows(workspace, "SELECT max(first_seen) FROM customers") == [
        (datetime(2024, 2, 28, 16, 59),)  # "2/28/2024 4:59 PM", US locale
    ]


def test_salesforce_opportunities_only_closed_won_are_purchases(workspace: Workspace) -> None:
    r = _vendor_file(
        workspace, "transactions", "salesforce_opportunities.csv", "salesforce-opportunities"
    )
    assert (r.loaded, r.skipped, r.rejected) == (2, 2, 0)
    assert rows(
        workspace, "SELECT transaction_id, customer_id, ts, amount FROM transactions ORDER BY 1"
    ) == [
        ("0065g00000Op001AAA", "0035g00000AbCdEAA1", datetime(2024, 3, 29), 12000.0),
        ("0065g00000Op004AAA", "0035g00000AbCdGAA1", datetime(2024, 4, 10), 0.0),
    ]


def test_opportunity_stage_filter_is_configurable(workspace: Workspace) -> None:
    ws = set_config(
        workspace, '[sources.transactions]\nstatuses = ["Closed Won", "Negotiation/Review"]\n'
    )
    try:
        r = _vendor_file(
            ws, "transactions", "salesforce_opportunities.csv", "salesforce-opportunities"
        )
        assert (r.loaded, r.skipped) == (3, 1)
        got = rows(ws, "SELECT transaction_id FROM transactions ORDER BY 1")
        assert [g[0] for g in got] == [
            "0065g00000Op001AAA",
            "0065g00000Op002AAA",
            "0065g00000Op004AAA",
        ]
    finally:
        ws.close()


def test_status_profile_without_status_column_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    f = tmp_path / "opps.csv"
    f.write_text("Id,ContactId,Amount,CloseDate\n006A,003A,10,2024-01-01\n")
    with pytest.raises(IngestError, match="financial_status"):
        load_file(workspace, "transactions", f, profile="salesforce-opportunities")


def test_hubspot_deals_resolve_the_associated_contact_by_email(workspace: Workspace) -> None:
    load_file(workspace, "customers", VENDORS / "hubspot_contacts.csv", profile="hubspot-contacts")
    r = load_file(workspace, "transactions", VENDORS / "hubspot_deals.csv", profile="hubspot-deals")
    assert (r.loaded, r.skipped, r.rejected) == (3, 2, 0)
    assert rows(
        workspace, "SELECT transaction_id, customer_id, amount FROM transactions ORDER BY 1"
    ) == [
        ("9001", "0051201", 1200.0),
        ("9003", "0051204", 450.5),  # e-mail written in capitals in the deal
        ("9004", "new.person@example.org", 99.0),  # no contact yet: the e-mail is the id
    ]


def test_woocommerce_orders_count_paid_statuses_and_refunds(workspace: Workspace) -> None:
    ws = set_config(workspace, "[currencies]\nEUR = 1.0\n")
    try:
        r = load_file(
            ws, "transactions", VENDORS / "woocommerce_orders.csv", profile="woocommerce-orders"
        )
        assert (r.loaded, r.skipped, r.rejected) == (5, 2, 0)  # cancelled and failed skipped
        assert rows(
            ws,
            "SELECT transaction_id, customer_id, round(amount, 2), refund_of"
            " FROM transactions ORDER BY 1",
        ) == [
            ("1041", "lena.vogel@example.de", 42.15, None),
            ("1042", "max.braun@example.de", 19.99, None),
            ("1042-refund", "max.braun@example.de", -19.99, "1042"),
            ("1044", "otto.klein@example.de", 84.35, None),
            ("1044-refund", "otto.klein@example.de", -10.0, "1044"),
        ]
    finally:
        ws.close()


def test_stripe_charges_skip_failed_and_refund_refunded(workspace: Workspace) -> None:
    r = _vendor_file(workspace, "transactions", "stripe_charges.csv", "stripe-charges")
    by_customer = rows(
        workspace,
        "SELECT customer_id, round(sum(amount), 2), count(*) FROM transactions"
        " GROUP BY 1 ORDER BY 1",
    )
    assert by_customer == [
        ("cus_PQR001", 29.0, 3),  # paid 29, paid 29 then refunded 29
        ("cus_PQR002", 99.0, 1),  # the failed 99 is not a purchase
    ]
    assert (r.loaded, r.skipped, r.rejected) == (4, 1, 0)
    assert rows(workspace, "SELECT DISTINCT currency FROM transactions") == [("USD",)]


def test_shopify_orders_is_the_shopify_profile(workspace: Workspace) -> None:
    data = Path(__file__).parents[1] / "data" / "ingest" / "shopify_orders.csv"
    ws = set_config(workspace, "[currencies]\nEUR = 1.1\n")
    try:
        a = load_file(ws, "transactions", data, profile="shopify-orders")
        b = load_file(ws, "transactions", data, profile="shopify")
        assert (a.loaded, a.skipped, b.loaded, b.duplicates) == (5, 1, 0, 5)
    finally:
        ws.close()
