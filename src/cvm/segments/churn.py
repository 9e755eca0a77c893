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
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm._progress import Progress, no_progress
from cvm._sql import load_sql
from cvm.features.attributes import attribute_features
from cvm.features.profile import customer_profile
from cvm.features.summary import _as_date
from cvm.models.churn import ChurnClassifier, calibration_table, churn_metrics
from cvm.workspace import transaction

if TYPE_CHECKING:
    from cvm.models.attributes import AttributeEncoder
    from cvm.workspace import Workspace

MAX_CHANNELS = 6


@dataclass
class ChurnTraining:
    """A trained and validated churn model with its evaluation against P(alive)."""

    model: ChurnClassifier
    horizon_days: int
    train_cutoff: date
    valid_cutoff: date
    channels: list[str]
    metrics: dict[str, float]
    baseline: dict[str, float]
    calibration: pd.DataFrame
    baseline_calibration: pd.DataFrame
    n_train: int
    run_id: str | None = None
    notes: list[str] = field(default_factory=list)
    attributes: AttributeEncoder | None = None
    target: str = "purchases"
    baseline_name: str = "1 - P(alive)"

    @property
    def definition(self) -> str:
        """What a churn risk of this model means, in one sentence for the page."""
        return churn_definition(self.target, self.horizon_days)


def churn_definition(target: str, horizon_days: int) -> str:
    if target == "contracts":
        return (
            f"contract churn risk = probability that every contract the customer has running"
            f" today has ended within {horizon_days} days"
        )
    return (
        f"churn risk = probability of no purchase in the next {horizon_days} days (not a"
        " contract cancellation)"
    )


def channels_of(ws: Workspace, as_of: date) -> list[str]:
    """The most used order channels up to ``as_of``: the channel-share features."""
    rows = ws.con.execute(
        "SELECT coalesce(channel, 'unknown') AS c FROM transactions"
        " WHERE CAST(ts AS DATE) <= ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
        [as_of, MAX_CHANNELS],
    ).fetchall()
    return [str(r[0]) for r in rows]


def features_from_profile(
    ws: Workspace, channels: list[str], attributes: AttributeEncoder | None = None
) -> pd.DataFrame:
    """Churn features of the buyers of the current ``customer_profile`` table.

    With a fitted ``attributes`` encoder, one column per typed customer attribute is added
    (the shared builder of :mod:`cvm.features.attributes`).
    """
    shares = "".join(
        f", coalesce(channel_shares[$ch_{i}], 0) AS channel_share_{i}" for i in range(len(channels))
    )
    sql = load_sql("cvm.segments", "churn_features.sql").replace("/*CHANNELS*/", shares)
    frame = ws.con.execute(sql, {f"ch_{i}": c for i, c in enumerate(channels)}).df()
    frame = frame.rename(
        columns={f"channel_share_{i}": f"share_{c}" for i, c in enumerate(channels)}
    )
    frame = frame.set_index("customer_id").astype(np.float32)
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
    customer_profile(ws, _as_date(as_of, "as_of"), fit_clv=False)
    return features_from_profile(ws, channels, attributes)


