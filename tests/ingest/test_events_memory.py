"""Messages handed over in memory (the service's windows) load exactly as the same lines read
from a file: the same events, refusals, customers, identities, merges and orders."""

from __future__ import annotations

from pathlib import Path

from cvm.ingest.events import load_events, load_messages
from cvm.workspace import Workspace

EVENTS = Path(__file__).parents[1] / "data" / "events"

FILES = ("bad.jsonl", "identify_flow.jsonl", "alias.jsonl", "merge_a.jsonl", "merge_b.jsonl",
         "anonymous_later.jsonl", "orders.jsonl", "order_products.jsonl")  # fmt: skip

TABLES = {
    "events": "message_id, type, customer_id, user_id, anonymous_id, ts, event,"
    " properties::VARCHAR, previous_id, context::VARCHAR, content_hash",
    "rejected_rows": "kind, line, raw, reason",
    "customers": "customer_id, first_seen, email, phone, country, consent_email, consent_sms,"
    " consent_push, consent_mail, attributes::VARCHAR, updated_at",
    "identities": "source, source_id, customer_id, first_seen",
    "customer_merges": "from_customer_id, into_customer_id",
    "transactions": "transaction_id, customer_id, ts, amount, currency, is_refund, refund_of",
    "order_items": "transaction_id, line_no, product_id, category, quantity, amount",
}


def dump(ws: Workspace) -> dict[str, list[tuple]]:
    return {
        table: ws.engine.rows(f"SELECT {columns} FROM {table} ORDER BY ALL")
        for table, columns in TABLES.items()
    }


def test_the_same_files_in_memory_store_the_same_rows(tmp_path: Path) -> None:
    from_files = Workspace.create(tmp_path / "files")
    in_memory = Workspace.create(tmp_path / "memory")
    try:
        for name in FILES:
            path = EVENTS / name
            read = load_events(from_files, path)
            lines = path.read_text(encoding="utf-8").splitlines()
            held = load_messages(in_memory, lines, source=name)
            counts = ("rows_read", "loaded", "duplicates", "rejected", "customers_merged")
            assert [getattr(held, c) for c in counts] == [getattr(read, c) for c in counts], name
            assert (held.orders is None) == (read.orders is None), name
            if read.orders is not None and held.orders is not None:
                assert held.orders.loaded == read.orders.loaded, name
        expected, got = dump(from_files), dump(in_memory)
    finally:
        from_files.close()
        in_memory.close()
    for table in TABLES:
        assert got[table] == expected[table], table
    # against the file's own count (tests/ingest/test_events.py): 11 refused lines of bad.jsonl
    assert sum(1 for row in got["rejected_rows"] if row[0] == "events") >= 11
    assert got["transactions"] and got["customer_merges"] and got["events"]


def test_a_window_without_orders_makes_no_order_load(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws")
    try:
        lines = (EVENTS / "identify_flow.jsonl").read_text(encoding="utf-8").splitlines()
        result = load_messages(ws, lines, source="http")
        kinds = ws.engine.rows("SELECT kind, source FROM loads ORDER BY kind")
        orders = load_messages(
            ws, (EVENTS / "orders.jsonl").read_text(encoding="utf-8").splitlines(), source="http"
        )
        kinds_after = ws.engine.rows("SELECT kind FROM loads ORDER BY kind")
    finally:
        ws.close()
    assert result.orders is None and result.loaded > 0
    assert kinds == [("events", "http")]
    assert orders.orders is not None and orders.orders.loaded > 0
    assert ("transactions",) in kinds_after
