"""Transactions: validate, deduplicate on transaction_id (or a content hash), insert once.

No index on ``transactions``: new keys are found by joining this load's distinct keys to the
table, and all new rows go in with one ``INSERT ... SELECT``.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from cvm._progress import Progress, no_progress
from cvm._sql import load_sql
from cvm.ingest import erased
from cvm.ingest._common import SQL, prepare, scalar, status_counts, store_rejects, ts_params
from cvm.ingest.options import SourceOptions
from cvm.ingest.result import LoadResult
from cvm.ingest.staging import canonical_select, table_source, with_input


def validate_and_insert(
    con: duckdb.DuckDBPyConnection,
    select: str,
    params: Mapping[str, object],
    options: SourceOptions,
    result: LoadResult,
    progress: Progress = no_progress,
) -> None:
    """Run the transaction checks on ``select`` (canonical slots) and insert the new rows.

    Refused rows are added to ``_cvm_rejects`` (not yet written); counts go into ``result``.
    """
    rekey_legacy(con, result)
    sql = with_input(load_sql(SQL, "transactions_validate.sql"), "_cvm_tx_in", select)
    progress(0, 3, f"{result.source}: read and validate")
    con.execute(sql, {**params, **ts_params(options), "currency": options.currency})
    if scalar(con, "SELECT count(*) FROM _cvm_tx_rows WHERE transaction_id IS NULL"):
        con.execute(load_sql(SQL, "transactions_content_ids.sql"))
    refused = erased.refuse_rows(con, "_cvm_tx_rows")
    progress(1, 3, f"{result.source}: deduplicate")
    valid = scalar(con, "SELECT count(*) FROM _cvm_tx_rows WHERE reason IS NULL")
    if scalar(con, load_sql(SQL, "transactions_unique.sql")):
        # One row per id (the usual export): a row's status follows from the stored row alone.
        con.execute(load_sql(SQL, "transactions_unique_status.sql"))
        counts = status_counts(con, "_cvm_tx_status")
        duplicates = counts.get("duplicate", 0)
        loaded = valid - duplicates - counts.get("conflict", 0)
        insert = (
            "transactions_insert_all.sql" if loaded == valid else "transactions_insert_unstored.sql"
        )
    else:
        con.execute(load_sql(SQL, "transactions_keys.sql"))
        con.execute(load_sql(SQL, "transactions_status.sql"))
        row = con.execute(load_sql(SQL, "transactions_counts.sql")).fetchall()[0]
        loaded, duplicates = int(row[0]), int(row[1])
        insert = "transactions_insert_all.sql" if loaded == valid else "transactions_insert.sql"
    progress(2, 3, f"{result.source}: insert")
    if loaded:
        con.execute(load_sql(SQL, insert), {"load_id": result.load_id})
    con.execute(load_sql(SQL, "transactions_rejects.sql"))
    result.rows_read += scalar(con, "SELECT count(*) FROM _cvm_tx_rows") + refused
    result.erased += refused
    result.loaded += loaded
    result.duplicates += duplicates
    progress(3, 3, f"{result.source}: done")


def rekey_legacy(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
    """Re-key transactions stored under DuckDB's old ``hash()`` once, inside this load.

    Migration 0031 asks for it when it finds stored transactions; the amounts in the source
    currency need the rates of ``cvm.toml`` (in ``_cvm_rates``), so it runs at the first load.
    A row whose currency has no rate any more keeps its old key (counted in a note).
    """
    pending = con.execute(
        "SELECT count(*) FROM ingest_rekeys WHERE table_name = 'transactions' AND done_at IS NULL"
    ).fetchone()
    if not pending or not pending[0]:
        return
    total = scalar(con, "SELECT count(*) FROM transactions")
    kept = scalar(
        con,
        "SELECT count(*) FROM transactions WHERE currency NOT IN (SELECT currency FROM _cvm_rates)",
    )
    con.execute(load_sql(SQL, "transactions_rekey.sql"))
    con.execute(
        "UPDATE ingest_rekeys SET done_at = now()::TIMESTAMP, rows_rekeyed = ?"
        " WHERE table_name = 'transactions'",
        [total - kept],
    )
    result.notes.append(
        f"re-keyed {total - kept:,} stored transactions to the stable content hash (once, after"
        " the upgrade)"
        + (f"; {kept:,} kept their old key: no rate for their currency in cvm.toml" if kept else "")
    )


def drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Free this load's working tables."""
    for name in ("_cvm_tx_rows", "_cvm_tx_keys", "_cvm_tx_status"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def load_transactions_from(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    *,
    load_id: str,
    source: str,
    options: SourceOptions | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load transaction rows already staged in ``table_name`` on ``con``.

    The staged table (or view) holds canonical transaction columns, any of them optional
    except ``customer_id``, ``ts`` and ``amount``: ``transaction_id``, ``customer_id``, ``ts``
    (VARCHAR parsed as in files, TIMESTAMP taken in ``options.timezone``, or TIMESTAMPTZ),
    ``amount`` (number or text), ``currency``, ``channel``, ``is_refund`` (true/yes/1),
    ``refund_of``, plus ``_line BIGINT`` and ``_raw VARCHAR`` that refused rows carry into
    ``rejected_rows``. The rows get the same checks, deduplication and refund handling as a
    file load, and refused rows are written to ``rejected_rows`` under ``load_id`` and
    ``source`` with kind ``transactions``.

    It neither opens a transaction nor writes a ``loads`` row: the caller wraps it in
    ``cvm.workspace.transaction(con)`` with its own work and records the load.

    Parameters
    ----------
    con : the workspace connection holding ``table_name``.
    table_name : name of the staged table or view (may be schema-qualified).
    load_id, source : recorded on inserted and refused rows.
    options : currency, rates, time zone and date format; ``resolve_options(ws.config,
        "transactions")`` gives the workspace's. Default: UTC, USD, no rates.
    progress : called with (done, total, description) between phases.

    Returns
    -------
    LoadResult with rows_read, loaded, duplicates, rejected and top_reasons.
    """
    opts = options or SourceOptions()
    src = table_source(con, table_name)
    mapping = {c: c for c in src.columns if not c.startswith("_")}
    result = LoadResult(kind="transactions", source=source, load_id=load_id)
    prepare(con, opts)
    validate_and_insert(
        con,
        canonical_select("transactions", src, mapping),
        src.params,
        opts,
        result,
        progress or no_progress,
    )
    store_rejects(con, result)
    drop_temp(con)
    return result


__all__ = ["load_transactions_from", "validate_and_insert"]
