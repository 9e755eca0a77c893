"""Segment-spec events: validation, rejected rows, idempotence, formats, orders, customers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvm._exceptions import IngestError
from cvm.ingest.events import load_events
from cvm.workspace import Workspace

EVENTS = Path(__file__).parents[1] / "data" / "events"


def rows(ws: Workspace, sql: str, *params: object) -> list[tuple]:
    return ws.con.execute(sql, list(params)).fetchall()


def test_every_bad_line_is_rejected_with_its_reason(workspace: Workspace) -> None:
    result = load_events(workspace, EVENTS / "bad.jsonl")
    rejected = rows(workspace, "SELECT line, reason FROM rejected_rows ORDER BY line")
    assert rejected == [
        (2, "invalid JSON"),
        (3, "not a JSON object"),
        (4, "missing type"),
        (5, "unknown type"),
        (6, "missing userId and anonymousId"),
        (7, "missing timestamp"),
        (8, "unparseable timestamp"),
        (9, "timestamp more than 1 day in the future"),
        (10, "alias without previousId"),
        (12, "track without event name"),
        (15, "duplicate message_id with different content"),
    ]
    raw = rows(workspace, "SELECT raw FROM rejected_rows WHERE line = 2")
    assert raw == [("{not json",)]
    # the blank line 11 is not a row; line 14 repeats line 1 exactly
    assert (result.rows_read, result.loaded, result.duplicates, result.rejected) == (15, 3, 1, 11)
    assert result.top_reasons[0][1] == 1


def test_message_without_id_gets_a_content_hash_and_timestamps_fall_back(
    workspace: Workspace,
) -> None:
    load_events(workspace, EVENTS / "bad.jsonl")
    stored = rows(workspace, "SELECT message_id, ts FROM events ORDER BY ts")
    assert stored[0][0] == "m-ok"
    hashed = [(m, ts) for m, ts in stored if m.startswith("hash-")]
    assert len(hashed) == 1
    assert str(hashed[0][1]) == "2024-03-02 08:00:00"  # sentAt +02:00 stored in UTC
    page = rows(workspace, "SELECT event, ts FROM events WHERE message_id = 'm-page'")
    assert [(e, str(t)) for e, t in page] == [("Home", "2024-03-03 08:00:00")]


def test_reload_adds_nothing(workspace: Workspace) -> None:
    first = load_events(workspace, EVENTS / "merge_b.jsonl")
    before = workspace.table_counts()
    again = load_events(workspace, EVENTS / "merge_b.jsonl")
    after = workspace.table_counts()
    assert first.loaded == 3
    assert (again.loaded, again.duplicates, again.rejected) == (0, 3, 0)
    for table in ("events", "transactions", "identities", "customers", "customer_merges"):
        assert after[table] == before[table], table
    assert after["loads"] == before["loads"] + 1


def test_same_message_id_with_other_content_is_refused_on_reload(
    workspace: Workspace, tmp_path: Path
) -> None:
    load_events(workspace, EVENTS / "alias.jsonl")
    changed = tmp_path / "changed.jsonl"
    msg = json.loads((EVENTS / "alias.jsonl").read_text().splitlines()[0])
    msg["event"] = "Something Else"
    changed.write_text(json.dumps(msg) + "\n")
    result = load_events(workspace, changed)
    assert (result.loaded, result.rejected) == (0, 1)
    refused = "SELECT line, reason FROM rejected_rows WHERE load_id = ?"
    assert rows(workspace, refused, result.load_id) == [
        (1, "duplicate message_id with different content")
    ]


def test_gzip_and_json_array_files(workspace: Workspace) -> None:
    gz = load_events(workspace, EVENTS / "identify_flow.jsonl.gz")
    assert (gz.rows_read, gz.loaded) == (5, 5)
    arr = load_events(workspace, EVENTS / "messages.json")
    assert (arr.rows_read, arr.loaded, arr.rejected) == (3, 2, 1)
    refused = "SELECT line, reason FROM rejected_rows WHERE load_id = ?"
    assert rows(workspace, refused, arr.load_id) == [(3, "missing userId and anonymousId")]


def test_unreadable_file_is_one_clear_error(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        load_events(workspace, tmp_path / "missing.jsonl")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"type": "track",')
    with pytest.raises(IngestError, match="cannot read as a JSON array"):
        load_events(workspace, broken)
    assert workspace.table_counts()["loads"] == 0


def test_order_completed_becomes_a_transaction_and_a_refund(workspace: Workspace) -> None:
    result = load_events(workspace, EVENTS / "orders.jsonl")
    assert result.orders is not None and result.orders.loaded == 3
    got = rows(
        workspace,
        "SELECT transaction_id, customer_id, amount, is_refund, refund_of FROM transactions"
        " ORDER BY ts",
    )
    assert got == [
        ("o-100", "cust-o", 99.5, False, None),
        ("o-101", "cust-o", 20.0, False, None),
        ("o-101-refund-oc3", "cust-o", -20.0, True, "o-101"),
    ]


def test_order_from_events_and_csv_is_stored_once(workspace: Workspace) -> None:
    from cvm.ingest.tabular import load_file

    load_events(workspace, EVENTS / "orders.jsonl")
    csv = load_file(workspace, "transactions", EVENTS / "orders.csv")
    assert (csv.loaded, csv.duplicates) == (1, 1)
    ids = rows(workspace, "SELECT transaction_id, count(*) FROM transactions GROUP BY 1 ORDER BY 1")
    assert ids == [("o-100", 1), ("o-101", 1), ("o-101-refund-oc3", 1), ("o-200", 1)]


def test_identify_traits_fill_the_customer_without_erasing(
    workspace: Workspace, tmp_path: Path
) -> None:
    load_events(workspace, EVENTS / "identify_flow.jsonl")
    older = tmp_path / "older.jsonl"
    older.write_text(
        json.dumps(
            {
                "type": "identify",
                "messageId": "old-1",
                "userId": "cust-1",
                "timestamp": "2023-06-01T00:00:00Z",
                "traits": {"email": "old@example.com", "plan": "trial", "country": "GB"},
            }
        )
        + "\n"
    )
    load_events(workspace, older)
    got = rows(
        workspace,
        "SELECT email, phone, country, consent_email, consent_sms, first_seen, attributes"
        " FROM customers WHERE customer_id = 'cust-1'",
    )
    email, phone, country, consent_email, consent_sms, first_seen, attributes = got[0]
    assert (email, phone, country) == ("Ann@Example.com", "+44 20 7946 0000", "GB")
    assert (consent_email, consent_sms) == (True, False)
    assert str(first_seen) == "2023-06-01 00:00:00"
    assert json.loads(attributes) == {"plan": "gold"}


def test_order_products_become_order_lines(workspace: Workspace) -> None:
    path = EVENTS / "order_products.jsonl"
    load_events(workspace, path)
    lines = workspace.con.execute(
        "SELECT transaction_id, line_no, product_id, category, quantity, amount"
        " FROM order_items ORDER BY 1, 2"
    ).fetchall()
    assert lines == [("o-p1", 1, "P1", "shoes", 2.0, 15.0), ("o-p1", 2, "S-9", None, 1.0, 8.0)]
    refused = workspace.con.execute(
        "SELECT kind, line, reason FROM rejected_rows WHERE kind = 'order_items'"
    ).fetchall()
    assert refused == [("order_items", 2, "negative quantity: -1")]
    assert workspace.con.execute("SELECT count(*) FROM transactions").fetchall()[0][0] == 3
    load_events(workspace, path)  # a reload adds no line twice
    assert workspace.con.execute("SELECT count(*) FROM order_items").fetchall()[0][0] == 2
