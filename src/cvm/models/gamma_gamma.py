"""Gamma-Gamma model of spend per transaction.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "RFM and CLV: Using Iso-Value Curves for
Customer Base Analysis", Journal of Marketing Research 42(4), 415-430; and Fader and Hardie
(2013), "The Gamma-Gamma Model of Monetary Value" (note).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.special import digamma, gammaln

from cvm._exceptions import DataError
from cvm.models._math import Data, covariate_matrix, dot
from cvm.models._validation import (
    as_array,
    check_counts,
    check_same_length,
    check_weights,
    like_input,
    require,
    series_index,
)
from cvm.models.base import BaseModel

__all__ = ["GammaGammaModel"]

# |Pearson correlation| between frequency and mean spend above which the model's
# independence assumption is doubtful.
CORRELATION_WARNING = 0.3
_MIN_BUYERS = 10


class GammaGammaModel(BaseModel):
    """Gamma-Gamma model of the mean spend per repeat transaction.

    Each transaction value is ``Gamma(p, rate nu)``; across customers ``nu ~ Gamma(q, rate
    gamma)``. The model assumes spend is independent of purchase frequency: ``fit`` warns when
    their correlation among repeat buyers exceeds 0.3 in absolute value (stored in
    ``correlation_``).

    It is fitted on repeat buyers only. Rows with ``frequency == 0`` or a non-positive mean spend
    are refused with a ``DataError`` naming them (filter with ``frequency > 0`` first): dropping
    them silently would hide refunds-only or mis-joined customers.

    With ``covariates``, ``gamma_i = gamma * exp(X_i g)``: a positive ``gamma:<name>`` coefficient
    means higher spend (the mean spend is ``p gamma / (q - 1)``).

    Options (``penalizer``, ``max_iter``, ``max_seconds``) as in :class:`BaseModel`.

    References
    ----------
    Fader, Hardie and Lee (2005), JMR 42(4), eq. 2-5; Fader and Hardie (2013), note, eq. 4.

    Examples
    --------
    >>> import numpy as np
    >>> from cvm.datasets import simulate_gamma_gamma_spend
    >>> frequency = np.arange(1, 11).repeat(10)
    >>> spend = simulate_gamma_gamma_spend(frequency, p=6.0, q=4.0, gamma=15.0, seed=1)
    >>> model = GammaGammaModel().fit(frequency, spend["monetary_value"])
    >>> model.params_.round(2).to_dict()
    {'p': 7.79, 'q': 4.44, 'gamma': 13.45}

    A mean of $50 over one purchase is shrunk towards the population mean more than over ten:

    >>> round(model.expected_average_spend(), 2)
    30.44
    >>> model.conditional_expected_average_profit([1, 10], [50.0, 50.0]).round(2)
    array([44.01, 49.17])
    """

    _param_names = ("p", "q", "gamma")
    _advice = (
        "Try: a small penalizer (e.g. penalizer=0.001), more repeat buyers, and check the"
        " inputs (mean spend per repeat purchase, positive, in one currency, without outliers"
        " from test or bulk orders)."
    )
    _analytic_gradient = True

    def fit(
        self,
        frequency: Any,
        monetary_value: Any,
        *,
        weights: Any = None,
        covariates: Any = None,
    ) -> GammaGammaModel:
        """Fit on repeat buyers' frequency and mean spend per repeat transaction.

        Parameters
        ----------
        frequency : array-like
            Number of repeat transactions (> 0).
        monetary_value : array-like
            Mean value of those transactions (> 0).
        weights : array-like, optional
            Number of customers each row stands for.
        covariates : DataFrame or 2-d array, optional
            Static customer attributes scaling ``gamma``.
        """
        x = as_array(frequency, "frequency")
        m = as_array(monetary_value, "monetary_value")
        n = check_same_length(frequency=x, monetary_value=m)
        labels = series_index(frequency, monetary_value)
        check_counts(x, labels=labels)
        require(
            x == 0,
            "Gamma-Gamma is fitted on repeat buyers only; frequency is 0 (filter frequency > 0)",
            labels,
        )
        require(m <= 0, "monetary_value must be > 0 for repeat buyers", labels)
        w = check_weights(weights, n)
        if w.sum() < _MIN_BUYERS:
            raise DataError(
                f"Gamma-Gamma needs at least {_MIN_BUYERS} repeat buyers, got {w.sum():g}"
            )
        self.correlation_ = _weighted_correlation(x, m, w)
        if abs(self.correlation_) > CORRELATION_WARNING:
            warnings.warn(
                f"frequency and mean spend are correlated (Pearson r = {self.correlation_:.2f}) "
                "among repeat buyers: the Gamma-Gamma independence assumption is doubtful",
                UserWarning,
                stacklevel=2,
            )
        self._covariate_names: list[str] = []
        data: dict[str, np.ndarray] = {"x": x, "m": m}
        if covariates is not None:
            data["X"], self._covariate_names = covariate_matrix(covariates, n)
        self._cache = None
        self._fit(data, w)
        self._cache = None
        return self

    def _names(self) -> list[str]:
        extra = getattr(self, "_covariate_names", [])
        return [*self._param_names, *(f"gamma:{c}" for c in extra)]

    def _positive(self) -> np.ndarray:
        k = len(getattr(self, "_covariate_names", []))
        return np.array([True] * 3 + [False] * k)

    def _initial_params(self, data: Data, weights: np.ndarray) -> np.ndarray:
        # method of moments on the mean spend: E[m] = p gamma / (q - 1) with q = 3, p = 1
        mean = dot(weights, data["m"]) / float(weights.sum())
        k = len(self._names()) - 3
        return np.concatenate([[1.0, 3.0, 2.0 * mean], np.zeros(k)])

    def _gamma_i(self, params: np.ndarray, X: np.ndarray | None) -> Any:
        if X is None or X.shape[1] == 0:
            return params[2]
        return params[2] * np.exp(X @ params[3:])

    def _row_log_likelihood(self, params: np.ndarray, data: Data) -> np.ndarray:
        p, q = params[0], params[1]
        x, m = data["x"], data["m"]
        g = self._gamma_i(params, data.get("X"))
        px = p * x
        return np.asarray(
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(g)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(g + x * m)
        )

    def _log_likelihood_and_gradient(
        self, params: np.ndarray, data: Data, weights: np.ndarray, gradient: bool
    ) -> tuple[float, np.ndarray | None]:
        if "X" in data:
            return self._covariate_objective(params, data, weights)
        return self._prepared(_Prepared, data, weights).evaluate(params)

    def _covariate_objective(
        self, params: np.ndarray, data: Data, weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        p, q = params[0], params[1]
        x, m, X = data["x"], data["m"], data["X"]
        g = self._gamma_i(params, X)
        ll = self._row_log_likelihood(params, data)
        px = p * x
        log_gxm = np.log(g + x * m)
        dp = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - log_gxm)
        dq = digamma(px + q) - digamma(q) + np.log(g) - log_gxm
        dg = q / g - (px + q) / (g + x * m)  # derivative in gamma_i
        wdg = weights * dg * g
        grad = np.concatenate(
            [[dot(weights, dp), dot(weights, dq), wdg.sum() / params[2]], wdg @ X]
        )
        return dot(weights, ll), grad

    # ------------------------------------------------------------------ predictions
    def conditional_expected_average_profit(
        self, frequency: Any, monetary_value: Any, *, covariates: Any = None
    ) -> np.ndarray:
        """E[spend per transaction | x, mean spend] (FHL 2005, eq. 5).

        A weighted mean of the population mean ``p gamma / (q - 1)`` and the customer's own
        mean; customers without repeat purchases get the population mean.
        """
        x = as_array(frequency, "frequency")
        m = as_array(monetary_value, "monetary_value")
        check_same_length(frequency=x, monetary_value=m)
        labels = series_index(frequency, monetary_value)
        check_counts(x, labels=labels)
        require((x > 0) & (m <= 0), "monetary_value must be > 0 for repeat buyers", labels)
        self.check_fitted()
        X = None
        if getattr(self, "_covariate_names", None):
            if covariates is None:
                raise DataError("this model was fitted with covariates: pass covariates=")
            X, _ = covariate_matrix(covariates, x.shape[0], list(self._covariate_names))
        params = self.params_.to_numpy()
        spend = _conditional_spend(params[0], params[1], self._gamma_i(params, X), x, m)
        return like_input(spend, frequency, monetary_value)

    def expected_spend(self, params: Mapping[str, Any], frequency: Any, monetary_value: Any) -> Any:
        """E[spend per transaction | x, mean spend] at ``params`` (floats or arrays that
        broadcast, e.g. draws from :meth:`sample_params`), without covariates."""
        return _conditional_spend(
            params["p"], params["q"], params["gamma"], frequency, monetary_value
        )

    def expected_average_spend(self) -> float:
        """Population mean spend per transaction, ``p gamma / (q - 1)`` (needs q > 1)."""
        prm = self._p()
        if prm["q"] <= 1:
            raise DataError("the mean spend is infinite when q <= 1")
        return prm["p"] * prm["gamma"] / (prm["q"] - 1)


def _conditional_spend(p: Any, q: Any, gamma: Any, x: Any, m: Any) -> Any:
    """p (gamma + x m) / (p x + q - 1), with x m = 0 for customers without repeat purchases."""
    xm = np.where(x > 0, x * m, 0.0)
    return p * (gamma + xm) / (p * x + q - 1)


def _weighted_correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    total = w.sum()
    mx, my = dot(w, x) / total, dot(w, y) / total
    dx, dy = x - mx, y - my
    cov = dot(w, dx * dy)
    denom = np.sqrt(dot(w, dx * dx) * dot(w, dy * dy))
    return float(cov / denom) if denom > 0 else 0.0


class _Prepared:
    """Pieces of the Gamma-Gamma likelihood that do not change during a fit.

    Terms in the frequency alone are evaluated on its distinct values; sums of logs of the data
    are taken once. Each evaluation then needs one logarithm and one division per row.
    """

    def __init__(self, data: Data, weights: np.ndarray) -> None:
        x, m = data["x"], data["m"]
        self.xu, inv = np.unique(x, return_inverse=True)
        self.wu = np.bincount(inv, weights=weights, minlength=self.xu.size)
        self.total = float(weights.sum())
        wx = weights * x
        self.s_p = dot(wx, np.log(m)) + dot(wx, np.log(x))  # coefficient of p
        self.s_m = dot(weights, np.log(m))
        self.x, self.m, self.w, self.wx = x, m, weights, wx

    def evaluate(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, g = (float(v) for v in params[:3])
        xu, wu, total = self.xu, self.wu, self.total
        pxu = p * xu
        log_g = np.log(g)
        denom = g + self.x * self.m
        log_d = np.log(denom)
        inv_d = 1.0 / denom
        s_wxl, s_wl = dot(self.wx, log_d), dot(self.w, log_d)
        ll = (
            dot(wu, gammaln(pxu + q) - gammaln(pxu))
            - total * gammaln(q)
            + q * total * log_g
            + p * self.s_p
            - self.s_m
            - p * s_wxl
            - q * s_wl
        )
        grad = np.array(
            [
                dot(wu * xu, digamma(pxu + q) - digamma(pxu)) + self.s_p - s_wxl,
                dot(wu, digamma(pxu + q)) - total * digamma(q) + total * log_g - s_wl,
                q * total / g - p * dot(self.wx, inv_d) - q * dot(self.w, inv_d),
            ]
        )
        return float(ll), grad
