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
from cvm._sql import load_sql
from cvm.campaigns.design import Campaign, get_campaign

if TYPE_CHECKING:
    from cvm.models.attributes import AttributeEncoder
    from cvm.workspace import Workspace

__all__ = [
    "LEARNERS",
    "ArmEvaluation",
    "UpliftResult",
    "campaign_features",
    "fit_campaign_uplift",
]

LEARNERS = ("t", "x", "class")
_NUMERIC = ("frequency", "recency", "T", "monetary_value")
SCALE = "scikit-uplift qini_auc_score / uplift_auc_score (normalised: 1 perfect, 0 random)"


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


@dataclass
class _Encoders:
    profile: AttributeEncoder
    attributes: AttributeEncoder
    covariates: AttributeEncoder | None = None


def campaign_features(ws: Workspace, as_of: datetime, customer_ids: Any = None) -> pd.DataFrame:
    """Model features per customer as of ``as_of``, indexed by customer id.

    Purchase summary (frequency, recency, T, monetary value; zero and ``has_history = 0`` for
    customers without a purchase yet), consent flags, acquisition channel and country codes,
    and one column per typed customer attribute. With ``customer_ids`` every listed customer in
    the workspace is kept whatever its ``first_seen``; otherwise the customers known by then.
    """
    X, _, _ = _features(ws, as_of, customer_ids)
    return X


def _features(
    ws: Workspace,
    as_of: Any,
    customer_ids: Any = None,
    encoders: _Encoders | None = None,
    campaign_id: str | None = None,
) -> tuple[pd.DataFrame, _Encoders, dict[str, int]]:
    from cvm.features import rfm_summary
    from cvm.features.attributes import attribute_features
    from cvm.models.attributes import AttributeEncoder

    cutoff = pd.Timestamp(as_of).normalize()
    excluded: dict[str, int] = {}
    if customer_ids is None:
        customers = ws.con.execute(
            load_sql("cvm.campaigns", "uplift_customers.sql"), {"cutoff": cutoff.to_pydatetime()}
        ).df()
    else:
        wanted = pd.unique(np.asarray(customer_ids, dtype=object))
        members = pd.DataFrame({"customer_id": wanted, "pos": np.arange(len(wanted))})
        ws.con.register("uplift_members", members)
        try:
            customers = ws.con.execute(load_sql("cvm.campaigns", "uplift_members.sql")).df()
        finally:
            ws.con.unregister("uplift_members")
        unknown = len(wanted) - len(customers)
        if unknown:
            excluded["not in the customers table"] = unknown
    customers = customers.set_index("customer_id")
    ids = customers.index
    history = rfm_summary(ws, cutoff.date())
    numeric = pd.DataFrame(0.0, index=ids, columns=list(_NUMERIC))
    has = pd.Series(0.0, index=ids)
    if len(history):
        found = history[list(_NUMERIC)].reindex(ids)
        has = found["frequency"].notna().astype(float)
        numeric = found.fillna(0.0)
    numeric["has_history"] = has
    flags = customers[["consent_email", "consent_sms", "consent_push"]].astype(float).fillna(0.0)
    profile_frame = customers[["acquisition_channel", "country"]]
    if encoders is None:
        encoders = _Encoders(
            profile=AttributeEncoder(prefix="").fit(profile_frame),
            attributes=AttributeEncoder(),
        )
        attrs, encoders.attributes = attribute_features(ws, ids)
        if campaign_id is not None and _has_covariates(ws, campaign_id):
            covs, encoders.covariates = attribute_features(
                ws, ids, source="campaign", campaign_id=campaign_id, prefix="cov_"
            )
        else:
            covs = None
    else:
        attrs, _ = attribute_features(ws, ids, encoder=encoders.attributes)
        covs = (
            attribute_features(
                ws, ids, encoder=encoders.covariates, source="campaign", campaign_id=campaign_id
            )[0]
            if encoders.covariates is not None
            else None
        )
    parts = [numeric.astype(np.float32), flags.astype(np.float32),
             encoders.profile.transform(profile_frame), attrs]  # fmt: skip
    if covs is not None:
        parts.append(covs)
    return pd.concat(parts, axis=1), encoders, excluded


def _has_covariates(ws: Workspace, campaign_id: str) -> bool:
    rows = ws.con.execute(
        "SELECT count(*) FROM campaign_covariates WHERE campaign_id = ? AND features IS NOT NULL",
        [campaign_id],
    ).fetchall()
    return bool(rows[0][0])


def _make_model(learner: str, seed: int, control: str) -> Any:
    from cvm.models.uplift import ClassTransformationUplift, TwoModelUplift, XLearnerUplift

    if learner == "t":
        return TwoModelUplift(random_state=seed, control=control)
    if learner == "x":
        return XLearnerUplift(random_state=seed, control=control)
    if learner == "class":
        return ClassTransformationUplift(random_state=seed, control=control)
    raise DataError(f"learner {learner!r}: use one of {', '.join(LEARNERS)}")


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
                outcome=outcome,
                arm=arm,
                test_file=test_file,
                sample=sample,
            )
    c = get_campaign(ws, campaign_id)
    if not 0 < test_size < 1:
        raise DataError(f"test_size must be within (0, 1), got {test_size!r}")
    if not c.outcomes:
        has = ws.con.execute(
            "SELECT count(*) FROM campaign_outcomes WHERE campaign_id = ?", [campaign_id]
        ).fetchall()[0][0]
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
    X, encoders, dropped = _features(
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
        scores = _score_rows(model, X, threshold)
    else:
        last = ws.con.execute("SELECT max(ts) FROM transactions").fetchall()[0][0]
        when = score_as_of or (last or c.starts)
        scored, _, _ = _features(ws, pd.Timestamp(when), encoders=encoders)
        scores = _score_rows(model, scored.reindex(columns=list(X.columns)), threshold)
    test_scores, test_arms = (
        _score_file(ws, c, model, encoders, list(X.columns), Path(test_file), name, threshold)
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
    with transaction(ws.con):
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
        ws.con.register("uplift_new", stored)
        ws.con.execute("INSERT INTO uplift_scores SELECT * FROM uplift_new")
        ws.con.unregister("uplift_new")
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


def _score_rows(model: Any, X: pd.DataFrame, threshold: float) -> pd.DataFrame:
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


def _score_file(
    ws: Workspace,
    c: Campaign,
    model: Any,
    encoders: _Encoders,
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
    known, _, _ = _features(ws, c.starts - timedelta(days=1), raw.index, encoders=encoders)
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
    scores = _score_rows(model, X.astype(np.float32), threshold)
    evaluated: dict[str, ArmEvaluation] = {}
    arm_col = c.arm_column or "arm"
    if arm_col in raw.columns and outcome in raw.columns:
        from cvm.campaigns.results import outcome_values

        y = outcome_values(raw[outcome])
        arms = raw[arm_col].str.strip().to_numpy(str)
        ok = ~np.isnan(y) & np.isin(arms, [model.control, *model.treatments_])
        evaluated = evaluate_arms(model, X[ok].astype(np.float32), arms[ok], y[ok])
    return scores, evaluated
