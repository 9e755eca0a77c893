"""Uplift on a workspace: learn from a measured randomized campaign who responds because of it.

Features are as of the day before the campaign started (purchase summary, acquisition channel,
country, consent and the text attributes of the customer record), so nothing the campaign
caused leaks into them. The model is evaluated on a held-out share of the campaign's customers
(Qini, AUUC, uplift by decile), then every customer is scored on features as of today.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns.design import get_campaign

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["LEARNERS", "UpliftResult", "campaign_features", "fit_campaign_uplift"]

LEARNERS = ("t", "x", "class")
_NUMERIC = ("frequency", "recency", "T", "monetary_value")


@dataclass
class UpliftResult:
    """A fitted uplift model, its held-out evaluation and the scores it gave."""

    campaign_id: str
    run_id: str
    learner: str
    model: Any
    features: list[str]
    qini: float
    auuc: float
    deciles: pd.DataFrame
    qini_curve: pd.DataFrame
    scores: pd.DataFrame
    metrics: dict[str, float] = field(default_factory=dict)


def campaign_features(ws: Workspace, as_of: datetime, customer_ids: Any = None) -> pd.DataFrame:
    """Model features per customer as of ``as_of``, indexed by customer id.

    Purchase summary (frequency, recency, T, monetary value; zero for customers without a
    purchase yet), consent flags, and one-hot acquisition channel, country and every text
    attribute of the customer record.
    """
    from cvm.features import rfm_summary

    cutoff = pd.Timestamp(as_of).normalize()
    history = rfm_summary(ws, cutoff.date())
    summary = history[list(_NUMERIC)] if len(history) else None
    customers = (
        ws.con.execute(
            "SELECT customer_id, acquisition_channel, country, consent_email, consent_sms,"
            " consent_push, CAST(attributes AS VARCHAR) AS attributes FROM customers"
            " WHERE first_seen IS NULL OR first_seen <= ?",
            [cutoff.to_pydatetime()],
        )
        .df()
        .set_index("customer_id")
    )
    if customer_ids is not None:
        customers = customers.reindex(pd.Index(customer_ids, name="customer_id")).dropna(
            subset=["consent_email"]
        )
    attrs = _attributes(customers.pop("attributes"))
    categorical = pd.concat([customers[["acquisition_channel", "country"]], attrs], axis=1)
    dummies = pd.get_dummies(categorical.astype("object"), dummy_na=False, dtype=float)
    flags = customers[["consent_email", "consent_sms", "consent_push"]].astype(float)
    numeric = (
        summary.reindex(customers.index).fillna(0.0)
        if summary is not None
        else pd.DataFrame(0.0, index=customers.index, columns=list(_NUMERIC))
    )
    return pd.concat([numeric, flags, dummies], axis=1)


def _attributes(raw: pd.Series) -> pd.DataFrame:
    """Text-valued top-level attributes (JSON) as columns."""
    parsed = [json.loads(v) if isinstance(v, str) and v else {} for v in raw.to_numpy()]
    frame = pd.DataFrame.from_records(parsed, index=raw.index)
    keep = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, str)).any()]
    return frame[keep].add_prefix("attr_")


def _make_model(learner: str, seed: int) -> Any:
    from cvm.models.uplift import ClassTransformationUplift, TwoModelUplift, XLearnerUplift

    if learner == "t":
        return TwoModelUplift(random_state=seed)
    if learner == "x":
        return XLearnerUplift(random_state=seed)
    if learner == "class":
        return ClassTransformationUplift(random_state=seed)
    raise DataError(f"learner {learner!r}: use one of {', '.join(LEARNERS)}")


def fit_campaign_uplift(
    ws: Workspace,
    campaign_id: str,
    *,
    learner: str = "t",
    test_size: float = 0.3,
    seed: int = 0,
    threshold: float = 0.02,
    score_as_of: datetime | None = None,
    threads: int | None = None,
) -> UpliftResult:
    """Fit an uplift model on a measured campaign's conversions, evaluate it, score everyone.

    Parameters
    ----------
    learner : ``t`` (two models), ``x`` (X-learner) or ``class`` (class transformation).
    test_size : held-out share of the campaign's customers for the Qini evaluation.
    threshold : uplift above which a customer is persuadable (below minus it: do-not-disturb).
    score_as_of : date of the scoring features (default: the last transaction's day).
    threads : OpenMP threads of the boosting models (default: all cores). On a machine shared
        with other work, 1 is often several times faster than oversubscribed cores.

    The scores land in ``uplift_scores`` under a new ``model_runs`` row (kind ``uplift``).
    """
    from cvm.models.uplift import auuc as area_under_uplift
    from cvm.models.uplift import qini_coefficient, qini_curve, uplift_by_decile
    from cvm.workspace import transaction

    if threads is not None:
        import sklearn.ensemble  # noqa: F401 - loads OpenMP so that the limit reaches it
        from threadpoolctl import threadpool_limits

        with threadpool_limits(threads):
            return fit_campaign_uplift(
                ws,
                campaign_id,
                learner=learner,
                test_size=test_size,
                seed=seed,
                threshold=threshold,
                score_as_of=score_as_of,
            )
    c = get_campaign(ws, campaign_id)
    if not 0 < test_size < 1:
        raise DataError(f"test_size must be within (0, 1), got {test_size!r}")
    outcomes = ws.con.execute(
        "SELECT customer_id, arm, converted FROM campaign_outcomes WHERE campaign_id = ?"
        " ORDER BY customer_id",
        [campaign_id],
    ).df()
    if outcomes.empty:
        raise DataError(f"campaign {campaign_id!r} has no outcomes: measure it first")
    X = campaign_features(ws, c.starts - timedelta(days=1), outcomes["customer_id"])
    outcomes = outcomes.set_index("customer_id").loc[X.index]
    arms = outcomes["arm"].to_numpy(str)
    y = outcomes["converted"].to_numpy(float)
    rng = np.random.default_rng(seed)
    test = rng.random(len(X)) < test_size
    model = _make_model(learner, seed).fit(X[~test], arms[~test], y[~test])
    predicted = model.predict(X[test])
    qini = qini_coefficient(y[test], arms[test], predicted)
    area = area_under_uplift(y[test], arms[test], predicted)
    deciles = uplift_by_decile(y[test], arms[test], predicted)
    curve = qini_curve(y[test], arms[test], predicted)

    last = ws.con.execute("SELECT max(ts) FROM transactions").fetchall()[0][0]
    when = score_as_of or (last or c.starts)
    scores = _score(ws, model, list(X.columns), when, threshold)
    metrics = {
        "qini": qini,
        "auuc": area,
        "train_rows": int((~test).sum()),
        "test_rows": int(test.sum()),
    }
    with transaction(ws.con):
        run_id = ws.record_run(
            "uplift",
            model=learner,
            metrics=metrics,
            params={
                "campaign_id": campaign_id,
                "seed": seed,
                "test_size": test_size,
                "threshold": threshold,
            },
            cutoff=pd.Timestamp(when).to_pydatetime(),
        )
        stored = scores.assign(run_id=run_id, campaign_id=campaign_id)[
            [
                "run_id",
                "campaign_id",
                "customer_id",
                "arm",
                "uplift",
                "p_control",
                "p_treatment",
                "category",
            ]
        ]
        ws.con.register("uplift_new", stored)
        ws.con.execute("INSERT INTO uplift_scores SELECT * FROM uplift_new")
        ws.con.unregister("uplift_new")
    return UpliftResult(
        campaign_id,
        run_id,
        learner,
        model,
        list(X.columns),
        qini,
        area,
        deciles,
        curve,
        scores,
        metrics,
    )


def _score(
    ws: Workspace, model: Any, columns: list[str], when: Any, threshold: float
) -> pd.DataFrame:
    from cvm.models.uplift import uplift_categories

    X = campaign_features(ws, pd.Timestamp(when)).reindex(columns=columns, fill_value=0.0)
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
