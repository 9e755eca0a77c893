from __future__ import annotations

import gzip
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from tabular_helpers import DATA, rejected, rows, set_config

from cvm import ConfigError, IngestError
from cvm.ingest import load_file
from cvm.workspace import Workspace

BAD = DATA / "transactions_bad.csv"


def test_bad_rows_are_rejected_with_line_raw_and_reason(workspace: Workspace) -> None:
    result = load_file(workspace, "transactions", BAD)
    assert rejected(workspace) == [
        (3, "T2,,2024-01-06 11:00:00,50.00,USD", "missing customer id"),
        (
            4,
            "T3,C2,2024-13-45 10:00:00,20.00,USD",
            "unparseable timestamp: 2024-13-45 10:00:00 (expected ISO 8601)",
        ),
        (5, "T4,C3,2099-01-01 00:00:00,20.00,USD", "far-future timestamp: 2099-01-01 00:00:00"),
        (6, "T5,C3,2024-02-01 09:30:00,abc,USD", "non-numeric amount: abc"),
        (7, "T6,C4,2024-02-02 09:30:00,30.00,XYZ", "unknown currency: XYZ"),
        (8, "T7,C5,2024-02-03 09:30:00", "wrong column count: expected 5, found 3"),
        (
            9,
            "T1,C9,2024-01-05 10:00:00,100.00,USD",
            "duplicate transaction_id with different content",
        ),
        (12, "T9,C6,2024-02-05 12:00:00,80.00,EUR", "unknown currency: EUR"),
    ]
    assert rows(
        workspace,
        "SELECT transaction_id, customer_id, ts, amount, is_refund FROM transactions ORDER BY 1",
    ) == [
        ("T1", "C1", datetime(2024, 1, 5, 10), 100.0, False),
        ("T8", "C5", datetime(2024, 2, 4, 12), -25.0, True),
    ]
    assert (result.rows_read, result.loaded, result.duplicates, result.rejected) == (11, 2, 1, 8)
    assert result.top_reasons[0] == ("unknown currency", 2)
    load = rows(
        workspace, "SELECT kind, rows_read, rows_loaded, rows_duplicate, rows_rejected FROM loads"
    )
    assert load == [("transactions", 11, 2, 1, 8)]
    assert rows(workspace, "SELECT DISTINCT kind, source FROM rejected_rows") == [
        ("transactions", str(BAD))
    ]


def test_reload_is_idempotent(workspace: Workspace) -> None:
    load_file(workspace, "transactions", BAD)
    again = load_file(workspace, "transactions", BAD)
    assert (again.loaded, again.duplicates, again.rejected) == (0, 3, 8)
    assert rows(workspace, "SELECT count(*), sum(amount) FROM transactions") == [(2, 75.0)]


def test_overlapping_exports_add_each_order_once(workspace: Workspace) -> None:
    first = load_file(workspace, "transactions", DATA / "tx_export_jan.csv")
    second = load_file(workspace, "transactions", DATA / "tx_export_jan_feb.csv")
    assert (first.loaded, second.loaded, second.duplicates) == (3, 1, 2)
    assert rows(workspace, "SELECT transaction_id FROM transactions ORDER BY 1") == [
        ("A1",),
        ("A2",),
        ("A3",),
        ("A4",),
    ]
    assert rows(workspace, "SELECT sum(amount) FROM transactions") == [(100.0,)]


def test_conflicting_reload_is_rejected_not_overwritten(
    workspace: Workspace, tmp_path: Path
) -> None:
    load_file(workspace, "transactions", DATA / "tx_export_jan.csv")
    changed = tmp_path / "changed.csv"
    changed.write_text("order_number,client,order_date,total\nA1,C1,2024-01-03,11.00\n")
    result = load_file(workspace, "transactions", changed)
    assert result.rejected == 1
    assert rejected(workspace) == [
        (2, "A1,C1,2024-01-03,11.00", "duplicate transaction_id with different content")
    ]
    assert rows(workspace, "SELECT amount FROM transactions WHERE transaction_id = 'A1'") == [
        (10.0,)
    ]


