"""What every tabular loader shares: rates, refused rows, counts."""

from __future__ import annotations

import duckdb

from cvm._limits import MAX_AMOUNT, MAX_QUANTITY, MAX_SCORE
from cvm._sql import load_sql
from cvm.ingest import erased, readers
from cvm.ingest.currencies import minor_units
from cvm.ingest.date_hints import suggest_date_format
from cvm.ingest.options import SourceOptions
from cvm.ingest.result import LoadResult

SQL = "cvm.ingest.sql"


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> int:
    row = con.execute(sql, params).fetchone() if params is not None else con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def prepare(con: duckdb.DuckDBPyConnection, options: SourceOptions) -> None:
    """Fresh temp tables and macros for one load: exchange rates, refused rows, parsers, and
    the keyed hashes of erased customers."""
    con.execute(
        load_sql(SQL, "limits_create.sql"),
        {
            "ts_floor": options.timestamp_floor,
            "max_amount": MAX_AMOUNT,
            "max_quantity": MAX_QUANTITY,
            "max_score": MAX_SCORE,
        },
    )
    con.execute(load_sql(SQL, "macros.sql"))
    erased.install(con)
    if options.decimal == ",":  # 1.234,50 -> 1234.50 (the option is checked: '.' or ',')
        con.execute(
            "CREATE OR REPLACE TEMP MACRO _cvm_num(txt, num) AS coalesce(num,"
            " try_cast(replace(replace(_cvm_text(txt), '.', ''), ',', '.') AS DOUBLE))"
        )
    # digits: minor units of the workspace currency, where converted amounts are rounded
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _cvm_rates (currency VARCHAR, rate DOUBLE, digits INTEGER)"
    )
    digits = minor_units(options.workspace_currency)
    con.executemany(
        "INSERT INTO _cvm_rates VALUES (?, ?, ?)",
        [(cur, rate, digits) for cur, rate in options.rate_table()],
    )
    con.execute(load_sql(SQL, "rejects_create.sql"))


def ts_params(options: SourceOptions) -> dict[str, object]:
    """Bound parameters of the timestamp expression in the validators."""
    fmt = options.date_format
    return {
        "tz": options.timezone,
        "use_fmt": fmt is not None,
        "fmt": fmt or "%Y-%m-%d",
        "fmt_has_tz": bool(fmt and ("%z" in fmt or "%Z" in fmt)),
        "fmt_label": fmt or "ISO 8601",
    }


def store_rejects(
    con: duckdb.DuckDBPyConnection, result: LoadResult, *, store: bool = True
) -> None:
    """Count refused rows into ``result`` and write them to ``rejected_rows``; a refused row
    that quotes an erased customer is counted as erased and not written."""
    result.erased += erased.refuse_rows(con, "_cvm_rejects")
    result.rejected = scalar(con, "SELECT count(*) FROM _cvm_rejects")
    if not result.rejected:
        return
    suggest_date_format(con, result)
    result.top_reasons = [
        (str(r[0]), int(r[1])) for r in con.execute(load_sql(SQL, "rejects_top.sql")).fetchall()
    ]
    if store:
        con.execute(
            load_sql(SQL, "rejects_store.sql"),
            {"load_id": result.load_id, "kind": result.kind, "source": result.source},
        )


def status_counts(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """status -> rows in a ``_cvm_*_status`` table (a fixed internal name)."""
    rows = con.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall()
    return {str(s): int(n) for s, n in rows}


def start_load(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
    """The ``loads`` row of a file load, written inside its transaction."""
    con.execute(
        load_sql(SQL, "load_start.sql"),
        {"load_id": result.load_id, "kind": result.kind, "source": result.source},
    )


def finish_load(
    con: duckdb.DuckDBPyConnection, file: readers.FileSource, result: LoadResult
) -> None:
    """Rows the CSV scanner refused, where every refused row sits in the file, the refused rows
    written to ``rejected_rows``, and the load's counts in ``loads``."""
    result.rows_read += readers.scanner_rejects(con, file)
    try:
        readers.locate_rejects(con, file, result.rows_read + result.skipped)
    finally:
        if file.read_path is not None:
            file.read_path.unlink(missing_ok=True)
    store_rejects(con, result)
    con.execute(
        load_sql(SQL, "load_finish.sql"),
        {
            "load_id": result.load_id,
            "rows_read": result.rows_read,
            "loaded": result.loaded,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
        },
    )
