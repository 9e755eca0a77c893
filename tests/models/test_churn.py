"""The churn classifier on data with a known risk: ranking, calibration, reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvm._exceptions import DataError, NotFittedError
from cvm.models import ChurnClassifier, calibration_table, churn_metrics


def _data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Risk rises with days_since_last only; the other two features are noise."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "days_since_last": rng.uniform(0, 400, n),
            "noise": rng.normal(size=n),
            "orders": rng.poisson(3, n).astype(float),
        }
    )
    risk = 1 / (1 + np.exp(-(X["days_since_last"].to_numpy() - 200) / 40))
    return X, rng.random(n) < risk, risk


def test_ranks_and_calibrates_a_known_risk() -> None:
    X, y, _ = _data(10_000, 10)
    model = ChurnClassifier(max_iter=60).fit(X, y)
    X_new, y_new, true_risk = _data(10_000, 11)
    p = model.predict_proba(X_new)
    best = churn_metrics(y_new, true_risk)
    got = churn_metrics(y_new, p)
    assert got["roc_auc"] > best["roc_auc"] - 0.01
    assert got["calibration_error"] < 0.03  # stated tolerance: 3 points per risk decile
    assert model.importances_.index[0] == "days_since_last"


def test_reasons_name_the_feature_that_raises_risk() -> None:
    X, y, _ = _data(3_000, 2)
    model = ChurnClassifier(max_iter=30).fit(X, y)
    probe = pd.DataFrame({"days_since_last": [380.0, 20.0], "noise": [0.0, 0.0], "orders": 3.0})
    explained = model.explain(probe)
    assert explained.loc[0, "reason_1"] == "days_since_last"
    assert explained.loc[0, "contribution_1"] > 0.3
    assert explained.loc[0, "churn_risk"] > 0.8 and explained.loc[1, "churn_risk"] < 0.2
    assert explained.loc[1, "reason_1"] != "days_since_last"  # it lowers this one's risk


def test_metrics_on_a_known_ranking() -> None:
    y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1] * 10, dtype=bool)
    risk = np.where(y, 0.9, 0.1)
    m = churn_metrics(y, risk)
    assert m["roc_auc"] == pytest.approx(1.0)
    assert m["lift_top_decile"] == pytest.approx(1 / 0.2)  # top 10% all churn, base rate 20%
    assert m["brier"] == pytest.approx(0.01)
    table = calibration_table(y, risk, bins=5)
    assert table["customers"].sum() == 100


def test_errors() -> None:
    with pytest.raises(NotFittedError):
        ChurnClassifier().predict_proba(pd.DataFrame({"a": [1.0]}))
    with pytest.raises(DataError, match="all the same"):
        ChurnClassifier().fit(pd.DataFrame({"a": [1.0, 2.0]}), [True, True])
    X, y, _ = _data(500, 3)
    model = ChurnClassifier(max_iter=10).fit(X, y)
    with pytest.raises(DataError, match="missing: orders"):
        model.predict_proba(X.drop(columns="orders"))
