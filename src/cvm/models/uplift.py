"""Uplift models: who buys because of the treatment, on scikit-learn estimators.

Fitted on a randomized test (features ``X``, the arm each customer was in, the outcome ``y``),
an uplift model predicts for new customers the effect of each treatment against the control,
``tau(x) = E[y | x, treatment] - E[y | x, control]``. Several treatments are supported: each is
modelled against the control. Evaluation (Qini and uplift curves on held-out data) is in
:mod:`cvm.models.uplift_evaluation`.

References
----------
Künzel, S. R., Sekhon, J. S., Bickel, P. J. & Yu, B. (2019). Metalearners for estimating
heterogeneous treatment effects using machine learning. PNAS 116(10), 4156-4165 (T- and
X-learner).
Jaskowski, M. & Jaroszewicz, S. (2012). Uplift modeling for clinical trial data. ICML Workshop
on Clinical Data Analysis (class-variable transformation).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier

from cvm._exceptions import DataError, NotFittedError

__all__ = ["ClassTransformationUplift", "TwoModelUplift", "XLearnerUplift"]


def _default_classifier(random_state: Any) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.08, min_samples_leaf=40, random_state=random_state
    )


def _default_regressor(random_state: Any) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(
        max_iter=150, learning_rate=0.08, min_samples_leaf=40, random_state=random_state
    )


def _check_inputs(
    X: Any, treatment: Any, y: Any, control: str
) -> tuple[Any, np.ndarray, np.ndarray]:
    arms = np.asarray(treatment).astype(str)
    target = np.asarray(y, dtype=float)
    n = arms.shape[0]
    if n == 0:
        raise DataError("uplift: no rows to fit")
    if len(X) != n or target.shape[0] != n:
        raise DataError(
            f"uplift: X ({len(X)}), treatment ({n}) and y ({target.shape[0]}) differ in length"
        )
    if not np.isfinite(target).all():
        raise DataError("uplift: y has missing or infinite values")
    if control not in set(arms):
        raise DataError(f"uplift: no row in the control arm {control!r}")
    if len(set(arms)) < 2:
        raise DataError("uplift: no treated rows; a randomized test needs both arms")
    return X, arms, target


def _predict_outcome(model: Any, X: Any) -> np.ndarray:
    """P(y = 1) for a classifier, the prediction for a regressor."""
    if is_classifier(model):
        return np.asarray(model.predict_proba(X))[:, 1]
    return np.asarray(model.predict(X), dtype=float)


class _Uplift:
    """Shared contract: ``fit(X, treatment, y)``, ``predict``, ``predict_all``, outcomes."""

    outcome_models_: dict[str, Any]

    def __init__(self, *, control: str = "control", random_state: Any = None) -> None:
        self.control = control
        self.random_state = random_state

    def _check_fitted(self) -> None:
        if not hasattr(self, "treatments_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(X, treatment, y)")

    def _start(self, X: Any, treatment: Any, y: Any) -> tuple[Any, np.ndarray, np.ndarray]:
        X, arms, target = _check_inputs(X, treatment, y, self.control)
        self.treatments_ = sorted(a for a in set(arms) if a != self.control)
        self.binary_ = bool(np.isin(target, (0.0, 1.0)).all())
        self.n_obs_ = {a: int((arms == a).sum()) for a in [self.control, *self.treatments_]}
        return X, arms, target

    def _outcome_model(self) -> Any:
        chosen = getattr(self, "estimator", None)
        if chosen is not None:
            return clone(chosen)
        return (
            _default_classifier(self.random_state)
            if self.binary_
            else _default_regressor(self.random_state)
        )

    def _uplift_for(self, X: Any, treatment: str) -> np.ndarray:
        raise NotImplementedError

    def predict(self, X: Any, treatment: str | None = None) -> np.ndarray:
        """Predicted uplift of ``treatment`` (default: the first) over the control, per row."""
        self._check_fitted()
        name = treatment or self.treatments_[0]
        if name not in self.treatments_:
            raise DataError(f"unknown treatment {name!r}; fitted: {', '.join(self.treatments_)}")
        return self._uplift_for(X, name)

    def predict_all(self, X: Any) -> pd.DataFrame:
        """Uplift of every treatment (columns) and the best one per row."""
        self._check_fitted()
        frame = pd.DataFrame({t: self._uplift_for(X, t) for t in self.treatments_})
        frame["best_treatment"] = frame[self.treatments_].idxmax(axis=1)
        return frame

    def predict_outcomes(self, X: Any) -> pd.DataFrame:
        """Expected outcome (probability for a binary y) under the control and each treatment."""
        self._check_fitted()
        base = _predict_outcome(self.outcome_models_[self.control], X)
        out = {self.control: base}
        for t in self.treatments_:
            out[t] = base + self._uplift_for(X, t)
        return pd.DataFrame(out)


class TwoModelUplift(_Uplift):
    """T-learner: one outcome model per arm; uplift is the difference of their predictions.

    Parameters
    ----------
    estimator : a scikit-learn classifier (binary outcome) or regressor, cloned per arm;
        default a histogram gradient-boosting model.
    control : the control arm's label.
    random_state : seed of the default estimators.

    Examples
    --------
    A test in which only customers with a positive ``x`` respond to the offer (+20 points):

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 1))
    >>> arm = np.where(rng.random(2000) < 0.5, "offer", "control")
    >>> y = rng.random(2000) < 0.2 + 0.2 * ((arm == "offer") & (X[:, 0] > 0))
    >>> model = TwoModelUplift(LogisticRegression()).fit(X, arm, y.astype(int))
    >>> model.predict(np.array([[-2.0], [2.0]])).round(2)
    array([-0.07,  0.27])
    """

    def __init__(
        self, estimator: Any = None, *, control: str = "control", random_state: Any = None
    ) -> None:
        super().__init__(control=control, random_state=random_state)
        self.estimator = estimator

    def fit(self, X: Any, treatment: Any, y: Any) -> TwoModelUplift:
        X, arms, target = self._start(X, treatment, y)
        self.outcome_models_ = {}
        for arm in [self.control, *self.treatments_]:
            mask = arms == arm
            self.outcome_models_[arm] = self._outcome_model().fit(_rows(X, mask), target[mask])
        return self

    def _uplift_for(self, X: Any, treatment: str) -> np.ndarray:
        treated = _predict_outcome(self.outcome_models_[treatment], X)
        return treated - _predict_outcome(self.outcome_models_[self.control], X)


class ClassTransformationUplift(_Uplift):
    """Class-variable transformation for a binary outcome, weighted for unequal arms.

    ``z = 1`` for a treated buyer or a control non-buyer; with both arms weighted to equal
    size, ``uplift = 2 P(z = 1 | x) - 1`` (Jaskowski & Jaroszewicz 2012). One classifier per
    treatment (on that treatment and the control); a control outcome model gives the base
    rate for :meth:`predict_outcomes`.
    """

    def __init__(
        self, estimator: Any = None, *, control: str = "control", random_state: Any = None
    ) -> None:
        super().__init__(control=control, random_state=random_state)
        self.estimator = estimator

    def fit(self, X: Any, treatment: Any, y: Any) -> ClassTransformationUplift:
        X, arms, target = self._start(X, treatment, y)
        if not self.binary_:
            raise DataError("class transformation needs a binary outcome (0/1); use TwoModelUplift")
        self.transformed_models_ = {}
        for t in self.treatments_:
            mask = (arms == t) | (arms == self.control)
            w = (arms[mask] == t).astype(float)
            z = (target[mask] == w).astype(int)
            share = w.mean()
            weight = np.where(w == 1, 0.5 / share, 0.5 / (1 - share))
            model = self._outcome_model()
            self.transformed_models_[t] = model.fit(_rows(X, mask), z, sample_weight=weight)
        control = arms == self.control
        self.outcome_models_ = {
            self.control: self._outcome_model().fit(_rows(X, control), target[control])
        }
        return self

    def _uplift_for(self, X: Any, treatment: str) -> np.ndarray:
        return 2 * _predict_outcome(self.transformed_models_[treatment], X) - 1


class XLearnerUplift(_Uplift):
    """X-learner (Künzel et al. 2019): imputed individual effects, regressed and blended.

    Outcome models per arm impute each treated customer's effect ``y - mu_0(x)`` and each
    control's ``mu_t(x) - y``; two effect regressors learn them and are blended with the
    treatment share ``g``: ``tau = g tau_0 + (1 - g) tau_1``. In a randomized test the
    propensity is the known, constant share of each arm.
    """

    def __init__(
        self,
        estimator: Any = None,
        effect_estimator: Any = None,
        *,
        control: str = "control",
        random_state: Any = None,
    ) -> None:
        super().__init__(control=control, random_state=random_state)
        self.estimator = estimator
        self.effect_estimator = effect_estimator

    def _effect_model(self) -> Any:
        if self.effect_estimator is not None:
            return clone(self.effect_estimator)
        return _default_regressor(self.random_state)

    def fit(self, X: Any, treatment: Any, y: Any) -> XLearnerUplift:
        X, arms, target = self._start(X, treatment, y)
        control = arms == self.control
        X0, y0 = _rows(X, control), target[control]
        self.outcome_models_ = {self.control: self._outcome_model().fit(X0, y0)}
        self.effect_models_: dict[str, tuple[Any, Any]] = {}
        self.propensity_: dict[str, float] = {}
        for t in self.treatments_:
            treated = arms == t
            X1, y1 = _rows(X, treated), target[treated]
            mu1 = self._outcome_model().fit(X1, y1)
            self.outcome_models_[t] = mu1
            d1 = y1 - _predict_outcome(self.outcome_models_[self.control], X1)
            d0 = _predict_outcome(mu1, X0) - y0
            self.effect_models_[t] = (
                self._effect_model().fit(X0, d0),
                self._effect_model().fit(X1, d1),
            )
            self.propensity_[t] = treated.sum() / (treated.sum() + control.sum())
        return self

    def _uplift_for(self, X: Any, treatment: str) -> np.ndarray:
        tau0, tau1 = self.effect_models_[treatment]
        g = self.propensity_[treatment]
        return g * tau0.predict(X) + (1 - g) * tau1.predict(X)


def _rows(X: Any, mask: np.ndarray) -> Any:
    return X.loc[mask] if isinstance(X, pd.DataFrame) else np.asarray(X)[mask]
