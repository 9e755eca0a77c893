"""The load key of an order without an id: two genuine orders are never taken for one.

A point-of-sale export has no order id; the key is built from the row's content. Two purchases
by one customer on one day for the same amount at different times are two orders.
"""

from __future__ import annotations

from pathlib import Path

from cvm.ingest import load_file
from cvm.privacy import erase_customer
from cvm.workspace import Workspace

# vendor headers, ids with leading zeros, no order id column
EXPORT = """Customer No,Sale Time,Total,Currency
000417,2024-03-05 09:12:00,12.50,USD
000417,2024-03-05 17:40:00,12.50,USD
000417,2024-03-06 09:12:00,12.50,USD
000988,2024-03-05 09:12:00,12.50,USD
"""
COLUMNS = {"customer_id": "Customer No", "ts": "Sale Time", "amount": "Total"}


def _orders(ws: Workspace) -> list[tuple[str, str, float]]:
    return [
        (str(c), str(ts), float(a))
        for c, ts, a in ws.con.execute(
            "SELECT customer_id, strftime(ts, '%Y-%m-%d %H:%M'), amount FROM transactions"
            " ORDER BY ALL"
        ).fetchall()
    ]


def test_same_day_same_amount_different_time_are_two_orders(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "pos.csv"
    path.write_text(EXPORT)
    first = load_file(workspace, "transactions", path, columns=COLUMNS)
    assert first.loaded == 4 and first.duplicates == 0
    assert _orders(workspace) == [
        ("000417", "2024-03-05 09:12", 12.5),
        ("000417", "2024-03-05 17:40", 12.5),
        ("000417", "2024-03-06 09:12", 12.5),
        ("000988", "2024-03-05 09:12", 12.5),
    ]
    ids = workspace.con.execute("SELECT count(DISTINCT transaction_id) FROM transactions")
    assert ids.fetchall()[0][0] == 4
    # loading the same export again adds nothing: the key is stable
    again = load_file(workspace, "transactions", path, columns=COLUMNS)
    assert again.loaded == 0 and again.duplicates == 4
    assert len(_orders(workspace)) == 4


def test_the_afternoon_order_arriving_later_is_added(workspace: Workspace, tmp_path: Path) -> None:
    lines = EXPORT.splitlines()
    morning, full = tmp_path / "morning.csv", tmp_path / "full.csv"
    morning.write_text("\n".join([lines[0], lines[1]]) + "\n")
    full.write_text(EXPORT)
    assert load_file(workspace, "transactions", morning, columns=COLUMNS).loaded == 1
    later = load_file(workspace, "transactions", full, columns=COLUMNS)
    assert later.loaded == 3 and later.duplicates == 1
    assert len(_orders(workspace)) == 4


def test_a_changed_order_under_a_known_id_is_refused_not_counted_as_loaded(
    workspace: Workspace, tmp_path: Path
) -> None:
    first, second = tmp_path / "jan.csv", tmp_path / "jan_fixed.csv"
    first.write_text(
        "order_id,customer_id,order_date,amount\n"
        "A-0001,000417,2024-03-05 09:12:00,12.50\nA-0002,000988,2024-03-05 10:00:00,8.00\n"
    )
    # the shop re-exports: A-0001's amount changed, A-0003 is new
    second.write_text(
        "order_id,customer_id,order_date,amount\n"
        "A-0001,000417,2024-03-05 09:12:00,15.00\nA-0003,000988,2024-03-06 10:00:00,9.00\n"
    )
    assert load_file(workspace, "transactions", first).loaded == 2
    again = load_file(workspace, "transactions", second)
    assert (again.loaded, again.duplicates, again.rejected) == (1, 0, 1)
    stored = workspace.con.execute(
        "SELECT transaction_id, amount FROM transactions ORDER BY 1"
    ).fetchall()
    assert stored == [("A-0001", 12.5), ("A-0002", 8.0), ("A-0003", 9.0)]


def test_a_reload_after_an_erasure_refuses_the_erased_customers_orders(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "pos.csv"
    path.write_text(EXPORT)
    load_file(workspace, "transactions", path, columns=COLUMNS)
    erase_customer(workspace, "000417", compact=False)
    again = load_file(workspace, "transactions", path, columns=COLUMNS)
    # the file's three orders of 000417 are refused (erased); 000988's is already stored
    assert (again.rows_read, again.erased, again.loaded, again.duplicates) == (4, 3, 0, 1)
    assert _orders(workspace) == [("000988", "2024-03-05 09:12", 12.5)]
