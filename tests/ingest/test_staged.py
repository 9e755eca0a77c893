from __future__ import annotations

from datetime import datetime

from tabular_helpers import rejected, rows

from cvm.ingest import load_transactions_from, resolve_options
from cvm.workspace import Workspace


def test_load_transactions_from_a_staged_table(workspace: Workspace) -> None:
    con = workspace.con
    con.execute(
        "CREATE TEMP TABLE staged AS SELECT * FROM (VALUES"
        " ('o1', 'c1', TIMESTAMPTZ '2024-01-05 10:00:00+00', 10.0, 7, '{\"a\":1}'),"
        " ('o2', NULL, TIMESTAMPTZ '2024-01-05 10:00:00+00', 5.0, 8, '{\"a\":2}'),"
        " ('o1', 'c1', TIMESTAMPTZ '2024-01-05 10:00:00+00', 10.0, 9, '{\"a\":3}'))"
        " t(transaction_id, customer_id, ts, amount, _line, _raw)"
    )
    with workspace.engine.transaction():
        result = load_transactions_from(
            workspace.engine,
            "staged",
            load_id="ev-1",
            source="segment.jsonl",
            options=resolve_options(workspace.config, "transactions"),
        )
    assert (result.rows_read, result.loaded, result.duplicates, result.rejected) == (3, 1, 1, 1)
    assert rows(workspace, "SELECT transaction_id, ts, amount, load_id FROM transactions") == [
        ("o1", datetime(2024, 1, 5, 10), 10.0, "ev-1")
    ]
    assert rejected(workspace) == [(8, '{"a":2}', "missing customer id")]
