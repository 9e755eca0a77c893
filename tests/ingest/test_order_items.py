from __future__ import annotations

from tabular_helpers import DATA, rejected, rows

from cvm.ingest import load_file
from cvm.workspace import Workspace


def test_order_lines_checked_and_numbered(workspace: Workspace) -> None:
    result = load_file(workspace, "order-items", DATA / "order_items.csv")
    assert result.loaded == 2
    assert rows(
        workspace,
        "SELECT transaction_id, line_no, product_id, category, quantity, amount"
        " FROM order_items ORDER BY 1, 2",
    ) == [
        ("O1", 1, "P1", "books", 1.0, 12.5),
        ("O1", 2, "P2", "toys", 2.0, 20.0),
    ]
    assert rejected(workspace) == [
        (4, "O2,P1,books,-1,12.50", "negative quantity: -1"),
        (5, "O2,,books,1,5.00", "missing product id"),
        (6, "O3,P3,garden,two,5.00", "non-numeric quantity: two"),
    ]
    again = load_file(workspace, "order_items", DATA / "order_items.csv")
    assert (again.loaded, again.duplicates) == (0, 2)