def test_refunds_are_negative_flagged_and_linked(workspace: Workspace) -> None:
    load_file(workspace, "transactions", DATA / "refunds.csv")
    assert rows(
        workspace,
        "SELECT transaction_id, amount, is_refund, refund_of FROM transactions ORDER BY 1",
    ) == [
        ("R1", 100.0, False, None),
        ("R2", -40.0, True, "R1"),
        ("R3", -15.0, True, "R9"),
    ]


def test_rows_without_an_id_get_a_content_hash_id(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "noid.csv"
    src.write_text("customer,date,revenue\nC1,2024-01-01,5\nC1,2024-01-01,5\nC2,2024-01-02,7\n")
    first = load_file(workspace, "transactions", src)
    again = load_file(workspace, "transactions", src)
    # two identical purchases in one file are two purchases (their occurrence keys them)
    assert (first.loaded, first.duplicates, again.loaded, again.duplicates) == (3, 0, 0, 3)
    ids = rows(workspace, "SELECT transaction_id FROM transactions")
    assert len({i for (i,) in ids}) == 3
    assert all(i.startswith("md5-") and len(i) == 36 for (i,) in ids)


def test_time_zone_of_naive_timestamps_and_offsets(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "tz.csv"
    src.write_text(
        "order_id,customer_id,created_at,total\n"
        "Z1,C1,2024-07-01 12:00:00,1\n"
        "Z2,C1,2024-07-01T12:00:00+02:00,1\n"
        "Z3,C1,2024-01-15 12:00:00,1\n"
    )
    load_file(workspace, "transactions", src, timezone="America/New_York")
    assert rows(workspace, "SELECT transaction_id, ts FROM transactions ORDER BY 1") == [
        ("Z1", datetime(2024, 7, 1, 16)),  # EDT, UTC-4
        ("Z2", datetime(2024, 7, 1, 10)),  # the offset in the data wins
        ("Z3", datetime(2024, 1, 15, 17)),  # EST, UTC-5
    ]


def test_date_format_and_currency_conversion_from_config(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = set_config(
        workspace,
        '[sources.transactions]\ndate_format = "%d/%m/%Y %H:%M"\ntimezone = "Europe/Paris"\n'
        'currency = "EUR"\n[currencies]\nEUR = 1.1\nGBP = 1.25\n',
    )
    src = tmp_path / "eu.csv"
    src.write_text(
        "order_id,customer_id,date,amount,currency\n"
        "E1,C1,05/01/2024 10:30,100,\n"
        "E2,C1,06/01/2024 10:30,100,GBP\n"
        "E3,C1,2024-01-07,100,\n"
    )
    try:
        load_file(ws, "transactions", src)
        assert rows(
            ws, "SELECT transaction_id, ts, round(amount, 6), currency FROM transactions ORDER BY 1"
        ) == [
            ("E1", datetime(2024, 1, 5, 9, 30), 110.0, "EUR"),
            ("E2", datetime(2024, 1, 6, 9, 30), 125.0, "GBP"),
        ]
        assert rejected(ws) == [
            (
                4,
                "E3,C1,2024-01-07,100,",
                "unparseable timestamp: 2024-01-07 (expected %d/%m/%Y %H:%M)",
            )
        ]
    finally:
        ws.close()


def test_mapping_from_config_and_flags_win(workspace: Workspace, tmp_path: Path) -> None:
    ws = set_config(
        workspace,
        '[sources.transactions.columns]\ntransaction_id = "ref"\ncustomer_id = "buyer"\n'
        'ts = "when"\namount = "gross"\n',
    )
    src = tmp_path / "odd.csv"
    src.write_text("ref,buyer,when,gross,net\nX1,C1,2024-01-01,12,10\n")
    try:
        load_file(ws, "transactions", src)
        load_file(ws, "transactions", src, columns={"amount": "net", "transaction_id": "buyer"})
        assert rows(
            ws, "SELECT transaction_id, customer_id, amount FROM transactions ORDER BY 1"
        ) == [
            ("C1", "C1", 10.0),
            ("X1", "C1", 12.0),
        ]
    finally:
        ws.close()


def test_semicolon_latin1_csv_is_sniffed(workspace: Workspace) -> None:
    src = DATA / "eu_latin1.csv"
    mapping = {"transaction_id": "id", "customer_id": "kunde", "ts": "datum", "amount": "betrag"}
    result = load_file(workspace, "transactions", src, columns=mapping)
    assert rows(workspace, "SELECT customer_id, amount FROM transactions") == [("Müller", 10.5)]
    assert rejected(workspace) == [
        (3, "E2;Søren;2024-06-02 12:00:00;abc", "non-numeric amount: abc")
    ]
    assert result.loaded == 1


def test_gzip_csv(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "jan.csv.gz"
    with open(DATA / "tx_export_jan.csv", "rb") as fin, gzip.open(src, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    assert load_file(workspace, "transactions", src).loaded == 3


def test_parquet_with_typed_columns(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "tx.parquet"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES ('P1', 'C1', TIMESTAMP '2024-01-01 08:00:00', 9.5),"
        " ('P2', NULL, TIMESTAMP '2024-01-02 08:00:00', 3.0)) t(order_id, customer_id, ts, amount))"
        f" TO '{src}' (FORMAT parquet)"
    )
    result = load_file(workspace, "transactions", src, timezone="Europe/Paris")
    assert rows(workspace, "SELECT transaction_id, ts, amount FROM transactions") == [
        ("P1", datetime(2024, 1, 1, 7), 9.5)
    ]
    assert rejected(workspace) == [
        (
            2,
            '{"order_id":"P2","customer_id":null,"ts":"2024-01-02 08:00:00","amount":3.0}',
            "missing customer id",
        )
    ]
    assert result.rows_read == 2


def test_json_lines(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "tx.jsonl"
    src.write_text(
        '{"order_id": "J1", "customer_id": "C1", "date": "2024-02-01T10:00Z", "total": 5}\n'
        '{"order_id": "J2", "customer_id": "C2", "date": "2024-02-01T10:00Z", "total": "n/a"}\n'
    )
    load_file(workspace, "transactions", src)
    assert rows(workspace, "SELECT transaction_id, amount FROM transactions") == [("J1", 5.0)]
    assert [(line, reason) for line, _, reason in rejected(workspace)] == [
        (2, "non-numeric amount: n/a")
    ]


def test_missing_required_column_loads_nothing(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "noamount.csv"
    src.write_text("order_id,customer_id,date\nA,C1,2024-01-01\n")
    with pytest.raises(IngestError) as err:
        load_file(workspace, "transactions", src)
    msg = str(err.value)
    assert "'amount'" in msg and str(src) in msg and "order_id, customer_id, date" in msg
    assert workspace.table_counts()["loads"] == 0
    assert workspace.table_counts()["transactions"] == 0


def test_missing_file_and_unknown_format(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        load_file(workspace, "transactions", tmp_path / "nope.csv")
    odd = tmp_path / "orders.xlsx"
    odd.write_bytes(b"PK")
    with pytest.raises(IngestError, match="not a CSV, Parquet or JSON lines file"):
        load_file(workspace, "transactions", odd)


def test_decimal_comma_amounts(workspace: Workspace) -> None:
    path = DATA / "decimal_comma.csv"
    result = load_file(workspace, "transactions", path, decimal=",")
    assert rows(workspace, "SELECT transaction_id, amount FROM transactions ORDER BY 1") == [
        ("A1", 1234.5),
        ("A2", 12.5),
    ]
    assert rejected(workspace) == [(4, "A3;C3;2024-03-03;abc", "non-numeric amount: abc")]
    assert result.loaded == 2
    with pytest.raises(ConfigError, match="decimal separator"):
        load_file(workspace, "transactions", path, decimal=";")
