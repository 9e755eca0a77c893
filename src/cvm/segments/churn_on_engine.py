"""Churn on any engine: features as SQL where the data is, the fit on a sample on the driver,
the scoring in batches beside the data.

The features are the workspace job's (``profile.sql`` and ``churn_features.sql``, transpiled
for Spark by the engine), the model is the same :class:`~cvm.models.churn.ChurnClassifier`.
Training reads a bounded, seeded sample stratified by the label (:func:`draw_sample`); every
customer is then scored by :func:`score_batch`, the same function on DuckDB (batch by batch)
and on Spark (inside ``mapInPandas``, the fitted model pickled to the executors with it).
Customer attributes arrive as JSON text and are typed by the fitted
:class:`~cvm.models.attributes.AttributeEncoder` in each batch, so a number stored as text is a
number on Spark too. Scores are written as Parquet partitioned by run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm.engines import Engine, sql_file
from cvm.features.on_engine import (
    bind_sources,
    new_run_id,
    on_sources,
    profile_on_engine,
    write_run,
)
from cvm.models.attributes import AttributeEncoder
from cvm.models.churn import ChurnClassifier, churn_metrics
from cvm.segments.churn import MAX_CHANNELS, feature_query, named_features

__all__ = [
    "CHURN_SCORES",
    "SAMPLE_ROWS",
    "EngineChurn",
    "draw_sample",
    "score_batch",
    "score_churn_on_engine",
    "score_profile_churn",
    "train_churn_on_engine",
]

SAMPLE_ROWS = 200_000
REASONS = 3
CHURN_SCORES = pa.schema(
    [("customer_id", pa.string()), ("churn_risk", pa.float64())]
    + [(f"reason_{i}", pa.string()) for i in range(1, REASONS + 1)]
    + [(f"contribution_{i}", pa.float64()) for i in range(1, REASONS + 1)]
)


@dataclass
class EngineChurn:
    """A churn model trained on an engine's sample, with what it was trained and checked on."""

    model: ChurnClassifier
    channels: list[str]
    attributes: AttributeEncoder | None
    horizon_days: int
    train_cutoff: date
    valid_cutoff: date
    n_train: int
    n_valid: int
    train_customers: int
    metrics: dict[str, float]
    notes: list[str] = field(default_factory=list)


def _features(engine: Engine, name: str, as_of: date, channels: list[str]) -> None:
    """Keep the churn features (and the attributes' JSON text) as of ``as_of`` as ``name``."""
    bind_sources(engine)
    profile_on_engine(engine, as_of)
    query, params = feature_query(channels, extra=["attributes"])
    engine.materialize(name, query, params)


def draw_sample(
    engine: Engine, cutoff: date, horizon_days: int, rows: int, seed: int
) -> tuple[pd.DataFrame, int]:
    """At most ``rows`` labelled feature rows of ``churn_rows``, stratified by the label, and
    how many labelled rows there were to draw from.

    Why a sample is enough: the classifier bins every feature into at most 255 histogram bins
    and fits leaves of at least 50 customers, so once each bin holds thousands of customers,
    more rows move the risk by less than its sampling noise; the fit is on the driver, whose
    memory the sample bounds whatever the size of the customer base. Each class keeps its share
    of the population (proportional allocation), so the calibrated risk still means a churn
    rate. The draw is seeded and engine-independent (``md5``), so it can be repeated.
    """
    labels = sql_file(__package__, "churn_labels.sql")
    end = cutoff + timedelta(days=horizon_days)
    engine.materialize("churn_labelled", on_sources(labels), {"cutoff": cutoff, "end": end})
    counts = {
        bool(c): int(n) for c, n in engine.rows(sql_file(__package__, "engine_churn_classes.sql"))
    }
    churned, stayed = counts.get(True, 0), counts.get(False, 0)
    if not churned or not stayed:
        raise DataError(
            f"every buyer at {cutoff} {'churned' if churned else 'stayed'} within"
            f" {horizon_days} days: the sample has one class only (pick another as-of day or"
            " horizon)"
        )
    total = churned + stayed
    if total > rows:
        churned_rows = max(1, round(rows * churned / total))
        stayed_rows = max(1, rows - churned_rows)
    else:
        churned_rows, stayed_rows = churned, stayed
    sample = engine.frame(
        sql_file(__package__, "engine_churn_sample.sql"),
        {"seed": str(seed), "churned_rows": churned_rows, "stayed_rows": stayed_rows},
    )
    return sample, total


def attribute_frame(docs: pd.Series) -> pd.DataFrame:
    """Customer attributes (JSON objects as text) as one text column per key."""
    parsed = [json.loads(d) if isinstance(d, str) and d.strip() else {} for d in docs]
    frame = pd.DataFrame.from_records(
        [{k: _text(v) for k, v in (p.items() if isinstance(p, dict) else ())} for p in parsed],
        index=docs.index,
    )
    return frame.astype(object)


