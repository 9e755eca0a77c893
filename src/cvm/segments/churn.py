"""Churn on a workspace: as-of features and labels, time-split training, scoring, the run.

Training looks back from ``as_of``: features as of ``as_of - 2N`` with labels from the next
``N`` days train the model; features as of ``as_of - N`` with labels up to ``as_of`` validate
it, against ``1 - P(alive)`` of the CLV transaction model fitted as of the same validation day.

Two definitions of churn, each named where it is shown:

- purchase churn (``target="purchases"``): no purchase in the ``N`` days after the cutoff
  (or every running contract ended in them);
- contract churn (``target="contracts"``, :mod:`cvm.segments.contract_churn`): every contract
  running at the cutoff ended within ``N`` days; validated against a plain logistic regression
  on the same split.
"""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm._progress import Progress, no_progress
from cvm.clv.profile import profile_with_clv
from cvm.engines import fill, select_item, sql_file
from cvm.features.attributes import attribute_features
from cvm.models.churn import ChurnClassifier
from cvm.segments.churn_result import (
    ChurnTraining,
    churn_definition,
    comparison_note,
    dropped_note,
    validation,
)
from cvm.segments.contract_churn import contract_rows, train_contracts

if TYPE_CHECKING:
    from cvm.models.attributes import AttributeEncoder
    from cvm.workspace import Workspace

__all__ = [
    "ChurnTraining",
    "churn_definition",
    "churn_features",
    "churn_labels",
    "comparison_note",
    "features_from_profile",
    "latest_churn_model",
    "save_churn",
    "score_churn",
    "train_churn",
]
MAX_CHANNELS = 6


def channels_of(ws: Workspace, as_of: date) -> list[str]:
    """The most used order channels up to ``as_of``: the channel-share features."""
    query = sql_file(__package__, "churn_channels.sql")
    rows = ws.engine.rows(query, {"as_of": as_of, "limit": MAX_CHANNELS})
    return [str(r[0]) for r in rows]


def feature_query(
    channels: list[str], extra: list[str] | tuple[str, ...] = ()
) -> tuple[exp.Expression, dict[str, str]]:
    """The churn features of ``customer_profile`` with their bound channels (and ``extra``
    profile columns after them), on any engine."""
    share = sql_file(__package__, "channel_share.sql")
    shares = [
        select_item(share, f"channel_share_{i}", channel=f"ch_{i}") for i in range(len(channels))
    ]
    items = [*shares, *(exp.column(c, quoted=True) for c in extra)]
    query = fill(sql_file(__package__, "churn_features.sql"), channels=items)
    return query, {f"ch_{i}": c for i, c in enumerate(channels)}


def named_features(frame: pd.DataFrame, channels: list[str]) -> pd.DataFrame:
    """Rows of :func:`feature_query` as the model's float32 features, indexed by customer."""
    frame = frame.rename(
        columns={f"channel_share_{i}": f"share_{c}" for i, c in enumerate(channels)}
    )
    return frame.set_index("customer_id").astype(np.float32)


def features_from_profile(
    ws: Workspace, channels: list[str], attributes: AttributeEncoder | None = None
) -> pd.DataFrame:
    """Churn features of the buyers of the current ``customer_profile`` table.

    With a fitted ``attributes`` encoder, one column per typed customer attribute is added
    (the shared builder of :mod:`cvm.features.attributes`).
    """
    query, params = feature_query(channels)
    frame = named_features(ws.engine.frame(query, params), channels)
    if attributes is None or not attributes.kinds_:
        return frame
    attrs, _ = attribute_features(ws, frame.index, encoder=attributes)
    return pd.concat([frame, attrs], axis=1)


def churn_features(
    ws: Workspace,
    as_of: date | str,
    channels: list[str],
    attributes: AttributeEncoder | None = None,
) -> pd.DataFrame:
    """As-of churn features, one row per buyer (the profile is built without CLV)."""
    profile_with_clv(ws, parse_day(as_of, "as_of"), fit_clv=False)
    return features_from_profile(ws, channels, attributes)


