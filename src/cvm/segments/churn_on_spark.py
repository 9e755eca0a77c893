"""``cvm churn train|score --engine spark``: the churn job on a Spark session.

Training (:func:`cvm.segments.churn_on_engine.train_churn_on_engine`) keeps the fitted model
in the workspace folder, ``models/churn-spark-<stamp>.pkl``, as the workspace job keeps its
own; scoring loads the newest such file and writes every buyer's risk as Parquet under the
scores folder, partitioned by run. The engine comes from the ``[spark]`` settings, as for
``cvm score --engine spark`` (:func:`cvm.clv.on_spark.spark_from_settings`).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cvm._exceptions import DataError
from cvm.engines import Engine, location, sql_file
from cvm.segments.churn_on_engine import EngineChurn, score_churn_on_engine

__all__ = [
    "ChurnScoresRun",
    "latest_engine_churn",
    "newest_engine_churn",
    "save_engine_churn",
    "score_churn_to",
]

PREFIX = "churn-spark-"


@dataclass
class ChurnScoresRun:
    """What a churn scoring run on an engine wrote, and its riskiest customers."""

    run_id: str
    output: str | Path
    as_of: date
    model: Path
    customers: int
    top: pd.DataFrame


def save_engine_churn(folder: Path, trained: EngineChurn) -> Path:
    """Pickle a model trained on an engine under ``folder``/models; returns the file."""
    models = folder / "models"
    models.mkdir(parents=True, exist_ok=True)
    path = models / f"{PREFIX}{datetime.now(UTC):%Y%m%dT%H%M%S%f}.pkl"
    with path.open("wb") as fh:
        pickle.dump(trained, fh)
    return path


def latest_engine_churn(folder: Path) -> tuple[Path, EngineChurn]:
    """The newest model trained on an engine in ``folder``/models, or a one-line error."""
    found = newest_engine_churn(folder)
    if found is None:
        raise DataError(
            f"no churn model trained on spark in {folder / 'models'}: run"
            " `cvm churn train --engine spark` first"
        )
    return found


def newest_engine_churn(folder: Path) -> tuple[Path, EngineChurn] | None:
    """The newest model trained on an engine in ``folder``/models, or None when there is none
    (a segments run then leaves churn risk empty)."""
    found = sorted((folder / "models").glob(f"{PREFIX}*.pkl"))
    if not found:
        return None
    with found[-1].open("rb") as fh:
        trained = pickle.load(fh)  # written by save_engine_churn in this workspace
    if not isinstance(trained, EngineChurn):
        raise DataError(f"{found[-1].name} is not a churn model trained on an engine")
    return found[-1], trained


def score_churn_to(
    engine: Engine, folder: Path, output: str | Path, *, as_of: Any = None, top: int = 10
) -> ChurnScoresRun:
    """Score every buyer with the newest engine-trained model; write under ``output``."""
    path, trained = latest_engine_churn(folder)
    run_id, day = score_churn_on_engine(engine, trained, output, as_of)
    customers = int(engine.scalar(sql_file(__package__, "engine_churn_count.sql")) or 0)
    best = engine.frame(sql_file(__package__, "engine_churn_top.sql"), {"top": top})
    return ChurnScoresRun(run_id, location(output), day, path, customers, best)
