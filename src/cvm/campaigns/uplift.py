"""Uplift on a workspace: learn from a randomized campaign who responds because of it.

Features are as of the day before the campaign started (purchase summary, acquisition channel,
country, consent, the customer record's attributes and, for imported results, the covariates
of the results file), so nothing the campaign caused leaks into them. Every member of the
test is kept: a member without purchase history by then gets zeros and ``has_history = 0``;
one that cannot be used (no outcome) is counted with the reason. Attributes are typed and
capped by the shared :class:`~cvm.models.attributes.AttributeEncoder`, so the width of the
design matrix does not grow with their cardinality.

Each treatment arm's model is evaluated against the control only, on a held-out share of the
test: Qini and AUUC on scikit-uplift's normalised scale (``qini_auc_score``,
``uplift_auc_score``: 1 perfect, 0 random), the per-customer areas, and uplift by decile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns.design import get_campaign
from cvm.campaigns.uplift_features import campaign_features, member_features
from cvm.campaigns.uplift_scoring import ArmEvaluation, evaluate_arms, score_file, score_rows
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = [
    "LEARNERS",
    "ArmEvaluation",
    "UpliftResult",
    "campaign_features",
    "fit_campaign_uplift",
]

LEARNERS = ("t", "x", "class")
SCALE = "scikit-uplift qini_auc_score / uplift_auc_score (normalised: 1 perfect, 0 random)"


@dataclass
class UpliftResult:
    """A fitted uplift model, its held-out evaluation per arm and the scores it gave.

    ``qini``, ``auuc``, ``deciles`` and ``qini_curve`` are the first evaluated arm's; ``arms``
    holds every arm's. ``excluded`` counts members left out, by reason.
    """

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
    metrics: dict[str, Any] = field(default_factory=dict)
    outcome: str = "converted"
    arms: dict[str, ArmEvaluation] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    attributes: pd.DataFrame = field(default_factory=pd.DataFrame)
    test_scores: pd.DataFrame | None = None
    test_arms: dict[str, ArmEvaluation] = field(default_factory=dict)


def _make_model(learner: str, seed: int, control: str) -> Any:
    from cvm.models.uplift import ClassTransformationUplift, TwoModelUplift, XLearnerUplift

    if learner == "t":
        return TwoModelUplift(random_state=seed, control=control)
    if learner == "x":
        return XLearnerUplift(random_state=seed, control=control)
    if learner == "class":
        return ClassTransformationUplift(random_state=seed, control=control)
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
    outcome: str | None = None,
    arm: str | None = None,
    test_file: str | Path | None = None,
    sample: int | None = None,
) -> UpliftResult:
    """Fit an uplift model on a campaign's outcome, evaluate each arm, score customers.

    Parameters
    ----------
    learner : ``t`` (two models), ``x`` (X-learner) or ``class`` (class transformation).
    test_size : held-out share of the campaign's customers for the evaluation.
    threshold : uplift above which a customer is persuadable (below minus it: do-not-disturb).
    score_as_of : date of the scoring features (default: the last transaction's day).
    threads : OpenMP threads of the boosting models (default: all cores). On a machine shared
        with other work, 1 is often several times faster than oversubscribed cores.
    outcome : the outcome to model (default: the first imported outcome, else ``converted``;
        ``revenue``, ``visits`` or ``orders`` for a measured campaign, any imported column).
    arm : fit and evaluate this treatment arm against the control only (default: every arm).
    test_file : a file of customers to score with the model (same columns as the imported
        results); when it holds the arm and outcome columns, the model is also evaluated on it.
    sample : fit and evaluate on a random sample of this many members (said in the notes).

    The scores land in ``uplift_scores`` under a new ``model_runs`` row (kind ``uplift``):
    for a campaign imported with its results, its members; otherwise every customer.
    """
    from cvm.campaigns.outcomes import outcome_frame

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
                outcome=outcome,
                arm=arm,
                test_file=test_file,
                sample=sample,
            )
    c = get_campaign(ws, campaign_id)
    if not 0 < test_size < 1:
        raise DataError(f"test_size must be within (0, 1), got {test_size!r}")
    if not c.outcomes:
        has = ws.engine.scalar(
            sql_file(__package__, "outcomes_count.sql"), {"campaign_id": campaign_id}
        )
        if not has:
            raise DataError(f"campaign {campaign_id!r} has no outcomes: measure it first")
    frame, name, control, missing = outcome_frame(ws, campaign_id, outcome)
    excluded = {f"no value of {name!r}": sum(missing.values())} if missing else {}
    if arm is not None:
        found = sorted(set(frame["arm"]) - {control})
        if arm not in found:
            raise DataError(f"arm {arm!r}: campaign {campaign_id!r} has arms {', '.join(found)}")
        frame = frame[frame["arm"].isin([arm, control])]
    sampled = []
    if sample is not None and 0 < sample < len(frame):
        sampled.append(f"fitted on a random sample of {sample:,} of {len(frame):,} members")
        frame = frame.sample(n=sample, random_state=seed).sort_values("customer_id")
    as_of = c.starts - timedelta(days=1)
    imported = bool(c.outcomes)
    X, encoders, dropped = member_features(
        ws, as_of, frame["customer_id"], campaign_id=campaign_id if imported else None
    )
    excluded.update(dropped)
    frame = frame.set_index("customer_id").loc[X.index]
    arms = frame["arm"].to_numpy(str)
    y = frame["y"].to_numpy(float)
    notes = sampled
    no_history = int((X["has_history"] == 0).sum())
    if no_history:
        notes.append(
            f"{no_history:,} of {len(X):,} members had no purchase before {as_of:%Y-%m-%d}:"
            " kept, with zero history and has_history = 0"
        )
    for reason, n in excluded.items():
        notes.append(f"{n:,} members left out: {reason}")
    rng = np.random.default_rng(seed)
    test = rng.random(len(X)) < test_size
    model = _make_model(learner, seed, control).fit(X[~test], arms[~test], y[~test])
    evaluated = evaluate_arms(model, X[test], arms[test], y[test])
    first = next(iter(evaluated.values()))

    if imported:
        when = as_of
        scores = score_rows(model, X, threshold)
    else:
        last = ws.engine.scalar(sql_file(__package__, "last_transaction.sql"))
        when = score_as_of or (last or c.starts)
        scored, _, _ = member_features(ws, pd.Timestamp(when), encoders=encoders)
        scores = score_rows(model, scored.reindex(columns=list(X.columns)), threshold)
    test_scores, test_arms = (
        score_file(ws, c, model, encoders, list(X.columns), Path(test_file), name, threshold)
        if test_file is not None
        else (None, {})
    )
    metrics: dict[str, Any] = {
        "outcome": name,
        "scale": SCALE,
        "qini": first.qini,
        "auuc": first.auuc,
        "train_rows": int((~test).sum()),
        "test_rows": int(test.sum()),
        "excluded": excluded,
        "arms": {
            a: {
                "qini": e.qini,
                "auuc": e.auuc,
                "qini_area": e.qini_area,
                "auuc_area": e.auuc_area,
                "n_treatment": e.n_treatment,
                "n_control": e.n_control,
            }
            for a, e in evaluated.items()
        },
    }
    with ws.engine.transaction():
        run_id = ws.record_run(
            "uplift",
            model=learner,
            metrics=_finite(metrics),
            params={
                "campaign_id": campaign_id,
                "outcome": name,
                "arm": arm,
                "seed": seed,
                "test_size": test_size,
                "threshold": threshold,
                "sample": sample,
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
        with ws.engine.register("uplift_new", stored):
            ws.engine.run(sql_file(__package__, "uplift_store.sql"))
    summaries = [encoders.attributes.summary()]
    if encoders.covariates is not None:
        summaries.append(encoders.covariates.summary())
    return UpliftResult(
        campaign_id,
        run_id,
        learner,
        model,
        list(X.columns),
        first.qini,
        first.auuc,
        first.deciles,
        first.qini_curve,
        scores,
        metrics,
        outcome=name,
        arms=evaluated,
        excluded=excluded,
        notes=notes,
        attributes=pd.concat(summaries, ignore_index=True),
        test_scores=test_scores,
        test_arms=test_arms,
    )


def _finite(value: Any) -> Any:
    """NaN as None, so the run's metrics are valid JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
