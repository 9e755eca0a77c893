"""As-of purchase summaries: frequency, recency, T and monetary value per customer.

These are the sufficient statistics of the BTYD models (Fader, Hardie & Lee 2005), computed in
SQL for any cutoff, so calibration/holdout evaluation and back-testing are the same query with
two dates. Works on a workspace, a Parquet/CSV file, or a data frame.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm._sql import load_sql

UNIT_DAYS = {"D": 1.0, "W": 7.0}
PERIODS = {"D": "day", "W": "week", "M": "month"}
REQUIRED = ("customer_id", "ts", "amount")
OPTIONAL = {"transaction_id": "VARCHAR", "is_refund": "BOOLEAN", "refund_of": "VARCHAR"}


def _as_date(value: date | datetime | str, name: str) -> date:
    return parse_day(value, name, DataError)


def _source_view(source: Any) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A connection and the FROM clause that reads the source's transactions."""
    from cvm.workspace import Workspace, connect

    if isinstance(source, Workspace):
        return source.con, "transactions"
    con = connect(":memory:")
    if isinstance(source, pd.DataFrame):
        con.register("summary_input", source)
        return con, "summary_input"
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    parquet = path.suffix.lower() in {".parquet", ".pq"}
    relation = con.read_parquet(str(path)) if parquet else con.read_csv(str(path))
    relation.create_view("summary_input")
    return con, "summary_input"


def _bind_source(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Expose the source as ``summary_source`` with the canonical columns, naming any missing."""
    columns = {r[0] for r in con.execute(f"DESCRIBE {relation}").fetchall()}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise DataError(
            f"transactions need columns {', '.join(REQUIRED)}; missing {', '.join(missing)}"
            f" (found: {', '.join(sorted(columns))})"
        )
    extra = ", ".join(
        f"CAST({c} AS {t}) AS {c}" if c in columns else f"CAST(NULL AS {t}) AS {c}"
        for c, t in OPTIONAL.items()
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW summary_source AS SELECT CAST(customer_id AS VARCHAR)"
        f" AS customer_id, CAST(ts AS TIMESTAMP) AS ts, CAST(amount AS DOUBLE) AS amount, {extra}"
        f" FROM {relation}"
    )


def rfm_summary(
    source: Any,
    cutoff: date | datetime | str,
    *,
    holdout_end: date | datetime | str | None = None,
    unit: str = "D",
    period: str = "D",
) -> pd.DataFrame:
    """Per-customer ``frequency, recency, T, monetary_value`` as of ``cutoff`` (inclusive).

    Parameters
    ----------
    source
        A ``Workspace``, a Parquet or CSV file, or a data frame with ``customer_id, ts, amount``
        (optionally ``transaction_id, is_refund, refund_of``).
    cutoff
        Last day of the observation (calibration) period.
    holdout_end
        When given, add ``frequency_holdout``, ``monetary_value_holdout`` and
        ``duration_holdout`` for purchases after the cutoff up to this day.
    unit
        ``"D"`` to measure recency and T in days, ``"W"`` in weeks.
    period
        Purchases within the same ``"D"``ay, ``"W"``eek or ``"M"``onth count as one.

    Returns
    -------
    DataFrame with one row per customer who purchased on or before the cutoff: ``frequency``
    (repeat purchase periods), ``recency`` (first to last purchase), ``T`` (first purchase to
    cutoff), ``monetary_value`` (mean net value of repeat purchases, 0 without any),
    ``first_purchase``, ``last_purchase``.
    """
    if unit not in UNIT_DAYS:
        raise DataError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}")
    if period not in PERIODS:
        raise DataError(f"period must be 'D', 'W' or 'M', got {period!r}")
    end = _as_date(cutoff, "cutoff")
    params: dict[str, Any] = {
        "cutoff": end,
        "unit_days": UNIT_DAYS[unit],
        "period": PERIODS[period],
    }
    con, relation = _source_view(source)
    _bind_source(con, relation)
    summary = con.execute(load_sql("cvm.features", "summary.sql"), params).df()
    if holdout_end is not None:
        stop = _as_date(holdout_end, "holdout_end")
        if stop <= end:
            raise DataError(f"holdout_end {stop} must be after the cutoff {end}")
        _holdout_periods(con, end, stop, params["period"])
        holdout = con.execute(
            "SELECT customer_id, CAST(count(*) AS DOUBLE) AS frequency_holdout,"
            " avg(value) AS monetary_value_holdout FROM holdout_periods GROUP BY customer_id"
        ).df()
        summary = summary.merge(holdout, on="customer_id", how="left")
        summary["frequency_holdout"] = summary["frequency_holdout"].fillna(0.0)
        summary["monetary_value_holdout"] = summary["monetary_value_holdout"].fillna(0.0)
        summary["duration_holdout"] = (stop - end).days / UNIT_DAYS[unit]
    return summary.set_index("customer_id")


def _holdout_periods(con: duckdb.DuckDBPyConnection, cutoff: date, stop: date, period: str) -> None:
    con.execute(
        load_sql("cvm.features", "holdout.sql"),
        {"cutoff": cutoff, "holdout_end": stop, "period": period},
    )


def holdout_tracking(
    source: Any,
    cutoff: date | datetime | str,
    holdout_end: date | datetime | str,
    *,
    period: str = "D",
) -> pd.DataFrame:
    """Repeat purchases per day after ``cutoff`` by the customers known at the cutoff.

    The actual side of a tracking plot: one row per day offset (1 = the day after the cutoff)
    with ``purchases`` and ``cumulative``; days without purchases are included.
    """
    end, stop = _as_date(cutoff, "cutoff"), _as_date(holdout_end, "holdout_end")
    if stop <= end:
        raise DataError(f"holdout_end {stop} must be after the cutoff {end}")
    if period not in PERIODS:
        raise DataError(f"period must be 'D', 'W' or 'M', got {period!r}")
    con, relation = _source_view(source)
    _bind_source(con, relation)
    _holdout_periods(con, end, stop, PERIODS[period])
    daily = con.execute(
        "SELECT date_diff('day', CAST($cutoff AS DATE), day) AS day_offset, count(*) AS n"
        " FROM holdout_periods GROUP BY 1",
        {"cutoff": end},
    ).df()
    days = pd.RangeIndex(1, (stop - end).days + 1, name="day_offset")
    purchases = daily.set_index("day_offset")["n"].reindex(days, fill_value=0).astype(float)
    return pd.DataFrame({"purchases": purchases, "cumulative": purchases.cumsum()})