def churn_labels(ws: Workspace, cutoff: date, horizon_days: int) -> pd.Series:
    """True for buyers at ``cutoff`` who churned within ``horizon_days`` after it."""
    frame = ws.engine.frame(
        sql_file(__package__, "churn_labels.sql"),
        {"cutoff": cutoff, "end": cutoff + timedelta(days=horizon_days)},
    )
    return frame.set_index("customer_id")["churned"].astype(bool)


def train_churn(
    ws: Workspace,
    as_of: date | str | None = None,
    *,
    horizon_days: int | None = None,
    model: ChurnClassifier | None = None,
    progress: Progress = no_progress,
    target: str = "auto",
) -> ChurnTraining:
    """Train on an earlier cutoff, validate on a later one, compare with P(alive).

    Parameters
    ----------
    ws : the workspace.
    as_of : the last day with known outcomes (default: the last transaction's day).
    horizon_days : churn = no purchase (or contract ended) within this many days; default
        ``[segments.churn] horizon_days`` or 90.
    model : an unfitted :class:`ChurnClassifier` to use (default settings otherwise).
    target : ``"purchases"``, ``"contracts"``, or ``"auto"``: contracts when the workspace has
        subscriptions and no transactions.
    """
    from cvm.segments.assign import default_as_of

    horizon = int(horizon_days or ws.settings.segments.churn.horizon_days)
    if horizon < 1:
        raise DataError(f"horizon_days must be at least 1, got {horizon}")
    target = resolve_target(ws, target)
    if target == "contracts":
        return train_contracts(ws, as_of, horizon, model, progress)
    end = parse_day(as_of, "as_of") if as_of is not None else default_as_of(ws)
    valid_cutoff = end - timedelta(days=horizon)
    train_cutoff = valid_cutoff - timedelta(days=horizon)
    channels = channels_of(ws, train_cutoff)
    progress(0, 4, f"features as of {train_cutoff}")
    X_train = churn_features(ws, train_cutoff, channels)
    attrs, encoder = attribute_features(ws, X_train.index)
    X_train = pd.concat([X_train, attrs], axis=1)
    attributes = encoder if encoder.kinds_ else None
    y_train = churn_labels(ws, train_cutoff, horizon).reindex(X_train.index, fill_value=True)
    if len(X_train) < 200:
        raise DataError(
            f"only {len(X_train)} buyers by {train_cutoff} (as_of {end} minus twice the"
            f" {horizon}-day horizon): too few to train a churn model"
        )
    progress(1, 4, "fitting the churn model")
    fitted = (model or ChurnClassifier()).fit(X_train, y_train)
    progress(2, 4, f"validating as of {valid_cutoff}")
    profile_with_clv(ws, valid_cutoff, fit_clv=True)
    X_valid = features_from_profile(ws, channels, attributes)
    y_valid = churn_labels(ws, valid_cutoff, horizon).reindex(X_valid.index, fill_value=True)
    p_alive = (
        ws.engine.frame(sql_file(__package__, "p_alive.sql"))
        .set_index("customer_id")["p_alive"]
        .reindex(X_valid.index)
    )
    risk = fitted.predict_proba(X_valid)
    if p_alive.isna().all():
        raise DataError(
            f"the P(alive) baseline needs a BG/NBD fit as of {valid_cutoff}, which failed:"
            " store a clv run at that cutoff (cvm score --cutoff) and train again"
        )
    baseline_risk = 1.0 - p_alive.fillna(p_alive.mean()).to_numpy()
    progress(3, 4, "evaluating")
    result = ChurnTraining(
        model=fitted,
        horizon_days=horizon,
        train_cutoff=train_cutoff,
        valid_cutoff=valid_cutoff,
        channels=channels,
        n_train=len(X_train),
        **validation(y_valid, risk, baseline_risk),
        attributes=attributes,
    )
    result.notes.append(comparison_note(result))
    for name, why in encoder.excluded_.items():
        result.notes.append(f"attribute {name!r} not used: {why}")
    if fitted.dropped_features_:
        result.notes.append(dropped_note(fitted.dropped_features_))
    progress(4, 4, "done")
    return result


