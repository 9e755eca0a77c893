"""Right of access: every stored row about a customer, found from any identifier of theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm.privacy import subject as _subject
from cvm.privacy.tables import row_filters, rows_statement

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["export_customer"]


def export_customer(ws: Workspace, identifier: str) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about the customer, table by table (``customers`` first).

    ``identifier`` is any id of the customer: customer id, merged-away id (followed to the
    survivor), e-mail, phone, anonymous or CRM id. The rows are exactly those erasure deletes.

    Raises
    ------
    DataError
        The identifier names no customer ("unknown customer") or several.

    Examples
    --------
    Customer 007 is found by their e-mail in another case (``cvm.demo.example_workspace``):

    >>> from cvm.demo import example_workspace
    >>> ws = example_workspace()
    >>> rows = export_customer(ws, "ann@example.com")
    >>> {table: [r.get("transaction_id", r["customer_id"]) for r in found]
    ...  for table, found in rows.items()}
    {'customers': ['007'], 'transactions': ['t1', 't3']}
    >>> ws.close()
    """
    engine = ws.engine
    cid = _subject.find_customer(engine, identifier)
    who = _subject.collect(engine, cid)
    params: dict[str, Any] = {
        "quoting": who.quoting(ids=True),
        "orders_quoting": who.orders_quoting(),
    }
    out: dict[str, list[dict[str, Any]]] = {}
    filters = row_filters(engine)
    order = ["customers", *(t for t in filters if t != "customers")]
    try:
        for table in order:
            if table not in filters:
                continue
            condition = filters[table]
            used = {k: v for k, v in params.items() if f"${k}" in condition}
            statement = rows_statement("select_rows.sql", table, condition)
            frame = engine.frame(statement, used or None)
            if len(frame):
                out[table] = _records(frame)
    finally:
        _subject.drop(engine)
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: timestamps as ISO text, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")  # type: ignore[return-value]
