"""Migration 0030: CHECK constraints keep non-finite and out-of-range numbers out of the store."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cvm.workspace import Workspace
from cvm.workspace.schema import migrate


def test_upgrade_moves_bad_rows_aside_and_enforces_the_checks(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws")
    ws.close()
    # the same workspace as an older cvm left it: schema 7, an infinite amount let in
    con = duckdb.connect(str(tmp_path / "ws" / "cvm.duckdb"))
    con.execute("DROP TABLE transactions")
    con.execute("DROP TABLE order_items")
    con.execute("DROP TABLE subscriptions")
    con.execute("DROP TABLE survey_responses")
    con.execute("DROP TABLE IF EXISTS ingest_rekeys")
    con.execute("DELETE FROM schema_version WHERE version > 7")
    con.execute("DELETE FROM schema_version WHERE version = 1")
    migrate(con, target=1)  # recreates the tables as 0001 made them
    con.execute(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount, load_id) VALUES"
        " ('T1', 'C1', '2024-01-01', 10.5, 'old'), ('T2', 'C1', '2024-01-02', 'inf', 'old'),"
        " ('T3', 'C2', '2024-01-03', 'nan', 'old')"
    )
    con.execute(
        "INSERT INTO order_items (transaction_id, line_no, product_id, quantity, amount)"
        " VALUES ('T1', 1, 'P1', 2, 10.5), ('T1', 2, 'P2', 'inf', 1)"
    )
    con.close()
    with Workspace.open(tmp_path / "ws") as upgraded:
        con = upgraded.con
        assert con.execute("SELECT transaction_id FROM transactions").fetchall() == [("T1",)]
        assert con.execute("SELECT line_no FROM order_items").fetchall() == [(1,)]
        moved = con.execute(
            "SELECT kind, source, raw FROM rejected_rows ORDER BY kind, raw"
        ).fetchall()
        assert [(k, s) for k, s, _ in moved] == [
            ("order_items", "upgrade"),
            ("transactions", "upgrade"),
            ("transactions", "upgrade"),
        ]
        assert {json.loads(r)["transaction_id"] for k, _, r in moved if k == "transactions"} == {
            "T2",
            "T3",
        }
        for sql in (
            "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
            " VALUES ('X', 'C', '2024-01-01', 'nan')",
            "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
            " VALUES ('X', 'C', '2024-01-01', 2e12)",
            "INSERT INTO order_items (transaction_id, line_no, product_id, quantity, amount)"
            " VALUES ('X', 1, 'P', 2e6, 1)",
            "INSERT INTO subscriptions (subscription_id, customer_id, started, monthly_amount)"
            " VALUES ('S', 'C', '2024-01-01', 'inf')",
            "INSERT INTO survey_responses (respondent_id, brand, attribute, score)"
            " VALUES ('R', 'b', 'a', 'nan')",
        ):
            with pytest.raises(duckdb.ConstraintException):
                con.execute(sql)
