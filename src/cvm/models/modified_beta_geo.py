"""MBG/NBD: BG/NBD in which a customer may also drop out right after the first purchase.

Batislam, E. P., Denizel, M. and Filiztekin, A. (2007), "Empirical validation and comparison of
models for customer base analysis", International Journal of Research in Marketing 24(3),
201-209.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, expit, gammaln, hyp2f1

from cvm._exceptions import DataError
from cvm.models._compress import unique_rows
from cvm.models._math import Data, dot, future_time, horizon
from cvm.models._validation import check_rfm, check_weights, like_input, observed
from cvm.models.transaction import Params, TransactionModel, nbinom_logpmf, nbinom_tail, whole

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(TransactionModel):
    """MBG/NBD model: as BG/NBD, with a drop-out chance at time zero too.

    Customers without repeat purchases are then not certainly alive, which avoids BG/NBD's
    over-optimism about one-time buyers. Same inputs and methods as :class:`BetaGeoModel`.

    Options (``penalizer``, ``max_iter``, ``max_seconds``) as in :class:`BaseModel`.

    References
    ----------
    Batislam, Denizel and Filiztekin (2007), IJRM 24(3), eq. 5 (likelihood), 6 (expectation),
    8 (P(alive)) and 9 (conditional expectation).

    Examples
    --------
    >>> from cvm.datasets import simulate_mbgnbd_summary
    >>> d = simulate_mbgnbd_summary(400, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, seed=1)
    >>> model = ModifiedBetaGeoModel().fit(d["frequency"], d["recency"], d["T"])
    >>> model.params_.round(2).to_dict()
    {'r': 0.2, 'alpha': 2.76, 'a': 0.8, 'b': 2.66}

    Unlike BG/NBD, a customer without a repeat purchase is not certainly alive:

    >>> model.conditional_probability_alive([0, 5, 5], [0, 38, 10], [39, 39, 39]).round(2)
    array([0.66, 0.89, 0.02])
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(
        self, frequency: Any, recency: Any, T: Any, *, weights: Any = None
    ) -> ModifiedBetaGeoModel:
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows."""
        x, t_x, t = check_rfm(frequency, recency, T)
        w = check_weights(weights, x.shape[0])
        x, t_x, t, w = observed(x, t_x, t, w, "MBG/NBD")
        if not (x > 0).any():
            raise DataError("no customer has a repeat purchase: MBG/NBD cannot be fitted")
        self._remember_range(x, t)
        data, w = unique_rows({"x": x, "t_x": t_x, "T": t}, w)
        self._fit(data, w)
        return self

    def _initial_params(self, data: Data, weights: np.ndarray) -> np.ndarray:
        rate = dot(weights, data["x"]) / dot(weights, data["T"])
        return np.array([1.0, 1.0 / max(rate, 1e-12), 1.0, 2.0])

    def _row_log_likelihood(self, params: np.ndarray, data: Data) -> np.ndarray:
        r, alpha, a, b = params
        x, t_x, T = data["x"], data["t_x"], data["T"]
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x + 1)
        head -= betaln(a, b)
        alive = -(r + x) * np.log(alpha + T)
        gone = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
        return np.asarray(head + np.logaddexp(alive, gone))

    def _arrays(self, frequency: Any, recency: Any, T: Any) -> tuple[Any, ...]:
        x, t_x, t = check_rfm(frequency, recency, T)
        p = self._p()
        return p["r"], p["alpha"], p["a"], p["b"], x, t_x, t

    def conditional_probability_alive(
        self, frequency: Any, recency: Any, T: Any, *, future: Any = 0
    ) -> np.ndarray:
        """P(alive at T + future | x, t_x, T) (Batislam et al. 2007, eq. 8 at T).

        As for BG/NBD, with one more dropout chance passed (at the first purchase):
        p | alive ~ Beta(a, b+x+1), so the factor is 2F1(r+x, a; a+b+x+1; -future/(alpha+T)).
        """
        r, alpha, a, b, x, t_x, t = self._arrays(frequency, recency, T)
        alive = _p_alive(r, alpha, a, b, x, t_x, t)
        ahead = future_time(future)
        if np.any(ahead):
            alive = alive * hyp2f1(r + x, a, a + b + x + 1, -ahead / (alpha + t))
        return like_input(alive, frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 9)."""
        r, alpha, a, b, x, t_x, T_ = self._arrays(frequency, recency, T)
        expected = _conditional_expected(horizon(t), r, alpha, a, b, x, t_x, T_)
        return like_input(expected, frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer by time ``t`` (eq. 6)."""
        p = self._p()
        ahead = horizon(t)
        zero = np.zeros_like(ahead)
        return np.asarray(
            _conditional_expected(ahead, p["r"], p["alpha"], p["a"], p["b"], zero, zero, zero)
        )

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> np.ndarray:
        """P(X(t) = n) for a new customer, vectorised over ``t`` and ``n``.

        A dropout chance comes at the first purchase and after each repeat one: alive
        throughout (survived n + 1 chances) with n Poisson purchases, or dropped out at the
        (n + 1)-th chance having made at least n (as lifetimes' ``ModifiedBetaGeoFitter``).
        """
        p = self._p()
        r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
        ahead = horizon(t)
        count = whole(n)
        first = betaln(a, b + count + 1) - betaln(a, b) + nbinom_logpmf(count, r, ahead, alpha)
        second = betaln(a + 1, b + count) - betaln(a, b)
        return np.asarray(np.exp(first) + np.exp(second) * nbinom_tail(count, r, ahead, alpha))

    def lifetime_part(self, params: Params, t: Any, x: Any, T: Any) -> Any:
        """The factor of E[Y(t)] that does not depend on recency (see ``alive_part``)."""
        return _lifetime(t, params["r"], params["alpha"], params["a"], params["b"], x, T)

    def alive_part(self, params: Params, x: Any, t_x: Any, T: Any) -> Any:
        """P(alive at T | x, t_x, T) at ``params``."""
        return _p_alive(params["r"], params["alpha"], params["a"], params["b"], x, t_x, T)


def _p_alive(r: Any, alpha: Any, a: Any, b: Any, x: Any, t_x: Any, T: Any) -> Any:
    """1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)), in log space."""
    log_odds = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return expit(-log_odds)


def _conditional_expected(
    t: Any, r: Any, alpha: Any, a: Any, b: Any, x: Any, t_x: Any, T: Any
) -> Any:
    """(a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)] P(alive)."""
    return _lifetime(t, r, alpha, a, b, x, T) * _p_alive(r, alpha, a, b, x, t_x, T)


def _lifetime(t: Any, r: Any, alpha: Any, a: Any, b: Any, x: Any, T: Any) -> Any:
    """The factor of the conditional expectation that does not depend on recency.

    Euler's transformation turns the bracket into 1 - (1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z),
    z = t/(alpha+T+t), finite for large x and long horizons.
    """
    z = t / (alpha + T + t)
    with np.errstate(invalid="ignore", over="ignore"):
        power = np.exp((a - 1) * np.log1p(-z))
        bracket = 1.0 - power * hyp2f1(a + b - r, a - 1, a + b + x, z)
    if not np.all(np.isfinite(bracket)):
        # far-out parameters defeat Euler's form (0 x inf); the direct form is well behaved
        direct = 1 - np.exp((r + x) * np.log1p(-z)) * hyp2f1(r + x, b + x + 1, a + b + x, z)
        bracket = np.where(np.isfinite(bracket), bracket, direct)
    return (a + b + x) / (a - 1) * bracket
