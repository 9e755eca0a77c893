"""Churn classifier: gradient-boosted trees with calibrated risk and per-customer reasons.

Why scikit-learn's ``HistGradientBoostingClassifier`` rather than LightGBM: it is the same
histogram algorithm (binned features, leaf-wise growth, native missing values, early
stopping), it is already a dependency, it runs on millions of rows in seconds, and it pickles
with the run without a native library to match at load time.

Risk is calibrated (Platt's sigmoid or isotonic regression on the trees' log-odds,
Niculescu-Mizil & Caruana 2005) on a random part of the training customers held out from the
trees, so a risk of 0.3 means about 30 of 100 such customers churn. (scikit-learn's
``CalibratedClassifierCV`` does the same; the two-line map here keeps the pickled model small
and independent of its API changes.) Reasons are per-customer contributions: how much higher the
risk is, by the model's one-way partial dependence on a feature (Friedman 2001), at the
customer's value than at the training median. The curves are computed once at fit on a small
sample, so explaining a million customers is one model pass plus an interpolation per
feature; interactions are left out of the reasons (not out of the risk).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError, NotFittedError


class ChurnClassifier:
    """Calibrated P(churn) from as-of features, with the top reasons per customer.

    Parameters
    ----------
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to ``HistGradientBoostingClassifier`` (early stopping on 10% of the rows).
    calibration : ``"isotonic"`` or ``"sigmoid"``.
    calibration_fraction : share of the training rows held out to fit the calibration.
    reason_features : how many features (the most important) are tried as reasons.
    random_state : seed of the split and of the trees.
    """

    def __init__(
        self,
        *,
        max_iter: int = 200,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 50,
        l2_regularization: float = 0.0,
        calibration: str = "isotonic",
        calibration_fraction: float = 0.2,
        reason_features: int = 8,
        random_state: int = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.calibration = calibration
        self.calibration_fraction = calibration_fraction
        self.reason_features = reason_features
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any) -> ChurnClassifier:
        """Fit the trees on part of ``X`` and the calibration on the rest; returns self.

        A feature that is missing for every row (events on a workspace without events) or
        takes one value only carries nothing to learn: it is left out, and
        ``dropped_features_`` maps its name to the reason.
        """
        from sklearn.ensemble import HistGradientBoostingClassifier

        if self.calibration not in ("isotonic", "sigmoid"):
            raise DataError(
                f"calibration must be 'isotonic' or 'sigmoid', got {self.calibration!r}"
            )
        X, labels = _check(X), np.asarray(y, dtype=bool)
        if len(labels) != len(X):
            raise DataError(f"{len(X)} feature rows but {len(labels)} labels")
        if labels.all() or not labels.any():
            raise DataError("churn labels are all the same: nothing to learn (widen the data)")
        self.dropped_features_ = uninformative_features(X)
        X = X.drop(columns=list(self.dropped_features_))
        if X.shape[1] == 0:
            raise DataError(
                "every churn feature is missing or constant: nothing to learn from"
                f" ({', '.join(f'{k}: {v}' for k, v in self.dropped_features_.items())})"
            )
        rng = np.random.default_rng([self.random_state, 7919])  # its own stream for the split
        held = rng.random(len(X)) < self.calibration_fraction
        values = X.to_numpy(dtype=np.float32)
        trees = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=True,
            random_state=self.random_state,
        ).fit(values[~held], labels[~held])
        self.trees_ = trees
        self.calibrator_ = _calibrator(self.calibration).fit(self._raw(values[held]), labels[held])
        self.feature_names_ = list(X.columns)
        self.medians_ = np.nan_to_num(np.nanmedian(values, axis=0)).astype(np.float32)
        self.base_rate_ = float(labels.mean())
        self._fit_effects(values[held][: self.effect_rows])
        return self

    effect_rows = 400
    effect_grid = 24

    def _fit_effects(self, sample: np.ndarray) -> None:
        """One-way partial dependence of the calibrated risk on each feature (Friedman 2001).

        For feature j on a grid of its quantiles (and NaN): the mean risk of the sample rows
        with column j set to the grid value. All grid points of all features go through the
        model in one batch; importance is the spread of the effect over the sample.
        """
        n_rows, n_features = sample.shape
        q = np.linspace(0, 1, self.effect_grid)
        grids = [np.unique(np.nanquantile(sample[:, j], q)) if np.isfinite(sample[:, j]).any()
                 else np.zeros(1, dtype=np.float32) for j in range(n_features)]  # fmt: skip
        batches = []
        for j, grid in enumerate(grids):
            points = np.append(grid, np.nan)
            block = np.repeat(sample[None, :, :], len(points), axis=0)
            block[:, :, j] = points[:, None]
            batches.append(block.reshape(-1, n_features))
        risk = self._risk(np.concatenate(batches))
        self.grids_, self.effects_, self.missing_effects_ = [], [], []
        start = 0
        for grid in grids:
            size = (len(grid) + 1) * n_rows
            curve = risk[start : start + size].reshape(len(grid) + 1, n_rows).mean(axis=1)
            start += size
            self.grids_.append(grid.astype(float))
            self.effects_.append(curve[:-1])
            self.missing_effects_.append(float(curve[-1]))
        spread = [self._effect(j, sample[:, j]).std() for j in range(n_features)]
        self.importances_ = pd.Series(spread, index=self.feature_names_).sort_values(
            ascending=False
        )

    def _effect(self, j: int, column: np.ndarray) -> np.ndarray:
        """Partial dependence of risk on feature j at the given values (NaN has its own)."""
        out = np.interp(column, self.grids_[j], self.effects_[j])
        return np.where(np.isnan(column), self.missing_effects_[j], out)

    def _fitted(self) -> None:
        if not hasattr(self, "calibrator_"):
            raise NotFittedError("ChurnClassifier is not fitted: call fit(X, y) first")

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        self._fitted()
        X = _check(X)
        missing = [c for c in self.feature_names_ if c not in X.columns]
        if missing:
            raise DataError(f"churn features missing: {', '.join(missing)}")
        return X[self.feature_names_].to_numpy(dtype=np.float32)

    def _raw(self, values: np.ndarray) -> np.ndarray:
        """The trees' log-odds, the input of the calibration map."""
        return np.asarray(self.trees_.decision_function(values), dtype=float).reshape(-1, 1)

    def _risk(self, values: np.ndarray) -> np.ndarray:
        raw = self._raw(values)
        if self.calibration == "isotonic":
            return np.asarray(self.calibrator_.predict(raw.ravel()), dtype=float)
        return np.asarray(self.calibrator_.predict_proba(raw)[:, 1], dtype=float)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of churn, one per row of ``X``."""
        return self._risk(self._matrix(X))

    def _contributions(self, values: np.ndarray, columns: Any) -> np.ndarray:
        """Partial-dependence risk at each row's value minus at the median (rows x columns)."""
        cols = list(columns)
        out = np.empty((len(values), len(cols)), dtype=np.float32)
        for k, j in enumerate(cols):
            at_median = self._effect(j, self.medians_[j : j + 1].astype(float))[0]
            out[:, k] = self._effect(j, values[:, j].astype(float)) - at_median
        return out

    def explain(self, X: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
        """Risk and the ``top`` features that raise it most for each row.

        Returns a frame aligned with ``X``: ``churn_risk``, then ``reason_1..top`` (feature
        names, None when no feature raises the risk) and ``contribution_1..top`` (risk
        points the feature adds against its median value).
        """
        values = self._matrix(X)
        names = list(self.importances_.index[: self.reason_features])
        cols = [self.feature_names_.index(n) for n in names]
        risk = self._risk(values)
        contrib = self._contributions(values, cols)
        k = min(top, len(cols))
        order = np.argsort(-contrib, axis=1)[:, :k]
        picked = np.take_along_axis(contrib, order, axis=1)
        labels = np.asarray(names, dtype=object)[order]
        labels[picked <= 0.0] = None
        out = {"churn_risk": risk}
        for i in range(k):
            out[f"reason_{i + 1}"] = labels[:, i]
        for i in range(k):
            out[f"contribution_{i + 1}"] = np.where(picked[:, i] > 0, picked[:, i], np.nan)
        return pd.DataFrame(out, index=X.index)


def uninformative_features(X: pd.DataFrame) -> dict[str, str]:
    """Columns with nothing to learn from: name -> ``"all missing"`` or ``"constant"``.

    A column with one value and some missing rows is kept: missing versus present can tell.
    """
    out: dict[str, str] = {}
    for name in X.columns:
        column = X[name]
        present = column.notna()
        if not present.any():
            out[str(name)] = "all missing"
        elif present.all() and column.nunique() <= 1:
            out[str(name)] = "constant"
    return out


def _calibrator(method: str) -> Any:
    """A monotone map from the trees' log-odds to probability: isotonic or Platt's sigmoid."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    if method == "isotonic":
        return _IsotonicOnColumn(IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1))
    return LogisticRegression(C=1e6)


class _IsotonicOnColumn:
    """Isotonic regression fitted on a one-column matrix, as the sigmoid is."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def fit(self, raw: np.ndarray, labels: np.ndarray) -> Any:
        return self.model.fit(raw.ravel(), labels.astype(float))


def _check(X: Any) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise DataError("churn features must be a data frame with named columns")
    if X.empty:
        raise DataError("no rows to fit or score")
    return X


def lift_at(y: np.ndarray, risk: np.ndarray, share: float = 0.1) -> float:
    """Churn rate among the ``share`` riskiest rows over the overall churn rate."""
    n = max(1, round(len(risk) * share))
    top = np.argsort(-risk, kind="stable")[:n]
    return float(y[top].mean() / y.mean())


def calibration_table(y: Any, risk: Any, bins: int = 10) -> pd.DataFrame:
    """Mean predicted risk and observed churn rate in ``bins`` equal-count bins of risk."""
    y, risk = np.asarray(y, dtype=float), np.asarray(risk, dtype=float)
    order = np.argsort(risk, kind="stable")
    groups = np.array_split(order, bins)
    return pd.DataFrame(
        {
            "predicted": [risk[g].mean() for g in groups],
            "observed": [y[g].mean() for g in groups],
            "customers": [len(g) for g in groups],
        },
        index=pd.RangeIndex(1, bins + 1, name="bin"),
    )


def churn_metrics(y: Any, risk: Any) -> dict[str, float]:
    """ROC-AUC, PR-AUC, Brier score, top-decile lift and expected calibration error.

    The calibration error is the customer-weighted mean gap between predicted and observed
    churn over ten equal-count bins of risk.
    """
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    labels, p = np.asarray(y, dtype=bool), np.asarray(risk, dtype=float)
    table = calibration_table(labels, p)
    weights = table["customers"] / table["customers"].sum()
    return {
        "roc_auc": float(roc_auc_score(labels, p)),
        "pr_auc": float(average_precision_score(labels, p)),
        "brier": float(brier_score_loss(labels, p)),
        "lift_top_decile": lift_at(labels.astype(float), p),
        "calibration_error": float(
            (weights * (table["predicted"] - table["observed"]).abs()).sum()
        ),
        "churn_rate": float(labels.mean()),
        "customers": float(len(labels)),
    }
