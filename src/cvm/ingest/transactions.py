"""Transactions: validate, deduplicate on transaction_id (or a content hash), insert once.

No index on ``transactions``: new keys are found by joining this load's distinct keys to the
table, and all new rows go in with one ``INSERT ... SELECT``.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot.expressions as exp

from cvm._progress import Progress, no_progress
from cvm.engines import Engine, sql_file
from cvm.ingest import erased
from cvm.ingest._common import (
    drop_tables,
    kind_sql,
    prepare,
    rows_in,
    run_kind_sql,
    scalar,
    status_counts,
    store_rejects,
    ts_params,
)
from cvm.ingest.kinds import source_kind
from cvm.ingest.options import SourceOptions
from cvm.ingest.result import LoadResult
from cvm.ingest.staging import canonical_select, table_source

KIND = source_kind("transactions")
ROWS, STATUS = KIND.work("rows"), KIND.work("status")


def validate_and_insert(
    engine: Engine,
    select: exp.Expression,
    params: Mapping[str, object],
    options: SourceOptions,
    result: LoadResult,
    progress: Progress = no_progress,
) -> None:
    """Run the transaction checks on ``select`` (canonical slots) and insert the new rows.

    Refused rows are added to ``_cvm_rejects`` (not yet written); counts go into ``result``.
    """
    rekey_legacy(engine, result)
    (validate,) = kind_sql(KIND, "transactions_validate.sql", input=select)
    progress(0, 3, f"{result.source}: read and validate")
    engine.run(validate, {**params, **ts_params(options), "currency": options.currency})
    if _count(engine, "transactions_without_id.sql"):
        run_kind_sql(engine, KIND, "transactions_content_ids.sql")
    refused = erased.refuse_rows(engine, ROWS)
    progress(1, 3, f"{result.source}: deduplicate")
    valid = _count(engine, "transactions_valid.sql")
    if _count(engine, "transactions_unique.sql"):
        # One row per id (the usual export): a row's status follows from the stored row alone.
        run_kind_sql(engine, KIND, "transactions_unique_status.sql")
        counts = status_counts(engine, STATUS)
        duplicates = counts.get("duplicate", 0)
        loaded = valid - duplicates - counts.get("conflict", 0)
        chosen = "transactions_new_all.sql" if loaded == valid else "transactions_new_unstored.sql"
    else:
        run_kind_sql(engine, KIND, "transactions_keys.sql")
        run_kind_sql(engine, KIND, "transactions_status.sql")
        row = engine.one(kind_sql(KIND, "transactions_counts.sql")[0]) or (0, 0)
        loaded, duplicates = int(row[0] or 0), int(row[1] or 0)
        chosen = "transactions_new_all.sql" if loaded == valid else "transactions_new_keys.sql"
    progress(2, 3, f"{result.source}: insert")
    if loaded:
        (rows,) = kind_sql(KIND, chosen)
        load_id = {"load_id": result.load_id}
        run_kind_sql(engine, KIND, "transactions_insert.sql", load_id, chosen=rows)
    run_kind_sql(engine, KIND, "transactions_rejects.sql")
    result.rows_read += rows_in(engine, ROWS) + refused
    result.erased += refused
    result.loaded += loaded
    result.duplicates += duplicates
    progress(3, 3, f"{result.source}: done")


def _count(engine: Engine, name: str) -> int:
    return scalar(engine, kind_sql(KIND, name)[0])


def rekey_legacy(engine: Engine, result: LoadResult) -> None:
    """Re-key transactions stored under DuckDB's old ``hash()`` once, inside this load.

    Migration 0031 asks for it when it finds stored transactions; the amounts in the source
    currency need the rates of ``cvm.toml`` (in ``_cvm_rates``), so it runs at the first load.
    A row whose currency has no rate any more keeps its old key (counted in a note).
    """
    if not scalar(engine, sql_file(__package__, "transactions_rekey_pending.sql")):
        return
    total = rows_in(engine, "transactions")
    kept = scalar(engine, sql_file(__package__, "transactions_rekey_kept.sql"))
    engine.run(sql_file(__package__, "transactions_rekey.sql"))
    engine.run(sql_file(__package__, "transactions_rekey_done.sql"), {"rekeyed": total - kept})
    result.notes.append(
        f"re-keyed {total - kept:,} stored transactions to the stable content hash (once, after"
        " the upgrade)"
        + (f"; {kept:,} kept their old key: no rate for their currency in cvm.toml" if kept else "")
    )


def drop_temp(engine: Engine) -> None:
    """Free this load's working tables."""
    drop_tables(engine, *KIND.work_tables)


def load_transactions_from(
    engine: Engine,
    table_name: str,
    *,
    load_id: str,
    source: str,
    options: SourceOptions | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load transaction rows already staged in ``table_name`` on ``engine``.

    The staged table (or view) holds canonical transaction columns, any of them optional
    except ``customer_id``, ``ts`` and ``amount``: ``transaction_id``, ``customer_id``, ``ts``
    (VARCHAR parsed as in files, TIMESTAMP taken in ``options.timezone``, or TIMESTAMPTZ),
    ``amount`` (number or text), ``currency``, ``channel``, ``is_refund`` (true/yes/1),
    ``refund_of``, plus ``_line BIGINT`` and ``_raw VARCHAR`` that refused rows carry into
    ``rejected_rows``. The rows get the same checks, deduplication and refund handling as a
    file load, and refused rows are written to ``rejected_rows`` under ``load_id`` and
    ``source`` with kind ``transactions``.

    It neither opens a transaction nor writes a ``loads`` row: the caller wraps it in
    ``engine.transaction()`` with its own work and records the load.

    Parameters
    ----------
    engine : the workspace's engine (``ws.engine``), holding ``table_name``.
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
    src = table_source(engine, table_name)
    mapping = {c: c for c in src.columns if not c.startswith("_")}
    result = LoadResult(kind="transactions", source=source, load_id=load_id)
    prepare(engine, opts)
    validate_and_insert(
        engine,
        canonical_select("transactions", src, mapping),
        src.params,
        opts,
        result,
        progress or no_progress,
    )
    store_rejects(engine, result)
    drop_temp(engine)
    return result


__all__ = ["load_transactions_from", "validate_and_insert"]
