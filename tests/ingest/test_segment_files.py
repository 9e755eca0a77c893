"""Segment / RudderStack files on disk: batch envelopes and warehouse exports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cvm._exceptions import IngestError
from cvm.ingest.events import load_events
from cvm.ingest.identity import resolve_customer_id
from cvm.workspace import Workspace

SEGMENT = Path(__file__).parents[1] / "data" / "segment"


def _events(ws: Workspace) -> list[tuple]:
    return ws.con.execute(
        "SELECT message_id, type, customer_id, anonymous_id, ts, event FROM events ORDER BY ts"
    ).fetchall()


def test_batch_envelope_one_per_line(workspace: Workspace) -> None:
    """Defect: a {"batch": [...]} envelope was refused with "missing type"."""
    r = load_events(workspace, SEGMENT / "batch_lines.jsonl")
    assert (r.rows_read, r.loaded, r.rejected) == (3, 3, 0)
    assert _events(workspace) == [
        ("m-1", "identify", "u-100", "a-1", datetime(2024, 3, 1, 10, 0), None),
        ("m-2", "track", "u-100", None, datetime(2024, 3, 1, 10, 1), "Product Viewed"),
        ("m-3", "track", "u-100", "a-1", datetime(2024, 3, 1, 10, 5), "Order Completed"),
    ]
    # the write key of the envelope is not kept anywhere
    assert "wk_secret" not in str(workspace.con.execute("SELECT * FROM events").fetchall())
    assert resolve_customer_id(workspace, "email", "pat@example.com") == "u-100"
    assert r.orders is not None and r.orders.loaded == 1  # the anonymous order, now Pat's
    tx = workspace.con.execute("SELECT transaction_id, customer_id, amount FROM transactions")
    assert tx.fetchall() == [("o-9", "u-100", 42.5)]


def test_batch_envelope_as_a_whole_pretty_printed_file(workspace: Workspace) -> None:
    r = load_events(workspace, SEGMENT / "batch_whole.json")
    assert (r.loaded, r.rejected) == (2, 0)
    got = [(e[0], e[1], e[2]) for e in _events(workspace)]
    assert got == [("rs-1", "track", "u-200"), ("rs-2", "page", "u-200")]


def _warehouse_tracks(tmp: Path) -> Path:
    """A tracks table and a per-event table as a warehouse unload writes them (TIMESTAMPTZ)."""
    folder = tmp / "tracks"
    folder.mkdir()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/New_York'")  # the writer's zone must not matter
    con.execute(
        f"""COPY (SELECT * FROM (VALUES
            ('t-1', 'u-300', NULL, TIMESTAMPTZ '2024-03-03 12:00:00+00',
             TIMESTAMPTZ '2024-03-03 12:00:02+00', 'product_viewed', 'Product Viewed',
             'Safari', '198.51.100.2'),
            ('t-2', NULL, 'anon-9', TIMESTAMPTZ '2024-03-01 09:00:00+00',
             TIMESTAMPTZ '2024-03-01 09:00:01+00', 'signed_up', 'Signed Up', 'Chrome', NULL)
        ) AS t(id, user_id, anonymous_id, "timestamp", received_at, event, event_text,
               context_user_agent, context_ip))
        TO '{folder}/part-0000.parquet' (FORMAT parquet)"""
    )
    con.execute(
        f"""COPY (SELECT 'oc-1' AS id, 'u-300' AS user_id, TIMESTAMP '2024-03-04 15:30:00'
            AS "timestamp", 'order_completed' AS event, 'Order Completed' AS event_text,
            'o-77' AS order_id, 120.0 AS total, 'USD' AS currency, 'spring' AS coupon)
        TO '{tmp}/order_completed.parquet' (FORMAT parquet)"""
    )
    return folder / "part-0000.parquet"


def test_warehouse_exports_tracks_identifies_and_per_event_tables(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Defect: a Segment warehouse Parquet export failed with a misleading "CSV Error"."""
    tracks = _warehouse_tracks(tmp_path)
    ident = load_events(workspace, SEGMENT / "identifies.csv")
    assert (ident.loaded, ident.rejected) == (2, 0)
    got = load_events(workspace, tracks)
    assert (got.loaded, got.rejected) == (2, 0)
    orders = load_events(workspace, tmp_path / "order_completed.parquet")
    assert (orders.loaded, orders.rejected) == (1, 0)
    assert [(e[0], e[1], e[2], e[5]) for e in _events(workspace)] == [
        ("t-2", "track", "u-300", "Signed Up"),
        ("ajs-id-1", "identify", "u-300", None),
        ("ajs-id-2", "identify", "u-301", None),
        ("t-1", "track", "u-300", "Product Viewed"),
        ("oc-1", "track", "u-300", "Order Completed"),
    ]
    rows = {e[0]: e for e in _events(workspace)}
    assert rows["t-2"][2] == "u-300"  # the anonymous track resolved through the identify
    assert rows["ajs-id-1"][4] == datetime(2024, 3, 1, 10, 0)  # "... UTC" read as UTC
    assert rows["t-1"][4] == datetime(2024, 3, 3, 12, 0)
    traits = workspace.con.execute(
        "SELECT properties ->> 'plan', properties ->> 'email' FROM events"
        " WHERE message_id = 'ajs-id-1'"
    ).fetchall()
    assert traits == [("pro", "quinn@example.com")]
    assert workspace.con.execute(
        "SELECT transaction_id, customer_id, amount FROM transactions"
    ).fetchall() == [("o-77", "u-300", 120.0)]


def test_a_parquet_file_that_is_no_segment_table_says_so(
    workspace: Workspace, tmp_path: Path
) -> None:
    odd = tmp_path / "export.parquet"
    duckdb.connect().execute(f"COPY (SELECT 1 AS a) TO '{odd}' (FORMAT parquet)")
    with pytest.raises(IngestError, match="not a Segment warehouse table") as info:
        load_events(workspace, odd)
    assert "CSV" not in str(info.value)
    broken = tmp_path / "tracks.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(IngestError, match="cannot read as parquet"):
        load_events(workspace, broken)
