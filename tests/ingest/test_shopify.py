from __future__ import annotations

from datetime import datetime

from tabular_helpers import DATA, rejected, rows, set_config

from cvm.ingest import load_file
from cvm.workspace import Workspace

SHOPIFY = DATA / "shopify_orders.csv"


def test_one_shopify_export_gives_orders_refunds_and_lines(workspace: Workspace) -> None:
    ws = set_config(workspace, "[currencies]\nEUR = 1.1\n")
    try:
        tx = load_file(ws, "transactions", SHOPIFY, profile="shopify")
        items = load_file(ws, "order_items", SHOPIFY, profile="shopify")
        assert (tx.loaded, tx.skipped, tx.rejected) == (5, 1, 0)
        assert (items.loaded, items.rejected) == (4, 0)
        mar_1, mar_2, mar_3 = (
            datetime(2024, 3, 1, 9),
            datetime(2024, 3, 2, 13),
            datetime(2024, 3, 3, 12),
        )
        assert rows(
            ws,
            "SELECT transaction_id, customer_id, ts, round(amount, 6), currency, is_refund,"
            " refund_of FROM transactions ORDER BY ts, transaction_id",
        ) == [
            ("#1001", "ann@example.com", mar_1, 60.5, "EUR", False, None),
            ("#1002", "bob@example.com", mar_2, 30.0, "USD", False, None),
            ("#1002-refund", "bob@example.com", mar_2, -30.0, "USD", True, "#1002"),
            ("#1003", "cy@example.com", mar_3, 80.0, "USD", False, None),
            ("#1003-refund", "cy@example.com", mar_3, -20.0, "USD", True, "#1003"),
        ]
        assert rows(
            ws,
            "SELECT transaction_id, line_no, product_id, quantity, round(amount, 6)"
            " FROM order_items ORDER BY 1, 2",
        ) == [
            ("#1001", 1, "MUG-1", 2.0, 44.0),
            ("#1001", 2, "TEE-1", 1.0, 11.0),
            ("#1002", 1, "CAP-1", 1.0, 30.0),
            ("#1003", 1, "Bag", 2.0, 80.0),
        ]
        again = load_file(ws, "transactions", SHOPIFY, profile="shopify")
        assert (again.loaded, again.duplicates) == (0, 5)
        assert rejected(ws) == []
    finally:
        ws.close()
