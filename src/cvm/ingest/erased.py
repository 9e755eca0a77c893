"""Refusal of erased customers at ingest: a row that carries an identifier of a customer who was
erased (customer id, e-mail, phone, anonymous or CRM id; an order id for order lines) is not
loaded, so re-importing the same CRM export does not bring the customer back.

Erasure (``cvm.privacy``) keeps only keyed hashes of those identifiers (HMAC-SHA256 under the
workspace's erasure key, see ``cvm.workspace.secret``). Each load hashes the distinct values of
its identifier columns in SQL and joins them to ``erased_identifiers``: set-based, and free
when nothing was ever erased. Refused rows are counted in ``LoadResult.erased`` and are not
written anywhere, not even to ``rejected_rows``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cvm._exceptions import IngestError
from cvm._sql import load_sql
from cvm.workspace.secret import KEY_NAME, erasure_key, hmac_pads

SQL = "cvm.ingest.sql"
KEY_TABLE = "_cvm_erasure_key"

CHECKS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    # working table of a loader: (row key, ((identifier values as a list, kind), ...))
    "_cvm_tx_rows": ("_seq", (("[customer_id]", "person"),)),
    # a line of an order that is stored belongs to a live customer: only the others are hashed
    "_cvm_oi_rows": (
        "_seq",
        (
            (
                "[CASE WHEN transaction_id IN (SELECT transaction_id FROM transactions)"
                " THEN NULL ELSE transaction_id END]",
                "order",
            ),
        ),
    ),
    "_cvm_cu_rows": (
        "_seq",
        (
            (
                "[customer_id, email, phone] || _cvm_id_tokens(_raw)"
                " || _cvm_id_tokens(attributes::VARCHAR)",
                "person",
            ),
        ),
    ),
    "_cvm_sb_rows": ("_seq", (("[customer_id]", "person"),)),
    "_cvm_sv_rows": ("_seq", (("[customer_id, respondent_id]", "person"),)),
    "_ev_rows": (
        "line",
        (("[user_id, anonymous_id, previous_id, email] || _cvm_id_tokens(raw)", "person"),),
    ),
    "_cvm_rejects": ("rowid", (("_cvm_id_fields(_raw)", "person"),)),
}
"""What each loader's rows are checked on. Each distinct value is hashed once, so orders are
matched by their customer's ids, not by their own (one hash per order). Refused rows
(``_cvm_rejects``) are matched on every field of their raw text, since a row that could not be
read has no typed columns."""


def database_folder(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The folder of the connection's database file (the workspace), None in memory."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(str(row[0])).resolve().parent if row and row[0] else None


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database()"
        " AND table_schema = 'main'"
        " AND table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def install(con: duckdb.DuckDBPyConnection, *, create_key: bool = False) -> bool:
    """Make the hash macros and the workspace key available to this connection's SQL.

    Returns whether any identifier is erased (when not, loads skip the check). Log rows from
    before the log was keyed are re-keyed here, inside the caller's transaction.

    Raises
    ------
    IngestError
        Customers were erased but the key file is missing: without it they cannot be
        recognised, and loading on would bring them back.
    """
    con.execute(load_sql(SQL, "erased_macros.sql"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {KEY_TABLE} (ipad BLOB, opad BLOB, legacy BOOLEAN)")
    if not _has_table(con, "erased_identifiers"):
        return False  # a connection that is not a workspace's
    row = con.execute(
        "SELECT (SELECT count(*) FROM erased_identifiers),"
        " (SELECT count(*) FROM erasures WHERE scheme = 'sha256')"
    ).fetchone()
    erased, legacy = (int(row[0]), int(row[1])) if row else (0, 0)
    if not (erased or legacy or create_key):
        return False
    folder = database_folder(con)
    key = erasure_key(folder, create=create_key or bool(legacy)) if folder else None
    if key is None:
        where = folder / KEY_NAME if folder else KEY_NAME
        raise IngestError(
            f"{where} is missing but this workspace has erased customers: restore the key from"
            " the workspace's backup (without it they cannot be recognised, and loading"
            " would bring them back)"
        )
    row = con.execute(
        "SELECT count(*) FROM erasures WHERE scheme IN ('sha256', 'hmac-sha256(sha256)')"
    ).fetchone()
    con.execute(
        f"INSERT INTO {KEY_TABLE} VALUES (?, ?, ?)", [*hmac_pads(key), bool(row and row[0])]
    )
    if legacy:
        con.execute(load_sql(SQL, "erased_rekey.sql"))
    return True


def uninstall(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the key's pads from the connection once the work that needed them is done."""
    con.execute(f"DROP TABLE IF EXISTS {KEY_TABLE}")


def refuse_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Delete the rows of working table ``table`` that carry an erased identifier; their count.

    ``table`` is one of ``CHECKS``. Needs ``install`` on this connection (a load's
    ``prepare`` does it); without erased identifiers it costs one query.
    """
    if not _key_installed(con):
        return 0
    key, checks = CHECKS[table]
    refused = 0
    for values, kind in checks:
        sql = (
            load_sql(SQL, "erased_refuse.sql")
            .replace("{rows}", table)
            .replace("{key}", key)
            .replace("{values}", values)
        )
        con.execute(sql, {"kind": kind})
        row = con.execute(
            f"DELETE FROM {table} WHERE {key} IN (SELECT k FROM _cvm_erased_rows) RETURNING 1"
        ).fetchall()
        refused += len(row)
    con.execute("DROP TABLE IF EXISTS _cvm_erased_rows")
    return refused


def _key_installed(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        row = con.execute(f"SELECT count(*) FROM {KEY_TABLE}").fetchone()
    except duckdb.CatalogException:
        if _has_table(con, "erased_identifiers") and _any_erased(con):
            raise IngestError(
                "customers were erased but this load did not look for them: call"
                " cvm.ingest.erased.install(con) first"
            ) from None
        return False
    return bool(row and row[0])


def _any_erased(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM erased_identifiers").fetchone()
    return bool(row and row[0])


def remember(con: duckdb.DuckDBPyConnection) -> int:
    """Store the keyed hashes of ``_pv_identifiers(value, kind, is_phone)``; how many are new."""
    before = con.execute("SELECT count(*) FROM erased_identifiers").fetchone()
    con.execute(load_sql(SQL, "erased_remember.sql"))
    after = con.execute("SELECT count(*) FROM erased_identifiers").fetchone()
    return int(after[0] if after else 0) - int(before[0] if before else 0)


def keyed(con: duckdb.DuckDBPyConnection, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the installed key (hex)."""
    row = con.execute(f"SELECT _cvm_hmac(?, ipad, opad) FROM {KEY_TABLE}", [value]).fetchone()
    if not row:
        raise IngestError("no erasure key installed on this connection")
    return str(row[0])


def is_erased(con: duckdb.DuckDBPyConnection, value: str) -> bool:
    """Whether ``value`` (any form) is an identifier of an erased customer."""
    if not _key_installed(con):
        return False
    con.execute("CREATE OR REPLACE TEMP TABLE _cvm_erased_probe AS SELECT ?::VARCHAR AS v", [value])
    sql = (
        load_sql(SQL, "erased_refuse.sql")
        .replace("{rows}", "_cvm_erased_probe")
        .replace("{key}", "v")
        .replace("{values}", "[v]")
    )
    con.execute(sql, {"kind": "person"})
    row = con.execute("SELECT count(*) FROM _cvm_erased_rows").fetchone()
    con.execute("DROP TABLE IF EXISTS _cvm_erased_probe; DROP TABLE IF EXISTS _cvm_erased_rows")
    return bool(row and row[0])
