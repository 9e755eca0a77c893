"""One person in a CRM, a shop and a payment processor ends as one customer, whatever the order
in which the files are loaded."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import pytest

from cvm.ingest import load_file
from cvm.ingest.identity import resolve_customer_id
from cvm.workspace import Workspace

VENDORS = Path(__file__).parents[1] / "data" / "vendors"
ANA = "0035g00000AbCdEAA1"  # Salesforce contact, created 2024-01-15


def _files(tmp: Path) -> dict[str, tuple[str, str, Path]]:
    """Ana in Salesforce, in WooCommerce (shop customer 17) and in Stripe (cus_ANA)."""
    shop = tmp / "woo.csv"
    shop.write_text(
        "order_id,order_number,order_date,status,order_total,refunded_total,order_currency,"
        "customer_id,billing_first_name,billing_last_name,billing_email\n"
        "2001,2001,2024-03-01 09:00:00,completed,40.00,0.00,USD,17,Ana,Silva,"
        "ANA.SILVA@example.com\n"
        "2002,2002,2024-03-09 10:00:00,completed,15.00,0.00,USD,17,Ana,Silva,"
        "ana.silva@example.com\n"
        "2003,2003,2024-03-10 11:00:00,completed,99.00,0.00,USD,0,Guest,Buyer,guest@example.com\n"
    )
    stripe = tmp / "stripe.csv"
    stripe.write_text(
        "id,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email\n"
        "ch_1,2024-04-02 08:00:00,29.00,0.00,usd,Paid,cus_ANA,ana.silva@example.com\n"
    )
    return {
        "crm": ("customers", "salesforce-contacts", VENDORS / "salesforce_contacts.csv"),
        "shop": ("transactions", "woocommerce-orders", shop),
        "stripe": ("transactions", "stripe-charges", stripe),
    }


def _state(ws: Workspace) -> tuple:
    tx = ws.con.execute(
        "SELECT transaction_id, customer_id FROM transactions ORDER BY 1"
    ).fetchall()
    customers = ws.con.execute(
        "SELECT customer_id, email, consent_email FROM customers ORDER BY 1"
    ).fetchall()
    return tx, customers


@pytest.mark.parametrize("order", list(permutations(["crm", "shop", "stripe"])))
def test_crm_id_email_and_shop_number_end_as_one_customer(
    tmp_path: Path, order: tuple[str, ...]
) -> None:
    files = _files(tmp_path)
    ws = Workspace.create(tmp_path / "ws")
    try:
        for name in order:
            kind, profile, path = files[name]
            load_file(ws, kind, path, profile=profile)
        tx, customers = _state(ws)
        # every order of Ana, from both sources, belongs to her CRM id (first seen earliest)
        assert dict(tx) == {"2001": ANA, "2002": ANA, "2003": "guest@example.com", "ch_1": ANA}
        ids = [
            ("user", "ana.silva@example.com"),
            ("email", "ANA.SILVA@example.com"),
            ("woocommerce-orders", "17"),
            ("user", "cus_ANA"),
        ]
        for source, source_id in ids:
            assert resolve_customer_id(ws, source, source_id) == ANA
        # one customers row for Ana: the CRM row with her consent, no row for her other ids
        ana = [c for c in customers if c[1] == "ana.silva@example.com"]
        assert ana == [(ANA, "ana.silva@example.com", True)]
        # the guest (shop number 0) is linked to no one
        assert resolve_customer_id(ws, "woocommerce-orders", "0") is None
    finally:
        ws.close()


def test_generic_files_do_not_merge_customers_sharing_an_address(
    workspace: Workspace, tmp_path: Path
) -> None:
    f = tmp_path / "customers.csv"
    f.write_text("customer_id,email\nC1,family@example.com\nC2,family@example.com\n")
    load_file(workspace, "customers", f)
    got = workspace.con.execute("SELECT count(*) FROM customers").fetchall()
    assert got == [(2,)]
