"""Turn a source (a file or a table) into a SELECT of canonical columns for the validators.

Every loader validates the same shape whatever the source: text columns as VARCHAR, a
timestamp as three columns (``<c>_text`` to parse, ``<c>_naive`` already a wall-clock
timestamp, ``<c>_utc`` already an instant), a number as two (``<c>_text``, ``<c>_num``), plus
``_seq`` (unique order of rows), ``_rec`` (record number in the source, to find line and raw
text of a refused row) and ``_line``/``_raw`` when the source already knows them.

Source column names are file headers: they are quoted here as identifiers, never values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from cvm._exceptions import IngestError

# Slot kinds: how a canonical column is presented to the validator.
TEXT, TS, NUM = "text", "ts", "num"

SLOTS: dict[str, dict[str, str]] = {
    "transactions": {
        "transaction_id": TEXT,
        "customer_id": TEXT,
        "ts": TS,
        "amount": NUM,
        "currency": TEXT,
        "channel": TEXT,
        "is_refund": TEXT,
        "refund_of": TEXT,
        # Shopify order export only
        "financial_status": TEXT,
        "refunded_amount": TEXT,
    },
    "order_items": {
        "transaction_id": TEXT,
        "line_no": NUM,
        "product_id": TEXT,
        "product_name": TEXT,
        "category": TEXT,
        "quantity": NUM,
        "amount": NUM,
        "unit_price": NUM,
        "currency": TEXT,
    },
    "customers": {
        "customer_id": TEXT,
        "first_seen": TS,
        "email": TEXT,
        "phone": TEXT,
        "country": TEXT,
        "acquisition_channel": TEXT,
        "consent_email": TEXT,
        "consent_sms": TEXT,
        "consent_push": TEXT,
        "consent_mail": TEXT,
    },
    "surveys": {
        "survey_id": TEXT,
        "respondent_id": TEXT,
        "customer_id": TEXT,
        "ts": TS,
        "brand": TEXT,
        "attribute": TEXT,
        "score": NUM,
        "importance": NUM,
    },
    "subscriptions": {
        "subscription_id": TEXT,
        "customer_id": TEXT,
        "plan": TEXT,
        "started": TS,
        "ended": TS,
        "monthly_amount": NUM,
    },
}

_NUM_PREFIXES: tuple[str, ...] = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "REAL",
)


def ident(name: str) -> str:
    """A column or table name quoted as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Source:
    """A relation to read: SQL text of a FROM item with its bound parameters."""

    relation: str
    params: Mapping[str, object]
    columns: Mapping[str, str]  # source column -> DuckDB type
    seq: str = "row_number() OVER ()"
    line: str = "NULL::BIGINT"
    raw: str = "NULL::VARCHAR"


def describe(con: duckdb.DuckDBPyConnection, relation: str, params: Mapping[str, object]) -> dict:
    """Column name -> type of a relation, without reading its rows."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation}", dict(params)).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def table_source(con: duckdb.DuckDBPyConnection, table_name: str) -> Source:
    """A staged table in ``con`` (any schema-qualified name) with ``_line`` and ``_raw``."""
    parts = table_name.split(".")
    relation = ".".join(ident(p) for p in parts)
    try:
        cols = describe(con, relation, {})
    except duckdb.CatalogException as exc:
        raise IngestError(f"no table {table_name!r} to load from") from exc
    return Source(
        relation=relation,
        params={},
        columns=cols,
        line=ident("_line") if "_line" in cols else "NULL::BIGINT",
        raw=ident("_raw") if "_raw" in cols else "NULL::VARCHAR",
    )


def _slot(name: str, kind: str, column: str | None, ctype: str | None) -> list[str]:
    t = (ctype or "").upper()
    src = ident(column) if column else None
    if src and t == "JSON":  # mixed-type JSON values: their text, without JSON quotes
        src = f"({src} ->> '$')"
    if kind == TEXT:
        return [f"CAST({src} AS VARCHAR) AS {name}" if src else f"NULL::VARCHAR AS {name}"]
    if kind == NUM:
        if src and t.startswith(_NUM_PREFIXES):
            return [f"NULL::VARCHAR AS {name}_text", f"CAST({src} AS DOUBLE) AS {name}_num"]
        text = f"CAST({src} AS VARCHAR)" if src else "NULL::VARCHAR"
        return [f"{text} AS {name}_text", f"NULL::DOUBLE AS {name}_num"]
    # timestamps
    naive = utc = "NULL::TIMESTAMP"
    text = "NULL::VARCHAR"
    if src and (t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ"):
        utc = f"CAST({src} AS TIMESTAMP)"
    elif src and (t.startswith("TIMESTAMP") or t == "DATE"):
        naive = f"CAST({src} AS TIMESTAMP)"
    elif src:
        text = f"CAST({src} AS VARCHAR)"
    return [f"{text} AS {name}_text", f"{naive} AS {name}_naive", f"{utc} AS {name}_utc"]


def canonical_select(
    kind: str, source: Source, mapping: Mapping[str, str], extra: Sequence[str] = ()
) -> str:
    """SELECT of the canonical slots of ``kind`` from ``source`` (``mapping``: canonical ->
    source column; canonical columns without a source are NULL), plus ``extra`` items."""
    items: list[str] = list(extra)
    for name, slot in SLOTS[kind].items():
        col = mapping.get(name)
        items.extend(_slot(name, slot, col, source.columns.get(col) if col else None))
    items += [
        f"{source.seq} AS _seq",
        f"{source.seq} AS _rec",
        f"{source.line} AS _line",
        f"{source.raw} AS _raw",
    ]
    return "SELECT " + ", ".join(items) + f" FROM {source.relation}"


def with_input(sql: str, name: str, select: str) -> str:
    """Put ``select`` where the SQL file reads the view ``name`` (a subquery, params kept)."""
    return sql.replace(f"FROM {name}", f"FROM ({select}) AS {name}")
