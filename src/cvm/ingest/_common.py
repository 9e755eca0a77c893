"""What every tabular loader shares: rates, refused rows, counts."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyarrow as pa
import sqlglot.expressions as exp

from cvm._limits import MAX_AMOUNT, MAX_QUANTITY, MAX_SCORE
from cvm.engines import Engine, Statement, fill, sql_file
from cvm.engines.sql import Hole
from cvm.ingest import erased, readers
from cvm.ingest.currencies import minor_units
from cvm.ingest.date_hints import suggest_date_format
from cvm.ingest.kinds import SourceKind
from cvm.ingest.options import SourceOptions
from cvm.ingest.result import LoadResult


def bound(engine: Engine, statement: Statement, params: Mapping[str, object]) -> dict[str, object]:
    """The parameters of ``params`` that ``statement`` names (``$name``); a loader passes
    every option it has and each SQL file takes the ones it reads."""
    text = engine.render(statement)
    return {k: v for k, v in params.items() if re.search(rf"\${re.escape(k)}\b", text)}


def kind_sql(kind: SourceKind, name: str, **holes: Hole) -> list[exp.Expression]:
    """The statements of ``name`` with ``kind``'s working tables filled in (``__rows__``,
    ``__status__``, ``__keys__``, ``__new__``: the names the kind declares) and ``holes``."""
    wanted: dict[str, Hole] = {part: kind.work(part) for part in kind.WORK_PARTS}
    wanted.update(holes)
    out = []
    for tree in sql_file(__package__, name).statements():
        present = {node.name for node in tree.find_all(exp.Column, exp.Table)}
        used = {k: v for k, v in wanted.items() if f"__{k}__" in present}
        out.append(fill(tree, **used) if used else tree)
    return out


def run_kind_sql(
    engine: Engine,
    kind: SourceKind,
    name: str,
    params: Mapping[str, object] | None = None,
    **holes: Hole,
) -> None:
    """Run every statement of ``name`` for ``kind``, each with the parameters it names."""
    for statement in kind_sql(kind, name, **holes):
        engine.run(statement, bound(engine, statement, params or {}) or None)


def classify_rows(engine: Engine, kind: SourceKind) -> None:
    """``<kind>_status.sql`` on the valid rows with the first row of their key
    (``first_rows.sql``, partitioned by the kind's key)."""
    (firsts,) = kind_sql(kind, "first_rows.sql", key=list(kind.key))
    run_kind_sql(engine, kind, f"{kind.name}_status.sql", firsts=firsts)


def scalar(engine: Engine, statement: Statement, params: dict[str, object] | None = None) -> int:
    """The integer a counting statement returns (0 for NULL)."""
    value = engine.scalar(statement, params)
    return int(value) if value is not None else 0


def rows_in(engine: Engine, table: str) -> int:
    """Rows of a working table (a fixed internal name)."""
    return scalar(engine, fill(sql_file(__package__, "count_rows.sql"), table=table))


def drop_tables(engine: Engine, *names: str) -> None:
    """Drop working tables if they exist (fixed internal names)."""
    for name in names:
        engine.run(fill(sql_file(__package__, "drop_table.sql"), table=name))


def prepare(engine: Engine, options: SourceOptions) -> None:
    """Fresh temp tables and macros for one load: exchange rates, refused rows, parsers, and
    the keyed hashes of erased customers."""
    engine.run(
        sql_file(__package__, "limits_create.sql"),
        {
            "ts_floor": options.timestamp_floor,
            "max_amount": MAX_AMOUNT,
            "max_quantity": MAX_QUANTITY,
            "max_score": MAX_SCORE,
        },
    )
    engine.run(sql_file(__package__, "macros.sql"))
    erased.install(engine)
    if options.decimal == ",":  # 1.234,50 -> 1234.50 (the option is checked: '.' or ',')
        engine.run(sql_file(__package__, "macros_decimal_comma.sql"))
    # digits: minor units of the workspace currency, where converted amounts are rounded
    table = options.rate_table()
    rates = pa.table(
        {
            "currency": pa.array([cur for cur, _ in table], pa.string()),
            "rate": pa.array([rate for _, rate in table], pa.float64()),
            "digits": pa.array([minor_units(options.workspace_currency)] * len(table), pa.int32()),
        }
    )
    with engine.register("_cvm_rates_in", rates):
        engine.run(sql_file(__package__, "rates_create.sql"))
    engine.run(sql_file(__package__, "rejects_create.sql"))


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


def store_rejects(engine: Engine, result: LoadResult, *, store: bool = True) -> None:
    """Count refused rows into ``result`` and write them to ``rejected_rows``; a refused row
    that quotes an erased customer is counted as erased and not written."""
    result.erased += erased.refuse_rows(engine, "_cvm_rejects")
    result.rejected = rows_in(engine, "_cvm_rejects")
    if not result.rejected:
        return
    suggest_date_format(engine, result)
    result.top_reasons = [
        (str(r[0]), int(r[1])) for r in engine.rows(sql_file(__package__, "rejects_top.sql"))
    ]
    if store:
        engine.run(
            sql_file(__package__, "rejects_store.sql"),
            {"load_id": result.load_id, "kind": result.kind, "source": result.source},
        )


def status_counts(engine: Engine, table: str) -> dict[str, int]:
    """status -> rows in a ``_cvm_*_status`` table (a fixed internal name)."""
    rows = engine.rows(fill(sql_file(__package__, "status_counts.sql"), status=table))
    return {str(s): int(n) for s, n in rows}


def start_load(engine: Engine, result: LoadResult) -> None:
    """The ``loads`` row of a file load, written inside its transaction."""
    engine.run(
        sql_file(__package__, "load_start.sql"),
        {"load_id": result.load_id, "kind": result.kind, "source": result.source},
    )


def finish_load(engine: Engine, file: readers.FileSource, result: LoadResult) -> None:
    """Rows the CSV scanner refused, where every refused row sits in the file, the refused rows
    written to ``rejected_rows``, and the load's counts in ``loads``."""
    result.rows_read += readers.scanner_rejects(engine, file)
    try:
        readers.locate_rejects(engine, file, result.rows_read + result.skipped)
    finally:
        if file.read_path is not None:
            file.read_path.unlink(missing_ok=True)
    store_rejects(engine, result)
    engine.run(
        sql_file(__package__, "load_finish.sql"),
        {
            "load_id": result.load_id,
            "rows_read": result.rows_read,
            "loaded": result.loaded,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
        },
    )
