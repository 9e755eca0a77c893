"""Ids of rows without an order id: a stable SHA-256 of the content and its occurrence."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from tabular_helpers import rows

from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.workspace import Workspace
from cvm.workspace.schema import migrate

HEADER = "customer_id,ts,amount,currency\n"


def _file(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _key(customer: str, ts: datetime, amount: float, currency: str) -> str:
    """The documented content key, built here independently of the loader."""
    micros = round((ts - datetime(1970, 1, 1)).total_seconds() * 1_000_000)
    return "\x1f".join([customer, str(micros), str(round(amount * 1_000_000)), currency])


def _expected_id(customer: str, ts: datetime, amount: float, currency: str, n: int) -> str:
    key = _key(customer, ts, amount, currency)
    return "md5-" + hashlib.md5(f"{key}\x1f{n}".encode()).hexdigest()


def test_hash_is_pinned_to_an_independent_md5(workspace: Workspace, tmp_path: Path) -> None:
    path = _file(tmp_path, "one.csv", "0042,2024-03-01 10:00:00+01:00,19.90,USD\n")
    load_file(workspace, "transactions", path)
    (stored,) = rows(workspace, "SELECT transaction_id, content_hash FROM transactions")
    key = "0042\x1f1709283600000000\x1f19900000\x1fUSD"  # 2024-03-01T09:00:00Z
    assert _key("0042", datetime(2024, 3, 1, 9), 19.9, "USD") == key
    assert stored[0] == "md5-" + hashlib.md5(f"{key}\x1f1".encode()).hexdigest()
    assert stored[1] == int(hashlib.md5(key.encode()).hexdigest()[:16], 16)


def test_identical_rows_load_as_two_and_reload_adds_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = _file(
        tmp_path,
        "day.csv",
        "C1,2024-01-05 10:00:00,5.00,USD\nC1,2024-01-05 10:00:00,5.00,USD\n"
        "C2,2024-01-05 11:00:00,0.00,USD\n",
    )
    first = load_file(workspace, "transactions", path)
    again = load_file(workspace, "transactions", path)
    assert (first.loaded, first.duplicates) == (3, 0)
    assert (again.loaded, again.duplicates) == (0, 3)
    assert rows(workspace, "SELECT count(*), sum(amount) FROM transactions") == [(3, 10.0)]
    ids = {r[0] for r in rows(workspace, "SELECT transaction_id FROM transactions")}
    ts = datetime(2024, 1, 5, 10)
    assert ids >= {_expected_id("C1", ts, 5.0, "USD", 1), _expected_id("C1", ts, 5.0, "USD", 2)}


def test_overlapping_export_adds_only_its_new_rows(workspace: Workspace, tmp_path: Path) -> None:
    monday = _file(
        tmp_path,
        "mon.csv",
        "C1,2024-01-05 10:00:00,5.00,USD\nC1,2024-01-05 10:00:00,5.00,USD\n"
        "C3,2024-01-05 12:00:00,-2.50,USD\n",
    )
    # Tuesday's export repeats Monday's run of identical rows and adds a third one and a new row
    tuesday = _file(
        tmp_path,
        "tue.csv",
        "C1,2024-01-05 10:00:00,5.00,USD\nC1,2024-01-05 10:00:00,5.00,USD\n"
        "C3,2024-01-05 12:00:00,-2.50,USD\n"
        "C1,2024-01-05 10:00:00,5.00,USD\nC4,2024-01-06 09:00:00,7.00,USD\n",
    )
    load_file(workspace, "transactions", monday)
    second = load_file(workspace, "transactions", tuesday)
    assert (second.loaded, second.duplicates) == (2, 3)
    assert rows(workspace, "SELECT count(*), sum(amount) FROM transactions") == [(5, 19.5)]


def _replay_migration_0031(ws: Workspace) -> None:
    """Make ``ws`` look like a workspace written before 0031, then upgrade it again."""
    ws.con.execute("DROP TABLE ingest_rekeys")
    ws.con.execute("DELETE FROM schema_version WHERE version = 31")
    assert migrate(ws.con) == [31]


def test_ids_stored_by_the_old_hash_are_rekeyed_once_so_a_reload_adds_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "transaction_id,customer_id,ts,amount,currency\n"
        ",C1,2024-01-05 10:00:00,5.00,USD\n"
        ",C2,2024-01-06 10:00:00,-3.00,USD\n"
        "T9,C3,2024-01-07 10:00:00,8.00,USD\n"
    )
    load_file(workspace, "transactions", path)
    # what an older cvm stored: ids and content hashes from DuckDB's hash()
    workspace.con.execute(
        "UPDATE transactions SET content_hash = hash(customer_id, ts, amount, currency) + 1,"
        " transaction_id = CASE WHEN transaction_id = 'T9' THEN 'T9'"
        " ELSE 'h' || hash(customer_id, ts, amount, currency)::VARCHAR END"
    )
    _replay_migration_0031(workspace)
    again = load_file(workspace, "transactions", path)
    assert (again.loaded, again.duplicates, again.rejected) == (0, 3, 0)
    assert again.notes == [
        "re-keyed 3 stored transactions to the stable content hash (once, after the upgrade)"
    ]
    assert rows(workspace, "SELECT count(*) FROM transactions") == [(3,)]
    third = load_file(workspace, "transactions", path)
    assert (third.loaded, third.notes) == (0, [])


def test_event_hashes_stored_by_the_old_hash_are_recomputed(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "ev.jsonl"
    path.write_text(
        '{"type": "track", "event": "Viewed", "messageId": "m1", "userId": "U1",'
        ' "timestamp": "2024-02-01T10:00:00Z", "properties": {"page": "/"}}\n'
    )
    load_events(workspace, path)
    workspace.con.execute("UPDATE events SET content_hash = hash(message_id)")
    _replay_migration_0031(workspace)
    again = load_events(workspace, path)
    assert (again.loaded, again.duplicates, again.rejected) == (0, 1, 0)