def resolve_target(ws: Workspace, target: str) -> str:
    """``purchases`` or ``contracts``; ``auto`` is contracts on a contracts-only workspace."""
    if target not in ("auto", "purchases", "contracts"):
        raise DataError(f"target must be auto, purchases or contracts, got {target!r}")
    if target != "auto":
        return target
    counts = ws.engine.one(sql_file(__package__, "target_counts.sql"))
    assert counts is not None
    return "contracts" if counts[0] == 0 and counts[1] > 0 else "purchases"


def save_churn(ws: Workspace, result: ChurnTraining) -> str:
    """Record the run (kind 'churn') and pickle the model under ``models/<run_id>.pkl``."""
    metrics: dict[str, Any] = {
        "model": result.metrics,
        "baseline_p_alive" if result.target == "purchases" else "baseline_logistic": (
            result.baseline
        ),
        "target": result.target,
        "definition": result.definition,
        "calibration": result.calibration.reset_index().to_dict(orient="records"),
        "baseline_calibration": result.baseline_calibration.reset_index().to_dict(orient="records"),
        "notes": result.notes,
    }
    folder = ws.path / "models"
    folder.mkdir(exist_ok=True)
    with ws.engine.transaction():
        run_id = ws.record_run(
            "churn",
            model="hist_gradient_boosting",
            metrics=metrics,
            cutoff=pd.Timestamp(
                result.valid_cutoff + timedelta(days=result.horizon_days)
            ).to_pydatetime(),
        )
        path = folder / f"{run_id}.pkl"
        params = {
            "path": str(path.relative_to(ws.path)),
            "horizon_days": result.horizon_days,
            "target": result.target,
            "train_cutoff": str(result.train_cutoff),
            "valid_cutoff": str(result.valid_cutoff),
            "channels": result.channels,
            "features": result.model.feature_names_,
            "dropped_features": getattr(result.model, "dropped_features_", {}),
            "n_train": result.n_train,
            "importances": result.model.importances_.head(10).to_dict(),
            "attributes": (
                result.attributes.summary().to_dict(orient="records")
                if result.attributes is not None
                else []
            ),
        }
        ws.engine.run(
            sql_file(__package__, "run_params.sql"), {"params": _json(params), "run_id": run_id}
        )
        with path.open("wb") as fh:
            pickle.dump(
                {
                    "model": result.model,
                    "channels": result.channels,
                    "attributes": result.attributes,
                },
                fh,
            )
    result.run_id = run_id
    return run_id


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=float)


def latest_churn_model(
    ws: Workspace,
) -> tuple[str, ChurnClassifier, list[str], AttributeEncoder | None] | None:
    """(run id, model, channels, attribute encoder) of the newest churn run with a model file."""
    rows = ws.engine.rows(sql_file(__package__, "churn_runs.sql"))
    for run_id, rel in rows:
        path = ws.path / str(rel)
        if rel and path.exists():
            with path.open("rb") as fh:
                saved = pickle.load(fh)  # written by save_churn in this workspace
            return (str(run_id), saved["model"], list(saved["channels"]),
                    saved.get("attributes"))  # fmt: skip
    return None


def score_churn(
    ws: Workspace,
    model: ChurnClassifier,
    channels: list[str],
    *,
    top: int = 3,
    attributes: AttributeEncoder | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Risk and reasons for the buyers of the current ``customer_profile`` table (a contract
    churn model: for the customers with a contract running on ``as_of``)."""
    encoding = getattr(model, "contract_encoding_", None)
    if encoding is not None:
        if as_of is None:
            raise DataError("a contract churn model scores as of a day: pass as_of")
        X = encoding.matrix(contract_rows(ws, as_of, 1))
    else:
        X = features_from_profile(ws, channels, attributes)
    if X.empty:
        return pd.DataFrame(columns=["churn_risk"])
    return model.explain(X, top=top)
