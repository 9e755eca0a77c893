"""BG/NBD: the beta-geometric / negative-binomial model of repeat purchasing.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "'Counting Your Customers' the Easy Way:
An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
Covariates follow Fader, P. S. and Hardie, B. G. S. (2007), "Incorporating Time-Invariant
Covariates into the Pareto/NBD and BG/NBD Models".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from cvm._exceptions import DataError
from cvm.models._compress import FrequencySplit, unique_rows
from cvm.models._math import Data, covariate_matrix, dot, future_time, horizon
from cvm.models._validation import check_rfm, check_weights, like_input, observed
from cvm.models.transaction import Params, TransactionModel, nbinom_logpmf, nbinom_tail, whole

__all__ = ["BetaGeoModel"]


class BetaGeoModel(TransactionModel):
    """BG/NBD model of repeat purchases in continuous time.

    While alive, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; after each repeat
    purchase she drops out with probability ``p ~ Beta(a, b)``. Fitted on the summary
    (frequency = repeat purchases, recency = age at the last one, T = age at the end), in any
    time unit; ``alpha`` carries that unit.

    With ``covariates`` (a customer-by-attribute matrix), ``alpha_i = alpha * exp(-X_i g_alpha)``
    and ``a_i = a * exp(X_i g_a)`` (Fader and Hardie 2007): a positive ``alpha:<name>`` coefficient
    means more purchases, a positive ``a:<name>`` one earlier drop-out.

    Options (``penalizer``, ``max_iter``, ``max_seconds``) as in :class:`BaseModel`.

    References
    ----------
    Fader, Hardie and Lee (2005), Marketing Science 24(2), eq. 6 (likelihood), eq. 10
    (conditional expectation), eq. 8 (P(X(t) = x)) and the P(alive) expression in its appendix.

    Examples
    --------
    >>> from cvm.datasets import simulate_bgnbd_summary
    >>> d = simulate_bgnbd_summary(400, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, seed=1)
    >>> model = BetaGeoModel().fit(d["frequency"], d["recency"], d["T"])
    >>> model.params_.round(2).to_dict()
    {'r': 0.22, 'alpha': 3.29, 'a': 0.56, 'b': 1.72}

    Two customers seen for 39 weeks: one with no repeat purchase, one with five, the last in
    week 38. Their expected purchases in the next 10 weeks:

    >>> ahead = model.conditional_expected_number_of_purchases_up_to_time
    >>> ahead(10, [0, 5], [0, 38], [39, 39]).round(2)
    array([0.05, 1.05])
    """

    _param_names = ("r", "alpha", "a", "b")
    _analytic_gradient = True

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        *,
        weights: Any = None,
        covariates: Any = None,
    ) -> BetaGeoModel:
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, age at the last purchase and age at the end of observation.
        weights : array-like, optional
            Number of customers each row stands for (default 1 each).
        covariates : DataFrame or 2-d array, optional
            Static customer attributes, one row per customer (centre or scale them first).
        """
        x, t_x, t = check_rfm(frequency, recency, T)
        w = check_weights(weights, x.shape[0])
        cov = None
        if covariates is not None:
            cov, names = covariate_matrix(covariates, x.shape[0])
        seen = t > 0
        x, t_x, t, w = observed(x, t_x, t, w, "BG/NBD")
        if not (x > 0).any():
            raise DataError("no customer has a repeat purchase: BG/NBD cannot be fitted")
        self._covariate_names: list[str] = []
        self._remember_range(x, t)
        data: dict[str, np.ndarray] = {"x": x, "t_x": t_x, "T": t}
        if cov is not None:
            self._covariate_names = names
            data["X"] = cov[seen]
        else:
            data, w = unique_rows(data, w)
        self._cache = None
        self._fit(data, w)
        self._cache = None
        return self

    def _names(self) -> list[str]:
        extra = getattr(self, "_covariate_names", [])
        return [*self._param_names, *(f"alpha:{c}" for c in extra), *(f"a:{c}" for c in extra)]

    def _positive(self) -> np.ndarray:
        k = len(getattr(self, "_covariate_names", []))
        return np.array([True] * 4 + [False] * (2 * k))

    def _initial_params(self, data: Data, weights: np.ndarray) -> np.ndarray:
        x, T = data["x"], data["T"]
        rate = float(weights @ x) / float(weights @ T)
        k = len(self._names()) - 4
        return np.concatenate([[1.0, 1.0 / max(rate, 1e-12), 1.0, 2.0], np.zeros(k)])

    # ------------------------------------------------------------------ likelihood
    def _row_log_likelihood(self, params: np.ndarray, data: Data) -> np.ndarray:
        r, b = params[0], params[3]
        alpha_i, a_i = self._individual(params, data.get("X"))
        ll, _ = _row_terms(r, alpha_i, a_i, b, data["x"], data["t_x"], data["T"], gradient=False)
        return ll

    def _individual(self, params: np.ndarray, X: np.ndarray | None) -> tuple[Any, Any]:
        """Per-customer alpha and a (scalars without covariates)."""
        alpha, a = params[1], params[2]
        if X is None or X.shape[1] == 0:
            return alpha, a
        k = X.shape[1]
        g_alpha, g_a = params[4 : 4 + k], params[4 + k : 4 + 2 * k]
        return alpha * np.exp(-(X @ g_alpha)), a * np.exp(X @ g_a)

    def _log_likelihood_and_gradient(
        self, params: np.ndarray, data: Data, weights: np.ndarray, gradient: bool
    ) -> tuple[float, np.ndarray | None]:
        if "X" in data:
            return self._covariate_objective(params, data, weights)
        return self._prepared(_Prepared, data, weights).evaluate(params)

    def _covariate_objective(
        self, params: np.ndarray, data: Data, weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params[:4]
        X = data["X"]
        alpha_i, a_i = self._individual(params, X)
        ll, (dr, dal, da, db) = _row_terms(
            r, alpha_i, a_i, b, data["x"], data["t_x"], data["T"], gradient=True
        )
        wal = weights * dal * alpha_i
        wa = weights * da * a_i
        grad = np.concatenate(
            [
                [weights @ dr, wal.sum() / alpha, wa.sum() / a, weights @ db],
                -(wal @ X),
                wa @ X,
            ]
        )
        return float(weights @ ll), grad

    # ------------------------------------------------------------------ predictions
    def _arrays(self, frequency: Any, recency: Any, T: Any, covariates: Any) -> tuple[Any, ...]:
        x, t_x, t = check_rfm(frequency, recency, T)
        p = self._p()
        X = None
        if getattr(self, "_covariate_names", None):
            if covariates is None:
                raise DataError("this model was fitted with covariates: pass covariates=")
            X, _ = covariate_matrix(covariates, x.shape[0], list(self._covariate_names))
        alpha_i, a_i = self._individual(self.params_.to_numpy(), X)
        return x, t_x, t, p["r"], alpha_i, a_i, p["b"]

    def conditional_probability_alive(
        self, frequency: Any, recency: Any, T: Any, *, future: Any = 0, covariates: Any = None
    ) -> np.ndarray:
        """P(alive at T + future | x, t_x, T); at T, 1 for customers without repeat purchases.

        Staying alive through the next ``future`` time units means surviving every dropout
        chance of the purchases made meanwhile: E[exp(-lambda p future)] over the posterior of
        the alive (lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x)), which is
        2F1(r+x, a; a+b+x; -future/(alpha+T)) by Euler's integral.
        """
        x, t_x, t, r, alpha, a, b = self._arrays(frequency, recency, T, covariates)
        alive = _p_alive(r, alpha, a, b, x, t_x, t)
        ahead = future_time(future)
        if np.any(ahead):
            alive = alive * hyp2f1(r + x, a, a + b + x, -ahead / (alpha + t))
        return like_input(alive, frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: Any, frequency: Any, recency: Any, T: Any, *, covariates: Any = None
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (FHL eq. 10)."""
        x, t_x, T_, r, alpha, a, b = self._arrays(frequency, recency, T, covariates)
        expected = _conditional_expected(horizon(t), r, alpha, a, b, x, t_x, T_)
        return like_input(expected, frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer by time ``t`` (FHL eq. 9)."""
        p = self._p()  # before the covariates, which only a fit sets
        if getattr(self, "_covariate_names", None):
            raise DataError("with covariates, use the conditional expectation per customer")
        ahead = horizon(t)
        zero = np.zeros_like(ahead)
        return _unconditional_part(ahead, p["r"], p["alpha"], p["a"], p["b"], zero, zero)

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> np.ndarray:
        """P(X(t) = n) for a new customer (FHL eq. 8), vectorised over ``t`` and ``n``.

        Alive throughout (survived n dropout chances) with n Poisson purchases, or dropped out
        right after the n-th purchase having made at least n.
        """
        p = self._p()
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        ahead = horizon(t)
        count = whole(n)
        first = np.exp(betaln(a, b + count) - betaln(a, b) + nbinom_logpmf(count, r, ahead, alpha))
        tail = nbinom_tail(count, r, ahead, alpha)
        second = np.where(
            count > 0,
            np.exp(betaln(a + 1, b + np.maximum(count, 1) - 1) - betaln(a, b)) * tail,
            0.0,
        )
        return np.asarray(first + second)

    def lifetime_part(self, params: Params, t: Any, x: Any, T: Any) -> Any:
        """The factor of E[Y(t)] that does not depend on recency (see ``alive_part``)."""
        return _unconditional_part(t, params["r"], params["alpha"], params["a"], params["b"], x, T)

    def alive_part(self, params: Params, x: Any, t_x: Any, T: Any) -> Any:
        """P(alive at T | x, t_x, T) at ``params``; not defined for a fit with covariates."""
        if getattr(self, "_covariate_names", None):
            raise DataError("lifetime value with covariates is not supported yet")
        return _p_alive(params["r"], params["alpha"], params["a"], params["b"], x, t_x, T)


def _row_terms(
    r: float, alpha: Any, a: Any, b: float, x: Any, t_x: Any, T: Any, *, gradient: bool
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Per-row log-likelihood (FHL eq. 6) and its derivatives in (r, alpha_i, a_i, b)."""
    rep = x > 0
    bx1 = np.where(rep, b + x - 1, 1.0)
    log_t = np.log(alpha + T)
    log_tx = np.log(alpha + t_x)
    a3 = -(r + x) * log_t
    a4 = np.where(rep, np.log(a) - np.log(bx1) - (r + x) * log_tx, -np.inf)
    mix = np.logaddexp(a3, a4)
    ll = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + gammaln(a + b)
        + gammaln(b + x)
        - gammaln(b)
        - gammaln(a + b + x)
        + mix
    )
    if not gradient:
        return ll, ()
    w4 = np.exp(a4 - mix)
    dr = digamma(r + x) - digamma(r) + np.log(alpha) - ((1 - w4) * log_t + w4 * log_tx)
    dalpha = r / alpha - (r + x) * ((1 - w4) / (alpha + T) + w4 / (alpha + t_x))
    da = digamma(a + b) - digamma(a + b + x) + w4 / a
    db = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - w4 / bx1
    return ll, (dr, dalpha, da, db)


class _Prepared(FrequencySplit):
    """Constant pieces of the BG/NBD likelihood for one data set, computed once per fit.

    Terms that depend on the frequency alone are summed over its distinct values; customers
    without repeat purchases need a single logarithm each.
    """

    def __init__(self, data: Data, weights: np.ndarray) -> None:
        super().__init__(data, weights)
        self.rep_u = self.xu > 0

    def evaluate(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = (float(v) for v in params[:4])
        xu, wu = self.xu, self.wu
        # terms in x only, on the distinct frequencies
        k = gammaln(r + xu) - gammaln(r) + gammaln(a + b) + gammaln(b + xu) - gammaln(b)
        k -= gammaln(a + b + xu)
        ll = dot(wu, k) + r * np.log(alpha) * self.total
        g = np.empty(4)
        g[0] = dot(wu, (digamma(r + xu) - digamma(r))) + np.log(alpha) * self.total
        g[1] = r * self.total / alpha
        g[2] = dot(wu, (digamma(a + b) - digamma(a + b + xu)))
        g[3] = dot(wu, (digamma(a + b) + digamma(b + xu) - digamma(b) - digamma(a + b + xu)))
        # customers without repeat purchases: -r log(alpha + T)
        log_t0 = np.log(alpha + self.T0)
        ll -= r * dot(self.w0, log_t0)
        g[0] -= dot(self.w0, log_t0)
        g[1] -= r * dot(self.w0, (1.0 / (alpha + self.T0)))
        # repeat buyers
        if self.x.size:
            bx1_u = np.where(self.rep_u, b + xu - 1, 1.0)
            c = (np.log(a) - np.log(bx1_u))[self.inv]
            rx = r + self.x
            log_t = np.log(alpha + self.T)
            log_tx = np.log(alpha + self.t_x)
            a3 = -rx * log_t
            a4 = c - rx * log_tx
            mix = np.logaddexp(a3, a4)
            w4 = np.exp(a4 - mix)
            ww4 = self.w * w4
            ll += dot(self.w, mix)
            g[0] -= dot(self.w, log_t) + dot(ww4, (log_tx - log_t))
            g[1] -= dot((self.w * rx), ((1 - w4) / (alpha + self.T) + w4 / (alpha + self.t_x)))
            per_u = np.bincount(self.inv, weights=ww4, minlength=xu.size)
            g[2] += float(per_u.sum()) / a
            g[3] -= dot(per_u, (1.0 / bx1_u))
        return ll, g


def _p_alive(r: Any, alpha: Any, a: Any, b: Any, x: Any, t_x: Any, T: Any) -> Any:
    """P(alive | x, t_x, T) = 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)), in log space."""
    rep = x > 0
    bx1 = np.where(rep, b + x - 1, 1.0)
    log_odds = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(rep, expit(-log_odds), 1.0)


def _unconditional_part(t: Any, r: Any, alpha: Any, a: Any, b: Any, x: Any, T: Any) -> Any:
    """(a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)].

    Written with Euler's transformation as 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z),
    z = t/(alpha+T+t), which stays finite for large x and long horizons.
    """
    z = t / (alpha + T + t)
    with np.errstate(invalid="ignore", over="ignore"):
        bracket = -np.expm1((a - 1) * np.log1p(-z)) - np.exp((a - 1) * np.log1p(-z)) * (
            hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z) - 1
        )
    if not np.all(np.isfinite(bracket)):
        # Far-out parameters (a in the thousands: (1-z)^(a-1) underflows while the series
        # overflows) defeat Euler's form; there the direct form is well behaved.
        direct = 1 - np.exp((r + x) * np.log1p(-z)) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        bracket = np.where(np.isfinite(bracket), bracket, direct)
    return (a + b + x - 1) / (a - 1) * bracket


def _conditional_expected(
    t: Any, r: Any, alpha: Any, a: Any, b: Any, x: Any, t_x: Any, T: Any
) -> Any:
    return _unconditional_part(t, r, alpha, a, b, x, T) * _p_alive(r, alpha, a, b, x, t_x, T)
