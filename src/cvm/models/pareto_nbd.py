"""Pareto/NBD: Poisson purchases with an exponential lifetime, both heterogeneous (gamma).

Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987), "Counting Your Customers: Who Are
They and What Will They Do Next?", Management Science 33(1), 1-24. The likelihood follows
Fader, P. S. and Hardie, B. G. S. (2005), "A Note on Deriving the Pareto/NBD Model and Related
Expressions", eq. 22-24.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, expit, gammaln, hyp2f1, logsumexp

from cvm._exceptions import DataError
from cvm.models._compress import FrequencySplit, unique_rows
from cvm.models._math import Data, dot, future_time, horizon
from cvm.models._validation import check_rfm, check_weights, like_input, observed
from cvm.models.transaction import Params, TransactionModel, nbinom_logpmf, whole

__all__ = ["ParetoNBDModel"]


class ParetoNBDModel(TransactionModel):
    """Pareto/NBD model of repeat purchases in continuous time.

    While alive a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; her lifetime is
    exponential with rate ``mu ~ Gamma(s, beta)``. Same inputs as :class:`BetaGeoModel`.

    The likelihood's Gauss hypergeometric term uses the Fader-Hardie formulation that keeps its
    argument in [0, 1), evaluated in log space (with Pfaff's transformation where the direct
    series overflows), so large frequencies and long histories stay finite.

    Options (``penalizer``, ``max_iter``, ``max_seconds``) as in :class:`BaseModel`.

    References
    ----------
    Schmittlein, Morrison and Colombo (1987); Fader and Hardie (2005), note, eq. 22 (likelihood),
    eq. 18 (unconditional expectation), eq. 25 (P(alive)) and eq. 27 (conditional expectation).

    Examples
    --------
    >>> from cvm.datasets import simulate_paretonbd_summary
    >>> d = simulate_paretonbd_summary(400, r=0.5, alpha=8.0, s=0.6, beta=10.0, T=39.0, seed=1)
    >>> model = ParetoNBDModel().fit(d["frequency"], d["recency"], d["T"])
    >>> model.params_.round(2).to_dict()
    {'r': 0.38, 'alpha': 6.2, 's': 0.58, 'beta': 8.93}
    >>> model.conditional_probability_alive([0, 5, 5], [0, 38, 10], [39, 39, 39]).round(2)
    array([0.28, 0.99, 0.03])
    """

    _param_names = ("r", "alpha", "s", "beta")

    def fit(self, frequency: Any, recency: Any, T: Any, *, weights: Any = None) -> ParetoNBDModel:
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, age at the last purchase and age at the end of observation.
        weights : array-like, optional
            Number of customers each row stands for.
        """
        x, t_x, t = check_rfm(frequency, recency, T)
        w = check_weights(weights, x.shape[0])
        x, t_x, t, w = observed(x, t_x, t, w, "Pareto/NBD")
        if not (x > 0).any():
            raise DataError("no customer has a repeat purchase: Pareto/NBD cannot be fitted")
        self._remember_range(x, t)
        data, w = unique_rows({"x": x, "t_x": t_x, "T": t}, w)
        self._cache = None
        self._fit(data, w)
        self._cache = None
        return self

    def _initial_params(self, data: Data, weights: np.ndarray) -> np.ndarray:
        mean_t = dot(weights, data["T"]) / float(weights.sum())
        rate = dot(weights, data["x"]) / dot(weights, data["T"])
        return np.array([1.0, 1.0 / max(rate, 1e-12), 1.0, mean_t])

    def _log_likelihood_and_gradient(
        self, params: np.ndarray, data: Data, weights: np.ndarray, gradient: bool
    ) -> tuple[float, np.ndarray | None]:
        return self._prepared(_Prepared, data, weights).evaluate(params), None

    def _row_log_likelihood(self, params: np.ndarray, data: Data) -> np.ndarray:
        r, alpha, s, beta = params
        x, t_x, T = data["x"], data["t_x"], data["T"]
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive, gone = _log_terms(r, alpha, s, beta, x, t_x, T)
        return np.asarray(head + np.logaddexp(alive, gone))

    # ------------------------------------------------------------------ predictions
    def _arrays(self, frequency: Any, recency: Any, T: Any) -> tuple[Any, ...]:
        x, t_x, t = check_rfm(frequency, recency, T)
        p = self._p()
        return p["r"], p["alpha"], p["s"], p["beta"], x, t_x, t

    def conditional_probability_alive(
        self, frequency: Any, recency: Any, T: Any, *, future: Any = 0
    ) -> np.ndarray:
        """P(alive at T + future | x, t_x, T) (Fader and Hardie 2005 note, eq. 25 at T).

        An alive customer's dropout rate is mu | alive ~ Gamma(s, beta+T), so surviving the
        next ``future`` time units has probability ((beta+T)/(beta+T+future))^s.
        """
        r, alpha, s, beta, x, t_x, t = self._arrays(frequency, recency, T)
        ahead = future_time(future)
        survive = np.exp(s * (np.log(beta + t) - np.log(beta + t + ahead)))
        alive = _p_alive(r, alpha, s, beta, x, t_x, t) * survive
        return like_input(alive, frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 27)."""
        r, alpha, s, beta, x, t_x, T_ = self._arrays(frequency, recency, T)
        expected = _conditional_expected(horizon(t), r, alpha, s, beta, x, t_x, T_)
        return like_input(expected, frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer by time ``t`` (eq. 18)."""
        p = self._p()
        ahead = horizon(t)
        return np.asarray(
            p["r"] * p["beta"] / p["alpha"] * _lifetime_factor(ahead, p["s"], p["beta"], 0.0)
        )

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> np.ndarray:
        """P(X(t) = n) for a new customer (Fader and Hardie 2006, note 12, eq. 6-8).

        Alive through ``t`` with n Poisson purchases, or died at some tau < t after n of them:
        the second part is ``alpha^r beta^s B(r+n, s+1)/B(r, s) [B1 - sum_i t^i/i!
        Gamma(r+s+i)/Gamma(r+s) B2(i)]`` with Gauss hypergeometric B1, B2 (the branch on
        alpha >= beta keeps their argument in [0, 1)). Vectorised over ``t`` and ``n``.
        """
        p = self._p()
        r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
        ahead, count = np.broadcast_arrays(horizon(t), whole(n))
        out = np.empty(ahead.shape, dtype=float)
        for k, (t_k, n_k) in enumerate(zip(ahead.ravel(), count.ravel(), strict=True)):
            out.flat[k] = _probability_of_n(r, alpha, s, beta, float(t_k), int(n_k))
        return out

    def lifetime_part(self, params: Params, t: Any, x: Any, T: Any) -> Any:
        """The factor of E[Y(t)] that does not depend on recency (see ``alive_part``)."""
        r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
        return (r + x) * (beta + T) / (alpha + T) * _lifetime_factor(t, s, beta, T)

    def alive_part(self, params: Params, x: Any, t_x: Any, T: Any) -> Any:
        """P(alive at T | x, t_x, T) at ``params``."""
        return _p_alive(params["r"], params["alpha"], params["s"], params["beta"], x, t_x, T)


