"""Erasure reaches everything linked to the customer: merged ids, survey answers, refused rows.

The workspace is built from real-shaped inputs: two event streams in which one person signs up
twice (the second account is merged into the first), a CRM export giving that person a phone
number, a survey export, and a transactions export whose refused rows quote the person's e-mail
and phone. A second customer (``cust-z``) has rows everywhere too and must keep all of them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cvm import DataError
from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.privacy import erase_customer, export_customer
from cvm.workspace import Workspace

EVENTS = Path(__file__).parents[1] / "data" / "events"
EMAIL, PHONE = "pat@example.com", "+15550001234"
OTHER_EMAIL, OTHER_PHONE = "zed@example.com", "+15550009999"

# every table the schema gives a customer_id column, written out by hand: a new table with
# customer data must be added here on purpose (the test below checks the catalog agrees)
CUSTOMER_TABLES = {
    "customers",
    "transactions",
    "events",
    "identities",
    "survey_responses",
    "subscriptions",
    "scores",
    "segment_members",
    "assignments",
    "campaign_audiences",
    "campaign_exclusions",
    "campaign_outcomes",
    "contacts",
    "suppressions",
    "plan_decisions",
    "uplift_scores",
}


def _catalog_customer_tables(ws: Workspace) -> set[str]:
    """Tables with a customer_id column, straight from the catalog."""
    rows = ws.con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns"
        " WHERE table_schema = 'main' AND lower(column_name) = 'customer_id'"
    ).fetchall()
    return {r[0] for r in rows}


def _count(ws: Workspace, sql: str, params: list[object]) -> int:
    return int(ws.con.execute(sql, params).fetchall()[0][0])


@pytest.fixture(scope="module")
def linked_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The linked workspace, loaded once per module; each test works on its own copy."""
    tmp_path = tmp_path_factory.mktemp("linked")
    ws = Workspace.create(tmp_path / "ws")
    # cust-b signs up with the same e-mail as cust-a: cust-b is merged into cust-a
    load_events(ws, EVENTS / "merge_a.jsonl")
    assert load_events(ws, EVENTS / "merge_b.jsonl").customers_merged == 1
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "customer_id,email,phone,signup_date,email_opt_in\n"
        f"cust-a,{EMAIL},{PHONE},2024-01-10,yes\n"
        f"cust-z,{OTHER_EMAIL},{OTHER_PHONE},2024-01-12,no\n"
    )
    load_file(ws, "customers", crm,
              columns={"first_seen": "signup_date", "consent_email": "email_opt_in"})  # fmt: skip
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "survey_id,respondent_id,customer_id,brand,attribute,score,importance,ts\n"
        "W1,R1,cust-a,us,NPS,9,,2024-05-01\n"
        "W1,R1,cust-a,us,quality,8,0.4,2024-05-01\n"
        "W1,R2,cust-z,us,NPS,3,,2024-05-02\n"
    )
    assert load_file(ws, "surveys", survey).loaded == 3
    orders = tmp_path / "orders.csv"
    # refused rows: no customer id, but the buyer's e-mail or phone in the row
    orders.write_text(
        "order_id,customer_id,order_date,amount,currency,buyer_contact\n"
        "Z1,cust-z,2024-03-01 10:00:00,25.00,USD,\n"
        f"R1,,2024-03-02 10:00:00,19.90,USD,{EMAIL}\n"
        f"R2,,2024-03-03 10:00:00,5.00,USD,{PHONE}\n"
        f"R3,,2024-03-04 10:00:00,7.00,USD,{OTHER_EMAIL}\n"
        f"R4,,2024-03-05 10:00:00,8.00,USD,{OTHER_PHONE}\n"
    )
    load_file(ws, "transactions", orders)
    ws.close()
    return tmp_path / "ws"


