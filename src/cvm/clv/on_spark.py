"""``cvm score --engine spark``: CLV on a Spark session, from the ``[spark]`` settings.

The workspace's ``cvm.toml`` (or the command's options) names the master and the Parquet (or
Delta) folders; the job is :func:`cvm.clv.on_engine.clv_on_engine`, the same as on DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from cvm._exceptions import ConfigError, DataError
from cvm.clv.fitting import ClvFit
from cvm.clv.on_engine import clv_on_engine
from cvm.engines import Engine, location, sql_file
from cvm.settings import Settings


@dataclass
class EngineRun:
    """What a scoring run on an engine wrote, and its best customers."""

    run_id: str
    output: str | Path
    cutoff: date
    fit: ClvFit
    customers: int
    top: pd.DataFrame


def spark_from_settings(
    settings: Settings, *, transactions: str | Path | None = None, master: str | None = None
) -> Engine:
    """A Spark engine on ``[spark] master`` with the canonical tables read from their folders."""
    from cvm.engines.spark import SparkEngine, spark_session

    spark = settings.spark
    source = transactions or spark.transactions
    if not source:
        raise ConfigError(
            "the spark engine needs the transactions' Parquet folder: --input DIR, or"
            " [spark] transactions in cvm.toml"
        )
    folders = {"transactions": source, "customers": spark.customers, "events": spark.events}
    session = spark_session(master or spark.master, spark.config)
    return SparkEngine(session, {k: v for k, v in folders.items() if v})


def score_on(
    engine: Engine,
    output: str | Path,
    *,
    cutoff: Any = None,
    top: int = 10,
    **options: Any,
) -> EngineRun:
    """Score every customer on ``engine`` and write the run under ``output``."""
    day = cutoff or engine.scalar(sql_file(__package__, "engine_last_day.sql"))
    if day is None:
        raise DataError("the transactions folder holds no rows: nothing to score")
    run_id, fit = clv_on_engine(engine, output, day, **options)
    customers = int(engine.scalar(sql_file(__package__, "engine_count.sql")) or 0)
    best = engine.frame(sql_file(__package__, "engine_top.sql"), {"top": top})
    return EngineRun(run_id, location(output), fit.cutoff, fit, customers, best)
