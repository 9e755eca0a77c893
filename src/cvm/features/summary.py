"""As-of purchase summaries: frequency, recency, T and monetary value per customer.

These are the sufficient statistics of the BTYD models (Fader, Hardie & Lee 2005), computed in
SQL for any cutoff, so calibration/holdout evaluation and back-testing are the same query with
two dates. Works on a workspace, a Parquet/CSV file, or a data frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlglot.expressions as exp

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm.engines import DuckDBEngine, Engine, fill, sql_file

UNIT_DAYS = {"D": 1.0, "W": 7.0}
PERIODS = {"D": "day", "W": "week", "M": "month"}
REQUIRED = ("customer_id", "ts", "amount")
OPTIONAL = ("transaction_id", "is_refund", "refund_of")


@contextmanager
def source_engine(source: Any) -> Iterator[tuple[Engine, str]]:
    """An engine and the relation on it that holds the source's transactions.

    A workspace reads its own ``transactions``; a data frame or a Parquet/CSV file is read on a
    private in-memory database, closed when the block ends.
    """
    from cvm.workspace import Workspace, connect

    if isinstance(source, Workspace):
        yield source.engine, "transactions"
        return
    con = connect(":memory:")
    try:
        engine = DuckDBEngine(con)
        if isinstance(source, pd.DataFrame):
            with engine.register("summary_input", source):
                yield engine, "summary_input"
            return
        path = Path(source)
        if not path.exists():
            raise DataError(f"{path}: no such file")
        parquet = path.suffix.lower() in {".parquet", ".pq"}
        reader = sql_file(__package__, "read_parquet.sql" if parquet else "read_csv.sql")
        engine.run(fill(reader, path=exp.Literal.string(str(path))))
        yield engine, "summary_input"
    finally:
        con.close()


def bind_source(engine: Engine, relation: str) -> None:
    """Expose ``relation`` as ``summary_source`` with the canonical columns, naming any missing."""
    found = engine.frame(fill(sql_file(__package__, "columns.sql"), source=relation))
    columns = {str(c) for c in found.columns}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise DataError(
            f"transactions need columns {', '.join(REQUIRED)}; missing {', '.join(missing)}"
            f" (found: {', '.join(sorted(columns))})"
        )
    optional: dict[str, Any] = {c: c if c in columns else exp.null() for c in OPTIONAL}
    engine.run(fill(sql_file(__package__, "summary_source.sql"), source=relation, **optional))


@contextmanager
def summary_source(source: Any) -> Iterator[Engine]:
    """An engine on which ``summary_source`` reads the source's transactions."""
    with source_engine(source) as (engine, relation):
        bind_source(engine, relation)
        yield engine


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

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["007", "007", "007", "042"],
    ...     "ts": ["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-21"],
    ...     "amount": [20.0, 30.0, 50.0, 15.0],
    ... })
    >>> summary = rfm_summary(orders, "2024-01-31").sort_index()
    >>> summary[["frequency", "recency", "T", "monetary_value"]]  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency     T  monetary_value
    customer_id
    007                2.0     30.0  30.0            40.0
    042                0.0      0.0  10.0             0.0
    """
    if unit not in UNIT_DAYS:
        raise DataError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}")
    if period not in PERIODS:
        raise DataError(f"period must be 'D', 'W' or 'M', got {period!r}")
    end = parse_day(cutoff, "cutoff")
    params: dict[str, Any] = {
        "cutoff": end,
        "unit_days": UNIT_DAYS[unit],
        "period": PERIODS[period],
    }
    stop = parse_day(holdout_end, "holdout_end") if holdout_end is not None else None
    if stop is not None and stop <= end:
        raise DataError(f"holdout_end {stop} must be after the cutoff {end}")
    with summary_source(source) as engine:
        summary = engine.frame(sql_file(__package__, "summary.sql"), params)
        if stop is not None:
            _holdout_periods(engine, end, stop, params["period"])
            holdout = engine.frame(sql_file(__package__, "holdout_summary.sql"))
    if stop is not None:
        summary = summary.merge(holdout, on="customer_id", how="left")
        summary["frequency_holdout"] = summary["frequency_holdout"].fillna(0.0)
        summary["monetary_value_holdout"] = summary["monetary_value_holdout"].fillna(0.0)
        summary["duration_holdout"] = (stop - end).days / UNIT_DAYS[unit]
    return summary.set_index("customer_id")


def _holdout_periods(engine: Engine, cutoff: date, stop: date, period: str) -> None:
    engine.run(
        sql_file(__package__, "holdout.sql"),
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
    end, stop = parse_day(cutoff, "cutoff"), parse_day(holdout_end, "holdout_end")
    if stop <= end:
        raise DataError(f"holdout_end {stop} must be after the cutoff {end}")
    if period not in PERIODS:
        raise DataError(f"period must be 'D', 'W' or 'M', got {period!r}")
    with summary_source(source) as engine:
        _holdout_periods(engine, end, stop, PERIODS[period])
        daily = engine.frame(sql_file(__package__, "holdout_daily.sql"), {"cutoff": end})
    days = pd.RangeIndex(1, (stop - end).days + 1, name="day_offset")
    purchases = daily.set_index("day_offset")["n"].reindex(days, fill_value=0).astype(float)
    return pd.DataFrame({"purchases": purchases, "cumulative": purchases.cumsum()})