def _text(value: Any) -> str | None:
    """A JSON value as the workspace reads it (``->>``): text, numbers with their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _matrix(
    frame: pd.DataFrame, channels: list[str], attributes: AttributeEncoder | None
) -> pd.DataFrame:
    docs = frame.set_index("customer_id")["attributes"]
    X = named_features(frame.drop(columns=["attributes"]), channels)
    if attributes is None:
        return X
    return pd.concat([X, attributes.transform(attribute_frame(docs))], axis=1)


def train_churn_on_engine(
    engine: Engine,
    as_of: Any = None,
    *,
    horizon_days: int = 90,
    sample_rows: int = SAMPLE_ROWS,
    seed: int = 0,
    model: ChurnClassifier | None = None,
) -> EngineChurn:
    """Train on a sample as of ``as_of - 2 horizons``; check on one as of ``as_of - horizon``.

    The same split as the workspace job (:func:`cvm.segments.churn.train_churn`); the check
    reports the model's metrics on the validation sample (the workspace job's P(alive)
    baseline needs a CLV fit and is not computed here).
    """
    if sample_rows < 200:
        raise DataError(f"sample_rows must be at least 200, got {sample_rows}")
    if horizon_days < 1:
        raise DataError(f"horizon_days must be at least 1, got {horizon_days}")
    end = _as_of(engine, as_of)
    valid_cutoff = end - timedelta(days=horizon_days)
    train_cutoff = valid_cutoff - timedelta(days=horizon_days)
    bind_sources(engine)  # an export without a channel column: one channel, 'unknown'
    rows = engine.rows(
        on_sources(sql_file(__package__, "churn_channels.sql")),
        {"as_of": train_cutoff, "limit": MAX_CHANNELS},
    )
    channels = [str(r[0]) for r in rows]
    _features(engine, "churn_rows", train_cutoff, channels)
    train, population = draw_sample(engine, train_cutoff, horizon_days, sample_rows, seed)
    if len(train) < 200:
        raise DataError(
            f"only {len(train)} buyers by {train_cutoff} (as_of {end} minus twice the"
            f" {horizon_days}-day horizon): too few to train a churn model"
        )
    docs = train.set_index("customer_id")["attributes"]
    encoder = AttributeEncoder().fit(attribute_frame(docs))
    attributes = encoder if encoder.kinds_ else None
    X = _matrix(train.drop(columns=["churned", "pick"]), channels, attributes)
    fitted = (model or ChurnClassifier()).fit(X, train["churned"].astype(bool).to_numpy())
    _features(engine, "churn_rows", valid_cutoff, channels)
    valid, _ = draw_sample(engine, valid_cutoff, horizon_days, sample_rows, seed)
    risk = fitted.predict_proba(
        _matrix(valid.drop(columns=["churned", "pick"]), channels, attributes)
    )
    notes = [f"attribute {k!r} not used: {why}" for k, why in encoder.excluded_.items()]
    return EngineChurn(
        model=fitted,
        channels=channels,
        attributes=attributes,
        horizon_days=horizon_days,
        train_cutoff=train_cutoff,
        valid_cutoff=valid_cutoff,
        n_train=len(train),
        n_valid=len(valid),
        train_customers=population,
        metrics=churn_metrics(valid["churned"].astype(bool).to_numpy(), risk),
        notes=notes,
    )


def _as_of(engine: Engine, as_of: Any) -> date:
    if as_of is not None:
        return parse_day(as_of, "as_of", DataError)
    day = engine.scalar(sql_file("cvm.clv", "engine_last_day.sql"))
    if day is None:
        raise DataError("the transactions hold no rows: nothing to train or score")
    return parse_day(day, "as_of", DataError)


def score_batch(
    frame: pd.DataFrame,
    *,
    model: ChurnClassifier,
    channels: list[str],
    attributes: AttributeEncoder | None,
) -> pd.DataFrame:
    """Risk and reasons for one batch of feature rows (pandas and numpy, no database)."""
    if frame.empty:
        return CHURN_SCORES.empty_table().to_pandas()
    explained = model.explain(_matrix(frame, channels, attributes), top=REASONS)
    out = explained.reindex(columns=CHURN_SCORES.names[1:])
    out.index.name = "customer_id"
    out = out.reset_index()
    out["customer_id"] = out["customer_id"].astype(str)
    for i in range(1, REASONS + 1):
        out[f"reason_{i}"] = out[f"reason_{i}"].astype(object)
        out[f"contribution_{i}"] = out[f"contribution_{i}"].astype(np.float64)
    return out[CHURN_SCORES.names]


def score_profile_churn(engine: Engine, trained: EngineChurn) -> str:
    """Score every buyer of the ``customer_profile`` on ``engine``; keep ``churn_scores``
    (``CHURN_SCORES``: risk, the top reasons and their contributions)."""
    query, params = feature_query(trained.channels, extra=["attributes"])
    engine.map_frames(
        "churn_scores",
        query,
        partial(
            score_batch,
            model=trained.model,
            channels=trained.channels,
            attributes=trained.attributes,
        ),
        CHURN_SCORES,
        params,
    )
    return "churn_scores"


def score_churn_on_engine(
    engine: Engine,
    trained: EngineChurn,
    output: str | Path,
    as_of: Any = None,
) -> tuple[str, date]:
    """Score every buyer as of ``as_of`` on ``engine``; write ``output``/run_id=... as Parquet.

    Returns the run id and the as-of day; the scores stay readable as ``churn_scores``.
    """
    day = _as_of(engine, as_of)
    bind_sources(engine)
    profile_on_engine(engine, day)
    score_profile_churn(engine, trained)
    run_id = new_run_id("churn")
    write_run(engine, "churn_scores", output, run_id, day)
    return run_id, day