@pytest.fixture
def linked(linked_built: Path, tmp_path: Path) -> Iterator[Workspace]:
    shutil.copytree(linked_built, tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    yield ws
    ws.close()


def _quoting(ws: Workspace, *needles: str) -> int:
    return sum(
        _count(ws, "SELECT count(*) FROM rejected_rows WHERE contains(raw, ?)", [n])
        for n in needles
    )


def test_the_fixture_links_what_it_says(linked: Workspace) -> None:
    assert _count(linked, "SELECT count(*) FROM customer_merges WHERE from_customer_id = ?",
                  ["cust-b"]) == 1  # fmt: skip
    assert _quoting(linked, EMAIL, PHONE) == 2 and _quoting(linked, OTHER_EMAIL, OTHER_PHONE) == 2
    assert _count(linked, "SELECT count(*) FROM survey_responses WHERE customer_id = ?",
                  ["cust-a"]) == 2  # fmt: skip


def test_refused_rows_quoting_the_email_or_phone_are_erased(linked: Workspace) -> None:
    deleted = erase_customer(linked, "cust-a")
    assert _quoting(linked, EMAIL, PHONE) == 0
    assert deleted["rejected_rows"] == 2
    # someone else's refused rows stay
    assert _quoting(linked, OTHER_EMAIL, OTHER_PHONE) == 2


def test_every_table_with_a_customer_id_is_cleared(linked: Workspace) -> None:
    catalog = _catalog_customer_tables(linked)
    assert catalog >= CUSTOMER_TABLES, f"missing from the schema: {CUSTOMER_TABLES - catalog}"
    before = {
        t: _count(linked, f'SELECT count(*) FROM "{t}" WHERE customer_id = ?', ["cust-a"])
        for t in sorted(catalog)
    }
    others = {
        t: _count(linked, f'SELECT count(*) FROM "{t}" WHERE customer_id <> ?', ["cust-a"])
        for t in sorted(catalog)
    }
    assert before["survey_responses"] == 2 and before["transactions"] == 4
    deleted = erase_customer(linked, "cust-a")
    after = {
        t: _count(linked, f'SELECT count(*) FROM "{t}" WHERE customer_id = ?', ["cust-a"])
        for t in sorted(catalog)
    }
    assert after == dict.fromkeys(catalog, 0)
    for table, n in before.items():
        if n:
            assert deleted[table] == n, table
    assert deleted["survey_responses"] == 2
    # nobody else lost a row
    assert {
        t: _count(linked, f'SELECT count(*) FROM "{t}" WHERE customer_id <> ?', ["cust-a"])
        for t in sorted(catalog)
    } == others
    assert _count(linked, "SELECT count(*) FROM survey_responses WHERE customer_id = 'cust-z'",
                  []) == 1  # fmt: skip


def test_erasing_a_merged_away_id_erases_the_person_it_was_merged_into(linked: Workspace) -> None:
    catalog = _catalog_customer_tables(linked)
    deleted = erase_customer(linked, "cust-b")
    assert deleted["customer_merges"] == 1 and deleted["rejected_rows"] == 2
    for table in sorted(catalog):
        left = _count(
            linked,
            f'SELECT count(*) FROM "{table}" WHERE customer_id IN (?, ?)',
            ["cust-a", "cust-b"],
        )
        assert left == 0, f"{table} still holds {left} rows of the merged customer"
    assert _count(linked, "SELECT count(*) FROM customer_merges", []) == 0
    assert _quoting(linked, EMAIL, PHONE) == 0
    assert _count(linked, "SELECT count(*) FROM identities WHERE source_id = ?", [EMAIL]) == 0
    assert _count(linked, "SELECT count(*) FROM customers WHERE customer_id = 'cust-z'", []) == 1
    with pytest.raises(
        DataError, match="unknown customer 'cust-b': that identifier was erased before"
    ):
        erase_customer(linked, "cust-b")


def test_export_by_a_merged_away_id_gives_everything_linked(linked: Workspace) -> None:
    data = export_customer(linked, "cust-b")  # followed to cust-a
    assert [r["customer_id"] for r in data["customers"]] == ["cust-a"]
    assert data["customers"][0]["phone"] == PHONE
    assert data["customers"][0]["country"] is None  # missing values as None (JSON null)
    assert sorted(r["attribute"] for r in data["survey_responses"]) == ["nps", "quality"]
    assert len(data["transactions"]) == 4
    assert [(r["from_customer_id"], r["into_customer_id"]) for r in data["customer_merges"]] == [
        ("cust-b", "cust-a")
    ]
    refused = sorted(r["raw"] for r in data["rejected_rows"])
    assert (
        len(refused) == 2 and EMAIL in refused[0] + refused[1] and PHONE in refused[0] + refused[1]
    )
    assert not any(OTHER_EMAIL in r or OTHER_PHONE in r for r in refused)
    json.dumps(data, default=str)  # serialisable (timestamps through str)
    other = export_customer(linked, "cust-z")
    assert "customer_merges" not in other and len(other["survey_responses"]) == 1
    with pytest.raises(DataError, match="unknown customer 'nobody'"):
        export_customer(linked, "nobody")