def _probability_of_n(r: float, alpha: float, s: float, beta: float, t: float, n: int) -> float:
    """P(X(t) = n) of a new customer at one (t, n) (see ``probability_of_n_purchases_...``)."""
    alive = float(np.exp(nbinom_logpmf(n, r, t, alpha) + s * (np.log(beta) - np.log(beta + t))))
    if t == 0:
        return alive
    top = max(alpha, beta)
    second = s + 1.0 if alpha >= beta else r + n
    gap = abs(alpha - beta)
    head = r * np.log(alpha) + s * np.log(beta) + betaln(r + n, s + 1) - betaln(r, s)
    c = r + s + n + 1
    log_b1 = np.log(hyp2f1(r + s, second, c, gap / top)) - (r + s) * np.log(top)
    i = np.arange(n + 1, dtype=float)
    log_b2 = (
        i * np.log(t)
        - gammaln(i + 1)
        + gammaln(r + s + i)
        - gammaln(r + s)
        + np.log(hyp2f1(r + s + i, second, c, gap / (top + t)))
        - (r + s + i) * np.log(top + t)
    )
    # B1 - sum B2 > 0: the probability of dying before t having made n purchases (rounding
    # can leave a difference of two equal numbers a hair below 0 far in the tail)
    died = np.exp(head + log_b1) * -np.expm1(logsumexp(log_b2) - log_b1)
    return alive + max(float(died), 0.0)


def _log_hyp2f1_shifted(a: Any, b: Any, z: Any) -> Any:
    """log 2F1(a, b; a + 1; z) for 0 <= z < 1, finite for large a and b.

    The direct series is used where it is finite; elsewhere Pfaff's transformation
    2F1(a, b; a+1; z) = (1-z)^(-b) 2F1(1, b; a+1; z/(z-1)); and where that fails too (large b
    with z near 1), the Euler integral by Gauss-Laguerre quadrature in log space.
    """
    with np.errstate(all="ignore"):
        direct = hyp2f1(a, b, a + 1, z)
        out = np.log(direct)
        bad = ~np.isfinite(out)
        if np.any(bad):
            a_b, b_b, z_b = (np.broadcast_to(v, np.shape(out))[bad] for v in (a, b, z))
            pfaff = -b_b * np.log1p(-z_b) + np.log(hyp2f1(1.0, b_b, a_b + 1, z_b / (z_b - 1)))
            still = ~np.isfinite(pfaff)
            if np.any(still):
                pfaff[still] = _log_hyp2f1_quadrature(a_b[still], b_b[still], z_b[still])
            out = np.array(out, dtype=float)
            out[bad] = pfaff
    return out


