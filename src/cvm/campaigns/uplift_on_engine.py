"""Uplift on any engine: a randomized test's members learned from on the driver, every
customer scored beside the data.

The test's members (``uplift_members``: ``customer_id``, ``arm``, ``outcome``) and the
customer base live where the engine reads them (Parquet folders on Spark). Features are the
as-of profile's (:func:`cvm.features.on_engine.profile_on_engine`, the same SQL on every
engine) as of the day before the test began: purchase summary, ``has_history``, consent, and the
customer record's attributes typed by :class:`~cvm.models.attributes.AttributeEncoder` (a
number stored as text is a number). The model is the workspace job's scikit-learn learner,
fitted on a seeded sample of at most ``sample_rows`` members; :func:`score_batch` then scores
every customer, batch by batch on DuckDB and inside ``mapInPandas`` on Spark, and the scores
are written as Parquet partitioned by run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm.engines import Engine, sql_file
from cvm.features.on_engine import bind_sources, new_run_id, profile_on_engine, write_run
from cvm.models.attributes import AttributeEncoder
from cvm.segments.churn_on_engine import SAMPLE_ROWS, attribute_frame

__all__ = ["UPLIFT_SCORES", "EngineUplift", "score_uplift_on_engine", "train_uplift_on_engine"]

UPLIFT_SCORES = pa.schema(
    [
        ("customer_id", pa.string()),
        ("uplift", pa.float64()),
        ("p_control", pa.float64()),
        ("p_treated", pa.float64()),
    ]
)


@dataclass
class EngineUplift:
    """An uplift model fitted on an engine's sample of a test's members."""

    model: Any
    treatment: str
    attributes: AttributeEncoder | None
    as_of: date
    n_train: int
    members: int
    features: list[str]


def _matrix(frame: pd.DataFrame, attributes: AttributeEncoder | None) -> pd.DataFrame:
    rows = frame.set_index("customer_id")
    X = rows.drop(columns=["attributes"]).astype(np.float32)
    if attributes is None:
        return X
    return pd.concat([X, attributes.transform(attribute_frame(rows["attributes"]))], axis=1)


def train_uplift_on_engine(
    engine: Engine,
    as_of: Any,
    *,
    control: str = "control",
    sample_rows: int = SAMPLE_ROWS,
    seed: int = 0,
    model: Any = None,
) -> EngineUplift:
    """Fit an uplift model on at most ``sample_rows`` members of ``uplift_members``.

    ``as_of``: the day before the test began, so nothing the test caused is a feature.
    Why a sample is enough: the outcome models are histogram gradient boosting on binned
    features with leaves of tens of members, whose estimates settle long before millions of
    rows; a randomized test's arms are exchangeable, so a random (seeded, engine-independent
    ``md5``) draw of members keeps the arms' balance. The driver's memory stays bounded.
    """
    from cvm.models.uplift import TwoModelUplift

    if sample_rows < 200:
        raise DataError(f"sample_rows must be at least 200, got {sample_rows}")
    day = parse_day(as_of, "as_of", DataError)
    bind_sources(engine)
    profile_on_engine(engine, day)
    engine.materialize("uplift_rows", sql_file(__package__, "engine_uplift_features.sql"))
    members = int(engine.scalar(sql_file(__package__, "engine_uplift_members.sql")) or 0)
    sample = engine.frame(
        sql_file(__package__, "engine_uplift_sample.sql"), {"seed": str(seed), "rows": sample_rows}
    )
    arms = sample["arm"].astype(str)
    if sample.empty or arms.nunique() < 2 or control not in set(arms):
        raise DataError(
            f"the sample of {len(sample)} test members needs the control arm {control!r} and a"
            f" treated arm (found: {', '.join(sorted(set(arms))) or 'none'})"
        )
    outcome = sample["outcome"].to_numpy(dtype=float)
    if len(np.unique(outcome)) < 2:
        raise DataError("every sampled member had the same outcome: the sample has one class only")
    docs = sample.set_index("customer_id")["attributes"]
    encoder = AttributeEncoder().fit(attribute_frame(docs))
    attributes = encoder if encoder.kinds_ else None
    X = _matrix(sample.drop(columns=["arm", "outcome"]), attributes)
    fitted = (model or TwoModelUplift(random_state=seed, control=control)).fit(X, arms, outcome)
    return EngineUplift(
        model=fitted,
        treatment=str(fitted.treatments_[0]),
        attributes=attributes,
        as_of=day,
        n_train=len(sample),
        members=members,
        features=list(X.columns),
    )


def score_batch(
    frame: pd.DataFrame, *, model: Any, treatment: str, attributes: AttributeEncoder | None
) -> pd.DataFrame:
    """Uplift and both arms' expected outcomes for one batch of feature rows (no database)."""
    if frame.empty:
        return UPLIFT_SCORES.empty_table().to_pandas()
    X = _matrix(frame, attributes)
    outcomes = model.predict_outcomes(X)
    control = outcomes[model.control].to_numpy(dtype=float)
    treated = outcomes[treatment].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "customer_id": X.index.astype(str),
            "uplift": treated - control,
            "p_control": control,
            "p_treated": treated,
        }
    )


def score_uplift_on_engine(
    engine: Engine, trained: EngineUplift, output: str | Path, as_of: Any = None
) -> tuple[str, date]:
    """Score every customer of the profile as of ``as_of`` (default: the model's day);
    write ``output``/run_id=... as Parquet. The scores stay readable as ``uplift_scores``."""
    day = trained.as_of if as_of is None else parse_day(as_of, "as_of", DataError)
    bind_sources(engine)
    profile_on_engine(engine, day)
    engine.map_frames(
        "uplift_scores",
        sql_file(__package__, "engine_uplift_features.sql"),
        partial(
            score_batch,
            model=trained.model,
            treatment=trained.treatment,
            attributes=trained.attributes,
        ),
        UPLIFT_SCORES,
    )
    run_id = new_run_id("uplift")
    write_run(engine, "uplift_scores", output, run_id, day)
    return run_id, day
