"""One bad row never sinks a file: big fields, stray latin-1 lines, records over several lines."""

from __future__ import annotations

import gzip
from pathlib import Path

from tabular_helpers import rejected, rows

from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.workspace import Workspace


def test_a_valid_quoted_10_mib_field_loads(workspace: Workspace, tmp_path: Path) -> None:
    note = "x" * (10 * 1024 * 1024)
    path = tmp_path / "contacts.csv"
    path.write_text(
        f'customer_id,email,notes\n0001,a@x.com,short\n0002,b@x.com,"{note}"\n0003,c@x.com,fine\n'
    )
    result = load_file(workspace, "customers", path)
    assert (result.loaded, result.rejected) == (3, 0)
    assert rows(
        workspace,
        "SELECT customer_id, length(attributes ->> 'notes') FROM customers ORDER BY 1",
    ) == [("0001", 5), ("0002", 10 * 1024 * 1024), ("0003", 4)]


def test_one_latin1_line_in_json_lines_rejects_only_that_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "tx.jsonl.gz"
    bad = '{"transaction_id": "J2", "customer_id": "Søren", "ts": "2024-01-02", "amount": 4}'
    with gzip.open(path, "wb") as fh:
        fh.write(b'{"transaction_id": "J1", "customer_id": "C1", "ts": "2024-01-01", "amount": 5}')
        fh.write(b"\n")
        fh.write(bad.encode("latin-1") + b"\n")
        fh.write(b'{"transaction_id": "J3", "customer_id": "C3", "ts": "2024-01-03", "amount": 7}')
        fh.write(b"\n")
    result = load_file(workspace, "transactions", path)
    assert (result.rows_read, result.loaded, result.rejected) == (3, 2, 1)
    assert rejected(workspace) == [(2, bad, "unreadable row: invalid UTF-8")]
    assert rows(workspace, "SELECT transaction_id FROM transactions ORDER BY 1") == [
        ("J1",),
        ("J3",),
    ]


def test_one_latin1_line_in_segment_events_rejects_only_that_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    def msg(mid: str, user: str) -> str:
        return (
            f'{{"type": "track", "event": "Viewed", "messageId": "{mid}", "userId": "{user}",'
            ' "timestamp": "2024-01-01T00:00:00Z"}'
        )

    path = tmp_path / "ev.jsonl"
    path.write_bytes(
        (msg("m1", "U1") + "\n").encode()
        + (msg("m2", "Søren") + "\n").encode("latin-1")
        + (msg("m3", "U3") + "\n").encode()
    )
    result = load_events(workspace, path)
    assert (result.loaded, result.rejected) == (2, 1)
    assert rejected(workspace) == [(2, msg("m2", "Søren"), "unreadable row: invalid UTF-8")]


def test_after_a_quoted_newline_rejects_keep_their_own_line_and_text(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "tx.csv"
    path.write_text(
        "transaction_id,customer_id,ts,amount,note\n"  # line 1
        'T1,C1,2024-01-01,5,"multi\nline note"\n'  # lines 2-3
        'T2,C1,2024-01-02,abc,"x"\n'  # line 4
        'T3,C2,2024-01-03,7,"a\n\nb"\n'  # lines 5-7
        "T4,,2024-01-04,1,z\n"  # line 8
        "T5,C2,2024-01-05,1,z,extra\n"  # line 9
        'T6,C1,2024-01-06,bad,"q\nr"\n'  # lines 10-11
        "T7,C3,2024-01-07,2,ok\n"  # line 12
    )
    result = load_file(workspace, "transactions", path)
    assert (result.rows_read, result.loaded, result.rejected) == (7, 3, 4)
    assert rejected(workspace) == [
        (4, 'T2,C1,2024-01-02,abc,"x"', "non-numeric amount: abc"),
        (8, "T4,,2024-01-04,1,z", "missing customer id"),
        (9, "T5,C2,2024-01-05,1,z,extra", "wrong column count: expected 5, found 6"),
        (10, 'T6,C1,2024-01-06,bad,"q\nr"', "non-numeric amount: bad"),
    ]