_LAGUERRE = np.polynomial.laguerre.laggauss(60)


def _log_hyp2f1_quadrature(a: np.ndarray, b: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log 2F1(a, b; a+1; z) from a * int_0^inf exp(G(v)) dv, G(v) = -a v - b log(1 - z e^-v).

    G decreases from G(0) at rate lam = a + b z / (1 - z); with v = s / lam the integrand is
    e^-s times a slowly varying factor, which Gauss-Laguerre integrates well.
    """
    nodes, weights = _LAGUERRE
    lam = a + b * z / (1 - z)
    g0 = -b * np.log1p(-z)
    v = nodes[None, :] / lam[:, None]
    g = -a[:, None] * v - b[:, None] * np.log1p(-z[:, None] * np.exp(-v))
    log_sum = logsumexp(g - g0[:, None] + nodes[None, :], b=weights[None, :], axis=1)
    return np.asarray(np.log(a) + g0 - np.log(lam) + log_sum)


def _log_a0_part(r: Any, alpha: Any, s: Any, beta: Any, x: Any, t: Any) -> Any:
    """log of 2F1(...)/(max(alpha, beta) + t)^(r+s+x), the Fader-Hardie A0 pieces."""
    rsx = r + s + x
    big_alpha = alpha >= beta
    top = np.where(big_alpha, alpha, beta)
    z = np.abs(alpha - beta) / (top + t)
    b = np.where(big_alpha, s + 1, r + x)
    return _log_hyp2f1_shifted(rsx, b, z) - rsx * np.log(top + t)


def _log_terms(r: Any, alpha: Any, s: Any, beta: Any, x: Any, t_x: Any, T: Any) -> Any:
    """The two log terms of the likelihood after the common factor (note, eq. 22).

    ``alive``: still alive at T; ``gone``: died between t_x and T, s/(r+s+x) A0.
    """
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    upper = _log_a0_part(r, alpha, s, beta, x, t_x)
    lower = _log_a0_part(r, alpha, s, beta, x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a0 = upper + np.log(-np.expm1(np.minimum(lower - upper, 0.0)))
    log_a0 = np.where(np.asarray(t_x) >= np.asarray(T), -np.inf, log_a0)
    gone = np.log(s) - np.log(r + s + x) + log_a0
    return alive, gone


def _p_alive(r: Any, alpha: Any, s: Any, beta: Any, x: Any, t_x: Any, T: Any) -> Any:
    alive, gone = _log_terms(r, alpha, s, beta, x, t_x, T)
    return expit(alive - gone)


def _lifetime_factor(t: Any, s: Any, beta: Any, T: Any) -> Any:
    """[1 - ((beta+T)/(beta+T+t))^(s-1)] / (s-1), and its limit -log(...) at s = 1."""
    log_q = np.log(beta + T) - np.log(beta + T + t)
    near_one = np.abs(s - 1) < 1e-10
    s_safe = np.where(near_one, 2.0, s)
    return np.where(near_one, -log_q, -np.expm1((s_safe - 1) * log_q) / (s_safe - 1))


def _conditional_expected(
    t: Any, r: Any, alpha: Any, s: Any, beta: Any, x: Any, t_x: Any, T: Any
) -> Any:
    rate = (r + x) * (beta + T) / (alpha + T)
    return rate * _lifetime_factor(t, s, beta, T) * _p_alive(r, alpha, s, beta, x, t_x, T)


class _Prepared(FrequencySplit):
    """The Pareto/NBD likelihood for one data set with its constant pieces computed once.

    Terms in the frequency alone use its distinct values; customers without repeat purchases
    share one hypergeometric value at t_x = 0; the branch alpha >= beta is taken once per call.
    """

    def evaluate(self, params: np.ndarray) -> float:
        r, alpha, s, beta = (float(v) for v in params)
        xu, wu = self.xu, self.wu
        ll = dot(wu, gammaln(r + xu)) - self.total * gammaln(r)
        ll += self.total * (r * np.log(alpha) + s * np.log(beta))
        top = max(alpha, beta)
        gap = abs(alpha - beta)
        for x, t_x, T, w in ((0.0, 0.0, self.T0, self.w0), (self.x, self.t_x, self.T, self.w)):
            if w.size == 0:
                continue
            rsx = r + s + x
            b = s + 1.0 if alpha >= beta else r + x
            alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
            upper = _log_hyp2f1_shifted(rsx, b, gap / (top + t_x)) - rsx * np.log(top + t_x)
            lower = _log_hyp2f1_shifted(rsx, b, gap / (top + T)) - rsx * np.log(top + T)
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a0 = upper + np.log(-np.expm1(np.minimum(lower - upper, 0.0)))
            # where t_x == T the two pieces are equal and log_a0 is -inf, as it should be
            gone = np.log(s) - np.log(rsx) + log_a0
            ll += dot(w, np.logaddexp(alive, gone))
        return float(ll)
