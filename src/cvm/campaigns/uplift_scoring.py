"""Scoring and evaluating a fitted uplift model: per arm against the control only.

Qini and AUUC on scikit-uplift's normalised scale (``qini_auc_score``, ``uplift_auc_score``:
1 perfect, 0 random), the per-customer areas, and uplift by decile; scores per customer and
treatment with their persuadable / do-not-disturb category.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns.uplift_features import Encoders, member_features

if TYPE_CHECKING:
    from cvm.campaigns.design import Campaign
    from cvm.workspace import Workspace

__all__ = ["ArmEvaluation", "evaluate_arms", "score_file", "score_rows"]


@dataclass
class ArmEvaluation:
    """One treatment arm's model against the control on held-out rows.

    ``qini`` and ``auuc`` are on scikit-uplift's normalised scale (NaN for a non 0/1 outcome);
    ``qini_area`` and ``auuc_area`` are the areas between the curve and random targeting per
    customer (any outcome).
    """

    arm: str
    n_treatment: int
    n_control: int
    qini: float
    auuc: float
    qini_area: float
    auuc_area: float
    deciles: pd.DataFrame
    qini_curve: pd.DataFrame


def evaluate_arms(
    model: Any, X: pd.DataFrame, arms: np.ndarray, y: np.ndarray
) -> dict[str, ArmEvaluation]:
    """Each treatment arm's predicted uplift scored against the control rows only."""
    from cvm.models.uplift_evaluation import (
        auuc,
        qini_auc_score,
        qini_coefficient,
        qini_curve,
        uplift_auc_score,
        uplift_by_decile,
    )

    control = model.control
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    out: dict[str, ArmEvaluation] = {}
    for arm in model.treatments_:
        rows = (arms == arm) | (arms == control)
        n_t, n_c = int((arms == arm).sum()), int((arms == control).sum())
        if n_t == 0 or n_c == 0:
            raise DataError(
                f"arm {arm!r}: the evaluation rows hold {n_t} treated and {n_c} control"
                " customers; both are needed (a larger test share or more data)"
            )
        predicted = model.predict(X[rows], arm)
        yy, aa = y[rows], arms[rows]
        kw = {"control": control, "treated": arm}
        out[arm] = ArmEvaluation(
            arm=arm,
            n_treatment=n_t,
            n_control=n_c,
            qini=qini_auc_score(yy, aa, predicted, **kw) if binary else float("nan"),
            auuc=uplift_auc_score(yy, aa, predicted, **kw) if binary else float("nan"),
            qini_area=qini_coefficient(yy, aa, predicted, **kw),
            auuc_area=auuc(yy, aa, predicted, **kw),
            deciles=uplift_by_decile(yy, aa, predicted, **kw),
            qini_curve=qini_curve(yy, aa, predicted, **kw),
        )
    return out


def score_rows(model: Any, X: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Uplift, outcome under control and treatment, and category per row and treatment."""
    from cvm.models.uplift_evaluation import uplift_categories

    outcomes = model.predict_outcomes(X)
    frames = []
    for t in model.treatments_:
        tau = model.predict(X, t)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": X.index.to_numpy(),
                    "arm": t,
                    "uplift": tau,
                    "p_control": outcomes[model.control].to_numpy(),
                    "p_treatment": outcomes[t].to_numpy(),
                    "category": uplift_categories(
                        tau, outcomes[model.control].to_numpy(), threshold=threshold
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def score_file(
    ws: Workspace,
    c: Campaign,
    model: Any,
    encoders: Encoders,
    columns: list[str],
    path: Path,
    outcome: str,
    threshold: float,
) -> tuple[pd.DataFrame, dict[str, ArmEvaluation]]:
    """Score the rows of a supplied test file; evaluate when it carries arms and outcomes."""
    if not path.exists():
        raise DataError(f"{path}: no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: cannot read as CSV: {exc}") from exc
    if raw.empty:
        raise DataError(f"{path}: no rows to score")
    id_column = next(
        (k for k in (c.customer_column, "customer_id") if k and k in raw.columns), None
    )
    ids = (
        raw[id_column].str.strip()
        if id_column
        else pd.Series([f"row:{i + 2}" for i in range(len(raw))])
    )
    raw.index = pd.Index(ids.to_numpy(), name="customer_id")
    if raw.index.duplicated().any():
        raise DataError(f"{path}: customer {raw.index[raw.index.duplicated()][0]!r} appears twice")
    known, _, _ = member_features(ws, c.starts - timedelta(days=1), raw.index, encoders=encoders)
    X = known.reindex(raw.index).reindex(columns=columns)
    # people unknown to the workspace: no history and no consent on record, as for new members
    unknown = ["frequency", "recency", "T", "monetary_value", "has_history", "consent_email",
               "consent_sms", "consent_push"]  # fmt: skip
    X[unknown] = X[unknown].fillna(0.0)
    if encoders.covariates is not None:
        covs = encoders.covariates.transform(raw)
        missing = [n for n in encoders.covariates.kinds_ if n not in raw.columns]
        if missing:
            raise DataError(
                f"{path}: the model uses column(s) {', '.join(missing)}, absent from the file"
            )
        X[list(covs.columns)] = covs
    scores = score_rows(model, X.astype(np.float32), threshold)
    evaluated: dict[str, ArmEvaluation] = {}
    arm_col = c.arm_column or "arm"
    if arm_col in raw.columns and outcome in raw.columns:
        from cvm.campaigns.results import outcome_values

        y = outcome_values(raw[outcome])
        arms = raw[arm_col].str.strip().to_numpy(str)
        ok = ~np.isnan(y) & np.isin(arms, [model.control, *model.treatments_])
        evaluated = evaluate_arms(model, X[ok].astype(np.float32), arms[ok], y[ok])
    return scores, evaluated
