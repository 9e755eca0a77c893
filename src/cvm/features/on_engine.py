"""The profile on any engine: the workspace's SQL files over Parquet (or Delta) folders.

On Spark (or a DuckDB reading files), the canonical tables are folders registered under their
names, with whatever columns the export has. :func:`bind_sources` gives each the canonical
columns and types as ``source_<table>`` (a missing optional column is NULL, a missing folder
other than the transactions' is no rows), and :func:`on_sources` points a job's SQL file at
those views, so ``profile.sql``, ``kpi_activity.sql`` and the others run unchanged on either
engine. Outputs are written as Parquet partitioned by run (:func:`write_run`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlglot.expressions as exp

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm.engines import Engine, Query, fill, location, sql_file
from cvm.features.profile import PROFILE_TABLE
from cvm.features.summary import bind_source

# the canonical columns of each source table, and those it cannot do without
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "transactions": (
        ("transaction_id", "customer_id", "ts", "amount", "currency", "channel", "is_refund",
         "refund_of"),
        ("customer_id", "ts", "amount"),
    ),
    "customers": (
        ("customer_id", "first_seen", "country", "acquisition_channel", "consent_email",
         "consent_sms", "consent_push", "consent_mail", "attributes"),
        ("customer_id",),
    ),
    "events": (("customer_id", "ts", "type", "event"), ("customer_id", "ts")),
    "order_items": (("transaction_id", "category", "amount"), ("transaction_id",)),
    "subscriptions": (("customer_id", "started", "ended"), ("customer_id", "started")),
}  # fmt: skip


def source_name(table: str) -> str:
    """The view holding ``table`` with canonical columns: ``source_transactions``."""
    return f"source_{table}"


def bind_sources(engine: Engine) -> None:
    """Expose every source table on ``engine`` as ``source_<table>`` with canonical columns.

    The transactions are required; a folder that lacks a required column is named with the
    columns it has. Customers, events, order lines and subscriptions may be absent.
    """
    for table, (columns, required) in SOURCES.items():
        found = _columns(engine, table)
        if found is None and table == "transactions":
            raise DataError("no transactions: name their Parquet folder ([spark] transactions)")
        source: str | exp.Expression = table
        if found is None:  # no such folder: no rows, every column NULL
            source, found = exp.select(exp.Literal.number(1).as_("none")).where(exp.false()), set()
        elif missing := [c for c in required if c not in found]:
            raise DataError(
                f"{table} need columns {', '.join(required)}; missing {', '.join(missing)}"
                f" (found: {', '.join(sorted(found))})"
            )
        holes: dict[str, Any] = {c: c if c in found else exp.null() for c in columns}
        engine.run(fill(sql_file(__package__, f"source_{table}.sql"), source=source, **holes))


def _columns(engine: Engine, table: str) -> set[str] | None:
    """The columns of ``table`` on ``engine``, or None when it has no such table."""
    try:
        found = engine.frame(fill(sql_file(__package__, "columns.sql"), source=table))
    except engine.missing_object:
        return None
    return {str(c) for c in found.columns}


def on_sources(query: Query | exp.Expression) -> exp.Expression:
    """The tree of ``query`` reading ``source_<table>`` wherever it reads a source table."""
    tree = query.tree() if isinstance(query, Query) else query.copy()
    ctes = {str(c.alias) for c in tree.find_all(exp.CTE)}
    for node in list(tree.find_all(exp.Table)):
        name = str(node.name)
        if name in SOURCES and name not in ctes and not node.args.get("db"):
            node.set("this", exp.to_identifier(source_name(name)))
    return tree


def profile_on_engine(
    engine: Engine, as_of: date | str, *, clv: str | None = None, summary: str | None = None
) -> str:
    """Build the as-of profile (``profile.sql``) on ``engine`` from its source folders.

    The same columns as :func:`cvm.features.profile.customer_profile`. ``clv`` names a table
    of scores on the engine (``customer_id, clv, p_alive, expected_purchases``; the CLV job's
    ``clv_scores``, see :func:`cvm.clv.profile.fit_profile_clv`) to take the CLV columns from;
    without it they are NULL. Churn risk is NULL (a segments run folds it in after).
    ``summary`` names the purchase summary already built on the engine as of the same day in
    days (the CLV job's ``clv_summary``), read instead of summarising the transactions again:
    on Spark that is a second pass over the whole log. Call :func:`bind_sources` first.
    Returns ``"customer_profile"``.
    """
    day = parse_day(as_of, "as_of", DataError)
    query = sql_file(__package__, "profile_summary.sql")
    if summary is None:
        bind_source(engine, source_name("transactions"))
        engine.run(
            fill(query, summary=sql_file(__package__, "summary.sql").tree()),
            {"cutoff": day, "unit_days": 1.0, "period": "day"},
        )
    else:
        engine.run(fill(query, summary=exp.to_table(summary)))
    if clv is None:
        engine.run(sql_file(__package__, "profile_clv_empty.sql"))
    else:
        engine.run(fill(sql_file(__package__, "profile_clv_table.sql"), table=clv))
    engine.run(sql_file(__package__, "profile_churn_empty.sql"))
    engine.run(on_sources(sql_file(__package__, "profile.sql")), {"as_of": day})
    return PROFILE_TABLE


def new_run_id(kind: str) -> str:
    """A run id as the workspace's runs have them: ``profile-20261130T031500-1a2b3c``."""
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def write_run(
    engine: Engine, table: str, output: str | Path, run_id: str, as_of: date
) -> str | Path:
    """Write ``table`` under ``output``/run_id=..., tagged with the run and its day."""
    target = location(output)
    if isinstance(target, Path):  # a local folder: its parent may not exist yet
        target.parent.mkdir(parents=True, exist_ok=True)
    engine.write_parquet(
        fill(sql_file(__package__, "engine_out.sql"), table=table),
        target,
        {"run_id": run_id, "as_of": as_of},
        partition_by=["run_id"],
    )
    return location(output, f"run_id={run_id}")


RUN_RECORDS = "_runs"
"""The folder under a run's output that keeps each run's record (Spark and BI readers skip
folders whose name starts with an underscore)."""


def write_record_row(
    engine: Engine,
    output: str | Path,
    run_id: str,
    kind: str,
    model: str | None,
    params: dict[str, Any],
    metrics: dict[str, Any],
    cutoff: date,
) -> str | Path:
    """Write a run's record (one row, the columns of the workspace's ``model_runs``) under
    ``output``/_runs/run_id=...: read back, the run keeps its models and parameters."""
    import json

    import pandas as pd

    record = pd.DataFrame(
        {
            "run_id": [run_id],
            "kind": [kind],
            "model": [model],
            "params": [json.dumps(params, default=float)],
            "metrics": [json.dumps(metrics, default=float)],
            "cutoff": [pd.Timestamp(cutoff)],
            "engine": [engine.name],
        }
    )
    with engine.register("run_record", record):
        engine.write_parquet(
            sql_file(__package__, "engine_record_out.sql"),
            location(output, RUN_RECORDS),
            partition_by=["run_id"],
        )
    return location(output, RUN_RECORDS, f"run_id={run_id}")
