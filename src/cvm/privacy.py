"""Privacy: a customer's data on request (right of access) and forgetting it (erasure).

Every table with a ``customer_id`` column is covered, found from the catalog, so tables added by
later migrations are covered too; identities (e-mails, anonymous ids), merges and refused input
rows that quote the customer's ids are included.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import DataError
from cvm.ingest.identity import customer_tables
from cvm.workspace import transaction

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["erase_customer", "export_customer"]


def _survivor(ws: Workspace, customer_id: str) -> str:
    """The id a merged customer now lives under (itself when never merged)."""
    rows = ws.con.execute(
        "SELECT into_customer_id FROM customer_merges WHERE from_customer_id = ?", [customer_id]
    ).fetchall()
    return str(rows[0][0]) if rows else customer_id


def _known_ids(ws: Workspace, customer_id: str) -> list[str]:
    """Every id and e-mail the customer is known by: theirs, merged ones, identities."""
    ids = {customer_id}
    for query in (
        "SELECT from_customer_id FROM customer_merges WHERE into_customer_id = ?",
        "SELECT source_id FROM identities WHERE customer_id = ?",
        "SELECT email FROM customers WHERE customer_id = ? AND email IS NOT NULL",
        "SELECT phone FROM customers WHERE customer_id = ? AND phone IS NOT NULL",
    ):
        ids.update(str(r[0]) for r in ws.con.execute(query, [customer_id]).fetchall())
    return sorted(i for i in ids if i)


def _quoting(ids: list[str]) -> str:
    """A regular expression matching any of the ids as a whole word (for refused raw rows)."""
    return r"(^|[^\w@.+-])(" + "|".join(re.escape(i) for i in ids) + r")($|[^\w@.+-])"


def export_customer(ws: Workspace, customer_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about the customer, table by table (``customers`` first).

    A merged-away id is followed to the customer it was merged into. Raises ``DataError`` for an
    id the workspace does not know.
    """
    cid = _survivor(ws, customer_id)
    out: dict[str, list[dict[str, Any]]] = {}
    for table in ["customers", *customer_tables(ws.con)]:
        frame = ws.con.execute(f'SELECT * FROM "{table}" WHERE customer_id = ?', [cid]).df()
        if len(frame):
            out[table] = _records(frame)
    if not out:
        raise DataError(f"unknown customer {customer_id!r}: no row in any table")
    merges = ws.con.execute(
        "SELECT * FROM customer_merges WHERE into_customer_id = ? OR from_customer_id = ?",
        [cid, cid],
    ).df()
    if len(merges):
        out["customer_merges"] = _records(merges)
    refused = ws.con.execute(
        "SELECT * FROM rejected_rows WHERE regexp_matches(raw, ?)", [_quoting(_known_ids(ws, cid))]
    ).df()
    if len(refused):
        out["rejected_rows"] = _records(refused)
    return out


def erase_customer(ws: Workspace, customer_id: str) -> dict[str, int]:
    """Delete every row about the customer, in one transaction; returns rows deleted per table.

    The erasure itself is logged in ``erasures`` with a hash of the id, never the id.
    """
    cid = _survivor(ws, customer_id)
    ids = _known_ids(ws, cid)
    deleted: dict[str, int] = {}
    with transaction(ws.con):
        for table in ["customers", *customer_tables(ws.con)]:
            n = _delete(ws, f'DELETE FROM "{table}" WHERE customer_id = ?', [cid])
            if n:
                deleted[table] = n
        merges = _delete(
            ws,
            "DELETE FROM customer_merges WHERE into_customer_id = ? OR from_customer_id = ?",
            [cid, cid],
        )
        refused = _delete(
            ws, "DELETE FROM rejected_rows WHERE regexp_matches(raw, ?)", [_quoting(ids)]
        )
        deleted.update(
            {k: v for k, v in {"customer_merges": merges, "rejected_rows": refused}.items() if v}
        )
        if not deleted:
            raise DataError(f"unknown customer {customer_id!r}: no row in any table")
        digest = hashlib.sha256(f"cvm-erasure:{cid}".encode()).hexdigest()
        ws.con.execute(
            "INSERT INTO erasures (id_hash, rows_deleted) VALUES (?, ?)",
            [digest, sum(deleted.values())],
        )
    return deleted


def _delete(ws: Workspace, sql: str, params: list[Any]) -> int:
    return int(ws.con.execute(sql + " RETURNING 1", params).df().shape[0])


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: timestamps as ISO text, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")  # type: ignore[return-value]