def churn_labels(ws: Workspace, cutoff: date, horizon_days: int) -> pd.Series:
    """True for buyers at ``cutoff`` who churned within ``horizon_days`` after it."""
    frame = ws.con.execute(
        load_sql("cvm.segments", "churn_labels.sql"),
        {"cutoff": cutoff, "end": cutoff + timedelta(days=horizon_days)},
    ).df()
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
        return _train_contracts(ws, as_of, horizon, model, progress)
    end = _as_date(as_of, "as_of") if as_of is not None else default_as_of(ws)
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
    customer_profile(ws, valid_cutoff, fit_clv=True)
    X_valid = features_from_profile(ws, channels, attributes)
    y_valid = churn_labels(ws, valid_cutoff, horizon).reindex(X_valid.index, fill_value=True)
    p_alive = (
        ws.con.execute(
            "SELECT customer_id, p_alive FROM customer_profile WHERE NOT is_prospect"
            " ORDER BY customer_id"
        )
        .df()
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
        metrics=churn_metrics(y_valid, risk),
        baseline=churn_metrics(y_valid, baseline_risk),
        calibration=calibration_table(y_valid, risk),
        baseline_calibration=calibration_table(y_valid, baseline_risk),
        n_train=len(X_train),
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
    counts = ws.con.execute(
        "SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM subscriptions)"
    ).fetchall()[0]
    return "contracts" if counts[0] == 0 and counts[1] > 0 else "purchases"


def _train_contracts(
    ws: Workspace,
    as_of: date | str | None,
    horizon: int,
    model: ChurnClassifier | None,
    progress: Progress,
) -> ChurnTraining:
    """Contract churn: same time split; baseline a plain logistic regression on the same rows."""
    from cvm.clv.contracts import _last_contract_day
    from cvm.segments.contract_churn import (
        contract_rows,
        learn_encoding,
        logistic_baseline,
        require_rows,
    )

    end = _as_date(as_of, "as_of") if as_of is not None else _last_contract_day(ws)
    valid_cutoff = end - timedelta(days=horizon)
    train_cutoff = valid_cutoff - timedelta(days=horizon)
    progress(0, 4, f"contracts running on {train_cutoff}")
    train = contract_rows(ws, train_cutoff, horizon)
    require_rows(train, train_cutoff, horizon)
    encoding = learn_encoding(train)
    X_train, y_train = encoding.matrix(train), train["churned"].to_numpy(dtype=bool)
    progress(1, 4, "fitting the churn model")
    fitted = (model or ChurnClassifier()).fit(X_train, y_train)
    fitted.contract_encoding_ = encoding  # type: ignore[attr-defined]
    progress(2, 4, f"validating on contracts running on {valid_cutoff}")
    valid = contract_rows(ws, valid_cutoff, horizon)
    if valid.empty or valid["churned"].nunique() < 2:
        raise DataError(
            f"no contract running on {valid_cutoff} both ended and kept within {horizon} days:"
            " cannot validate (use a later --as-of or a shorter --horizon)"
        )
    X_valid, y_valid = encoding.matrix(valid), valid["churned"].to_numpy(dtype=bool)
    risk = fitted.predict_proba(X_valid)
    baseline = logistic_baseline(X_train, y_train)
    baseline_risk = baseline.predict_proba(X_valid.to_numpy(dtype=float))[:, 1]
    progress(3, 4, "evaluating")
    result = ChurnTraining(
        model=fitted,
        horizon_days=horizon,
        train_cutoff=train_cutoff,
        valid_cutoff=valid_cutoff,
        channels=[],
        metrics=churn_metrics(y_valid, risk),
        baseline=churn_metrics(y_valid, baseline_risk),
        calibration=calibration_table(y_valid, risk),
        baseline_calibration=calibration_table(y_valid, baseline_risk),
        n_train=len(X_train),
        target="contracts",
        baseline_name="logistic regression",
    )
    result.notes.append(comparison_note(result))
    dropped = {**encoding.excluded, **fitted.dropped_features_}
    if dropped:
        result.notes.append(dropped_note(dropped))
    progress(4, 4, "done")
    return result


def comparison_note(result: ChurnTraining) -> str:
    """One sentence: does the model beat its baseline on ROC-AUC and Brier, and by how much."""
    m, b = result.metrics, result.baseline
    gap = m["roc_auc"] - b["roc_auc"]
    verdict = "beats" if gap > 0 else "does not beat"
    baseline = (
        "a plain logistic regression on the same split"
        if result.target == "contracts"
        else "the P(alive) baseline"
    )
    return (
        f"the churn model {verdict} {baseline} on the"
        f" {result.valid_cutoff} holdout: ROC-AUC {m['roc_auc']:.3f} vs {b['roc_auc']:.3f}"
        f" ({gap:+.3f}), Brier {m['brier']:.3f} vs {b['brier']:.3f},"
        f" top-decile lift {m['lift_top_decile']:.2f} vs {b['lift_top_decile']:.2f}"
    )


def dropped_note(dropped: dict[str, str]) -> str:
    """One sentence listing the features left out and why."""
    listed = ", ".join(f"{name} ({why})" for name, why in dropped.items())
    return f"{len(dropped)} feature(s) with nothing to learn from left out: {listed}"


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
    with transaction(ws.con):
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
        ws.con.execute(
            "UPDATE model_runs SET params = ? WHERE run_id = ?",
            [_json(params), run_id],
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
    rows = ws.con.execute(
        "SELECT run_id, params->>'path' FROM model_runs WHERE kind = 'churn'"
        " ORDER BY created_at DESC, run_id DESC"
    ).fetchall()
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
        from cvm.segments.contract_churn import contract_rows

        if as_of is None:
            raise DataError("a contract churn model scores as of a day: pass as_of")
        X = encoding.matrix(contract_rows(ws, as_of, 1))
    else:
        X = features_from_profile(ws, channels, attributes)
    if X.empty:
        return pd.DataFrame(columns=["churn_risk"])
    return model.explain(X, top=top)
