"""Uplift models on a randomized test with known heterogeneous effects; Qini and friends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvm import models
from cvm._exceptions import DataError, NotFittedError
from cvm.models import ClassTransformationUplift, TwoModelUplift, XLearnerUplift


def _experiment(n: int, seed: int, arms: tuple[str, ...] = ("treatment",)):
    """Randomized test: base response from x1, the effect of each arm from x0 (or -x0)."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["x0", "x1", "x2", "x3"])
    arm = rng.choice(["control", *arms], n, p=[0.3] + [0.7 / len(arms)] * len(arms))
    base = 0.15 + 0.08 * np.tanh(X["x1"].to_numpy())
    effects = {a: 0.12 * np.tanh(2 * X["x0"].to_numpy()) * (1 if k == 0 else -1)
               for k, a in enumerate(arms)}  # fmt: skip
    tau = np.zeros(n)
    for a, e in effects.items():
        tau = np.where(arm == a, e, tau)
    y = (rng.random(n) < base + tau).astype(float)
    return X, arm, y, effects


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One OpenMP thread for the boosting models: on a shared machine, much faster."""
    import sklearn.ensemble  # noqa: F401 - loads OpenMP so that the limit reaches it
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def experiment():
    return _experiment(8000, seed=1), _experiment(4000, seed=2)


def _small(kind: str = "classifier"):
    """A quick gradient-boosting model: the tests check the learners, not the estimator."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = HistGradientBoostingClassifier if kind == "classifier" else HistGradientBoostingRegressor
    return cls(max_iter=40, max_depth=3, learning_rate=0.1, random_state=0)


@pytest.mark.parametrize("learner", [TwoModelUplift, XLearnerUplift, ClassTransformationUplift])
def test_learners_recover_who_responds_because_of_the_treatment(experiment, learner):
    (X, arm, y, _), (Xt, armt, yt, true) = experiment
    extra = {"effect_estimator": _small("regressor")} if learner is XLearnerUplift else {}
    model = learner(_small(), **extra).fit(X, arm, y)
    predicted = model.predict(Xt)
    assert np.corrcoef(predicted, true["treatment"])[0, 1] > 0.6
    qini = models.qini_coefficient(yt, armt, predicted)
    oracle = models.qini_coefficient(yt, armt, true["treatment"])
    rng = np.random.default_rng(0)
    random = [models.qini_coefficient(yt, armt, rng.random(len(yt))) for _ in range(20)]
    assert qini > max(random)
    assert qini > 0.5 * oracle
    assert models.auuc(yt, armt, predicted) > 0
    deciles = models.uplift_by_decile(yt, armt, predicted)
    assert deciles["observed_uplift"].iloc[0] > 0.05 > deciles["observed_uplift"].iloc[-1]


def test_several_treatments_pick_the_best_arm_per_customer():
    X, arm, y, _ = _experiment(10000, 3, ("a", "b"))
    Xt = _experiment(4000, 4)[0]
    model = TwoModelUplift(_small()).fit(X, arm, y)
    assert model.treatments_ == ["a", "b"]
    table = model.predict_all(Xt)
    assert list(table.columns) == ["a", "b", "best_treatment"]
    right = np.where(Xt["x0"] > 0, "a", "b")
    clear = np.abs(Xt["x0"].to_numpy()) > 0.5
    assert (table["best_treatment"].to_numpy()[clear] == right[clear]).mean() > 0.85
    outcomes = model.predict_outcomes(Xt)
    np.testing.assert_allclose(outcomes["a"] - outcomes["control"], table["a"])


def test_qini_curve_by_hand():
    # targeting order: scores 0.9 (T, y=1), 0.8 (C, y=0), 0.7 (T, y=0), 0.1 (C, y=1)
    y = [1, 0, 0, 1]
    arm = ["treatment", "control", "treatment", "control"]
    curve = models.qini_curve(y, arm, [0.9, 0.8, 0.7, 0.1])
    # qini(k) = Yt - Yc * Nt / Nc: k=1: 1 (no controls yet), k=2: 1, k=3: 1 - 0*2 = 1,
    # k=4: 1 - 1 * 2/2 = 0
    np.testing.assert_allclose(curve["qini"], [0, 1, 1, 1, 0])
    np.testing.assert_allclose(curve["random"], [0, 0, 0, 0, 0])
    gains = models.uplift_curve(y, arm, [0.9, 0.8, 0.7, 0.1])["uplift"]
    # k=2: (1/1 - 0/1) * 2 = 2; k=3: (1/2 - 0) * 3 = 1.5; k=4: (1/2 - 1/2) * 4 = 0
    np.testing.assert_allclose(gains, [0, 0, 2, 1.5, 0])


def test_categories_follow_uplift_and_base_response():
    cats = models.uplift_categories([0.2, -0.2, 0.0, 0.0], [0.1, 0.5, 0.8, 0.05], likely=0.5)
    assert list(cats) == ["persuadable", "do_not_disturb", "sure_thing", "lost_cause"]


def test_misuse_is_a_clear_error():
    X = np.zeros((4, 2))
    with pytest.raises(NotFittedError, match="not fitted"):
        TwoModelUplift().predict(X)
    with pytest.raises(DataError, match="no row in the control arm"):
        TwoModelUplift().fit(X, ["a", "a", "b", "b"], [0, 1, 0, 1])
    with pytest.raises(DataError, match="differ in length"):
        TwoModelUplift().fit(X, ["control", "a"], [0, 1])
    with pytest.raises(DataError, match="binary outcome"):
        ClassTransformationUplift().fit(X, ["control", "a", "control", "a"], [0, 2.5, 1, 0])
    with pytest.raises(DataError, match="missing or infinite"):
        TwoModelUplift().fit(X, ["control", "a", "control", "a"], [0, np.nan, 1, 0])
