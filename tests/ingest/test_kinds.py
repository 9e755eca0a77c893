"""The source-kind registry: every kind declared once, everything else derived from it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlglot.expressions as exp

from cvm._exceptions import ConfigError
from cvm.ingest import erased, load_file, resolve_options
from cvm.ingest._common import kind_sql
from cvm.ingest.identity import resolve_customer_id
from cvm.ingest.kinds import SOURCE_KINDS, Column, Slot, SourceKind, register, source_kind
from cvm.ingest.profiles import resolve_columns
from cvm.ingest.staging import Source, canonical_select
from cvm.workspace import Workspace

SQL = Path(__file__).parents[2] / "src" / "cvm" / "ingest" / "sql"


@pytest.fixture
def returns_kind() -> Iterator[SourceKind]:
    """A kind that exists only in this test: product returns keyed by RMA number."""
    kind = register(
        SourceKind(
            "returns",
            "product_returns",
            "_cvm_rt",
            columns=(
                Column("rma", Slot.TEXT, True, ("rma", "rma_number", "return_id")),
                Column("customer_id", Slot.TEXT, True, ("customer_id", "client")),
                Column("returned_at", Slot.TS, aliases=("returned_at", "date")),
                Column("refund", Slot.NUM, aliases=("refund", "refund_amount")),
            ),
            key=("rma",),
            write="insert",
            conflict="duplicate RMA with different content",
            other_names=("product_returns",),
        )
    )
    yield kind
    del SOURCE_KINDS["returns"]


def test_a_new_kind_is_one_declaration(returns_kind: SourceKind) -> None:
    assert source_kind("product-returns") is returns_kind
    assert returns_kind.required == ("rma", "customer_id")
    assert returns_kind.slots == {
        "rma": Slot.TEXT,
        "customer_id": Slot.TEXT,
        "returned_at": Slot.TS,
        "refund": Slot.NUM,
    }
    assert returns_kind.work_tables == (
        "_cvm_rt_rows",
        "_cvm_rt_status",
        "_cvm_rt_keys",
        "_cvm_rt_new",
    )
    # the generic profile knows its aliases, options accept it, staging presents its slots
    header = ["RMA Number", "Client", "Date", "Refund Amount", "Note"]
    assert resolve_columns("returns", "generic", header, {}) == {
        "rma": "RMA Number",
        "customer_id": "Client",
        "returned_at": "Date",
        "refund": "Refund Amount",
    }
    assert resolve_options(None, "product_returns").kind == "returns"
    source = Source(exp.table_("my_table"), {}, {c: "VARCHAR" for c in header})
    mapping = resolve_columns("returns", "generic", header, {})
    names = canonical_select("returns", source, mapping).named_selects
    assert names[:7] == [
        "rma",
        "customer_id",
        "returned_at_text",
        "returned_at_naive",
        "returned_at_utc",
        "refund_text",
        "refund_num",
    ]
    assert names[7:] == ["_seq", "_rec", "_line", "_raw"]


def test_unknown_kind_names_every_declared_kind() -> None:
    with pytest.raises(ConfigError, match="transactions, order_items, customers, surveys"):
        source_kind("returns")


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="key"):
        SourceKind("x", "x", "_cvm_x", (Column("a"),), key=("b",), write="insert", conflict="c")
    with pytest.raises(ValueError, match="write"):
        SourceKind("x", "x", "_cvm_x", (Column("a"),), key=("a",), write="merge", conflict="c")


def test_staged_columns_cover_every_canonical_and_vendor_column() -> None:
    """Regression: the staging slots and the canonical columns were two lists that disagreed
    (``financial_status``/``refunded_amount``/``product_name`` staged but not canonical)."""
    tx = source_kind("transactions")
    assert set(tx.canonical) <= set(tx.slots)
    assert {"financial_status", "refunded_amount"} <= set(tx.slots)
    assert {"customer_email", "customer_number"} <= tx.mappable - set(tx.slots)
    assert "product_name" in source_kind("order_items").slots


@pytest.mark.parametrize(
    "kind", ["transactions", "order_items", "customers", "surveys", "subscriptions"]
)
def test_working_tables_in_sql_are_the_declared_ones(kind: str) -> None:
    """The kind's SQL names its working tables by placeholder; the names come from the kind."""
    declared = source_kind(kind)
    (validate,) = kind_sql(declared, f"{kind}_validate.sql", input="staged")
    assert validate.find(exp.Create).this.name == declared.work("rows")  # type: ignore[union-attr]
    (status,) = kind_sql(declared, f"{kind}_status.sql")
    assert status.find(exp.Create).this.name == declared.work("status")  # type: ignore[union-attr]
    hard_coded = [
        f.name
        for f in SQL.glob(f"{kind}_*.sql")
        if re.search(rf"{declared.prefix}_[a-z]", f.read_text())
    ]
    assert hard_coded == []
    assert declared.work("rows") in erased.CHECKS


def test_the_linking_queries_read_the_declared_tables() -> None:
    linking = (SQL / "linking.sql").read_text()
    assert f"FROM {source_kind('customers').work('rows')}" in linking
    assert f"FROM {source_kind('transactions').work('rows')}" in linking


def test_a_new_kind_gets_its_own_working_tables(returns_kind: SourceKind) -> None:
    (rejects,) = kind_sql(returns_kind, "rows_rejects.sql")
    tables = {t.name for t in rejects.find_all(exp.Table)}
    assert tables == {"_cvm_rejects", "_cvm_rt_rows", "_cvm_rt_status"}


def test_a_mapped_link_column_is_used_not_refused(tmp_path: Path) -> None:
    """Regression: ``--map customer_number=...`` on a WooCommerce export was refused as a
    missing required column, because the link columns were not staging slots."""
    shop = tmp_path / "woo.csv"
    shop.write_text(
        "order_number,order_date,status,order_total,order_currency,Buyer No,billing_email\n"
        "2001,2024-03-01 09:00:00,completed,40.00,USD,0017,ana@example.com\n"
        "2002,2024-03-02 09:00:00,completed,0.00,USD,0017,ana@example.com\n"
    )
    ws = Workspace.create(tmp_path / "ws")
    try:
        result = load_file(
            ws,
            "transactions",
            shop,
            profile="woocommerce-orders",
            columns={"customer_number": "Buyer No"},
        )
        assert (result.loaded, result.rejected) == (2, 0)
        assert resolve_customer_id(ws, "woocommerce-orders", "0017") == "ana@example.com"
    finally:
        ws.close()


def test_a_map_to_no_column_of_the_kind_is_still_refused(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("customer_id,date,amount,Total\nC1,2024-01-01,5,5\n")
    ws = Workspace.create(tmp_path / "ws")
    try:
        with pytest.raises(ConfigError, match="transactions has no column 'bogus'"):
            load_file(ws, "transactions", orders, columns={"bogus": "Total"})
        # a typo of a real column is named with the column it probably meant
        with pytest.raises(ConfigError, match="no column 'customerid'; did you mean customer_id"):
            load_file(ws, "transactions", orders, columns={"customerid": "customer_id"})
        assert ws.table_counts()["transactions"] == 0
    finally:
        ws.close()
