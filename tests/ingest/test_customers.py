from __future__ import annotations

import json
from datetime import datetime

from tabular_helpers import DATA, rejected, rows

from cvm.ingest import load_file
from cvm.workspace import Workspace


def test_customers_consent_attributes_and_rejects(workspace: Workspace) -> None:
    result = load_file(workspace, "customers", DATA / "customers.csv")
    got = rows(
        workspace,
        "SELECT customer_id, email, first_seen, country, consent_email, consent_sms,"
        " attributes FROM customers ORDER BY 1",
    )
    assert [r[:6] for r in got] == [
        ("C1", "ann@example.com", datetime(2023, 1, 2), "FR", True, False),
        ("C2", "bob@example.com", datetime(2023, 2, 3), "US", True, False),
    ]
    assert json.loads(got[0][6]) == {"tier": "gold"}
    assert rejected(workspace) == [
        (4, "C3,cy@example.com,2023-03-04,DE,maybe,0,bronze", "invalid consent flag: maybe"),
        (5, ",nobody@example.com,2023-03-05,DE,no,no,bronze", "missing customer id"),
    ]
    assert (result.loaded, result.rejected) == (2, 2)


def test_customer_snapshot_upserts(workspace: Workspace) -> None:
    load_file(workspace, "customers", DATA / "customers.csv")
    second = load_file(workspace, "customers", DATA / "customers_v2.csv")
    assert (second.loaded, second.updated, second.duplicates) == (2, 1, 1)
    got = rows(
        workspace,
        "SELECT customer_id, consent_email, consent_sms, attributes->>'tier'"
        " FROM customers ORDER BY 1",
    )
    assert got == [
        ("C1", False, False, "platinum"),
        ("C2", True, False, "silver"),
        ("C4", False, True, "bronze"),
    ]
    third = load_file(workspace, "customers", DATA / "customers_v2.csv")
    assert (third.loaded, third.duplicates) == (0, 3)


def test_a_json_attributes_column_is_merged_not_nested(workspace: Workspace, tmp_path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,tier,attributes\n"
        'C1,gold,"{""customer_type"": ""persuadable"", ""age"": 41}"\n'
        "C2,silver,not json\n"
    )
    load_file(workspace, "customers", path)
    got = rows(
        workspace,
        "SELECT customer_id, attributes->>'tier', attributes->>'customer_type',"
        " attributes->>'age', attributes->>'attributes' FROM customers ORDER BY 1",
    )
    assert got == [
        ("C1", "gold", "persuadable", "41", None),
        ("C2", "silver", None, None, "not json"),
    ]
