"""KPIs and cohort tables on any engine: ``kpi_activity.sql`` and ``kpi_cohorts.sql`` over the
source folders (:mod:`cvm.features.on_engine`), written as Parquet partitioned by run.

The definitions are those of :mod:`cvm.report.kpis`, from the same files; only the source
tables differ (``source_transactions`` instead of the workspace's). The snapshot here has the
activity KPIs alone; a KPI run (:func:`kpis_on_engine`) adds customer equity as of its last
day, from CLV fitted in the job as a segments run fits it
(:func:`cvm.clv.profile.fit_profile_clv`), since the workspace's stored CLV runs are not there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd
import sqlglot.expressions as exp

from cvm._exceptions import ConfigError, DataError
from cvm.engines import Engine, fill, location, sql_file
from cvm.features.on_engine import bind_sources, new_run_id, on_sources, source_name, write_run
from cvm.report.kpis import DateLike, as_day, frequency

KPI_TABLE = "kpi_periods"
COHORT_TABLE = "kpi_cohort_table"
EQUITY_TABLE = "kpi_equity"


def _day(engine: Engine, name: str) -> pd.Timestamp:
    found = engine.scalar(on_sources(sql_file(__package__, name)))
    if found is None:
        raise DataError("the transactions folder holds no rows: nothing to measure")
    return pd.Timestamp(found).normalize()


def _kept(engine: Engine, table: str, order: list[str]) -> pd.DataFrame:
    frame = engine.frame(fill(sql_file(__package__, "kpi_kept.sql"), table=table))
    return frame.sort_values(order, ignore_index=True)


def _activity(
    engine: Engine, first: pd.Timestamp, last: pd.Timestamp, step: str, keep: str | None = None
) -> pd.DataFrame:
    params = {"first_start": first.to_pydatetime(), "last_start": last.to_pydatetime()}
    query = on_sources(sql_file(__package__, "kpi_activity.sql"))
    if keep:
        engine.materialize(keep, query, {**params, "step": step})
        return _kept(engine, keep, ["period_start"])
    return engine.frame(query, {**params, "step": step})


def kpi_timeseries_on_engine(
    engine: Engine,
    start: DateLike | None = None,
    end: DateLike | None = None,
    freq: str = "M",
    *,
    keep: str | None = None,
) -> pd.DataFrame:
    """:func:`cvm.report.kpis.kpi_timeseries` on ``engine``'s source folders.

    ``keep`` also keeps the rows as that table on the engine (to write them).
    """
    f = frequency(freq)
    first = as_day(start, "start") if start is not None else _day(engine, "first_transaction.sql")
    lo = first.to_period(f.period).start_time
    hi = as_day(end, "end") if end is not None else _day(engine, "last_transaction.sql")
    hi = hi.to_period(f.period).start_time
    if hi < lo:
        raise ConfigError(f"end {end} is before start {start}")
    return _activity(engine, lo - f.offset, hi, f.interval, keep)


def kpi_snapshot_on_engine(
    engine: Engine, as_of: DateLike | None = None, freq: str = "M"
) -> pd.DataFrame:
    """The activity KPIs of :func:`cvm.report.kpis.kpi_snapshot` on ``engine`` (no equity)."""
    f = frequency(freq)
    day = as_day(as_of, "as_of").normalize() if as_of is not None else None
    day = day if day is not None else _day(engine, "last_transaction.sql")
    end = day + timedelta(days=1)
    row = _activity(engine, end - f.offset - f.offset, end - f.offset, f.interval)
    row.insert(0, "as_of", day)
    return row


def cohort_table_on_engine(
    engine: Engine,
    start: DateLike | None = None,
    end: DateLike | None = None,
    freq: str = "M",
    *,
    keep: str | None = None,
) -> pd.DataFrame:
    """:func:`cvm.report.kpis.cohort_table` on ``engine``'s source folders.

    The period's name (``month``) is put into the tree as a literal, not bound: Spark takes
    ``datediff``'s unit only as a keyword. It comes from :data:`cvm.report.kpis.FREQUENCIES`,
    never from the user's text.
    """
    f = frequency(freq)
    last = as_day(end, "end").normalize() if end is not None else None
    hi = (last if last is not None else _day(engine, "last_transaction.sql")) + timedelta(days=1)
    lo = as_day(start, "start") if start is not None else pd.Timestamp("1900-01-01")
    tree = on_sources(sql_file(__package__, "kpi_cohorts.sql"))
    for node in list(tree.find_all(exp.Placeholder)):
        if node.name == "part":
            node.replace(exp.Literal.string(f.part))
    params = {"start": lo.to_pydatetime(), "end": hi.to_pydatetime()}
    if keep:
        engine.materialize(keep, tree, params)
        return _kept(engine, keep, ["cohort", "age"])
    return engine.frame(tree, params)


@dataclass
class KpiRun:
    """What a KPI run on an engine wrote: the periods, the cohorts and customer equity (None
    when CLV could not be fitted, the reason in ``notes``), under one run id."""

    run_id: str
    as_of: pd.Timestamp
    periods: pd.DataFrame
    cohorts: pd.DataFrame
    written: dict[str, str | Path]
    equity: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def equity_on_engine(engine: Engine, day: pd.Timestamp, notes: list[str]) -> str | None:
    """Fit and score CLV as of ``day`` on ``engine`` (the profile's fit) and keep customer
    equity as ``kpi_equity``: one row, or None (the reason added to ``notes``)."""
    from cvm.clv.profile import fit_profile_clv

    fit = fit_profile_clv(engine, day.date(), notes, relation=source_name("transactions"))
    if fit is None:
        return None
    engine.run(sql_file(__package__, "engine_equity.sql"), {"model": fit.best})
    return EQUITY_TABLE


def kpis_on_engine(
    engine: Engine,
    output: str | Path,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    freq: str = "M",
) -> KpiRun:
    """KPIs per period, the cohort table and customer equity from ``engine``'s sources,
    written under ``output``/kpis/run_id=..., ``output``/cohorts/run_id=... and
    ``output``/equity/run_id=... (one row; no folder when CLV could not be fitted)."""
    bind_sources(engine)
    day = as_day(end, "end").normalize() if end is not None else None
    day = day if day is not None else _day(engine, "last_transaction.sql")
    periods = kpi_timeseries_on_engine(engine, start, day, freq, keep=KPI_TABLE)
    cohorts = cohort_table_on_engine(engine, start, day, freq, keep=COHORT_TABLE)
    notes: list[str] = []
    equity = equity_on_engine(engine, day, notes)
    run_id = new_run_id("kpis")
    written = {
        "kpis": write_run(engine, KPI_TABLE, location(output, "kpis"), run_id, day.date()),
        "cohorts": write_run(engine, COHORT_TABLE, location(output, "cohorts"), run_id, day.date()),
    }
    frame = None
    if equity is not None:
        written["equity"] = write_run(
            engine, equity, location(output, "equity"), run_id, day.date()
        )
        frame = _kept(engine, equity, ["model"])
    return KpiRun(run_id, day, periods, cohorts, written, frame, notes)
