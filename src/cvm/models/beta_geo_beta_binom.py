"""BG/BB: repeat transactions at discrete opportunities (donations, annual events).

Fader, P. S., Hardie, B. G. S. and Shang, J. (2010), "Customer-Base Analysis in a Discrete-Time
Noncontractual Setting", Marketing Science 29(6), 1086-1108.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, gammaln

from cvm._exceptions import DataError
from cvm.models._compress import unique_rows
from cvm.models._math import Data, future_time
from cvm.models._validation import (
    as_array,
    check_counts,
    check_same_length,
    check_weights,
    like_input,
    require,
)
from cvm.models.transaction import Params, TransactionModel

__all__ = ["BetaGeoBetaBinomModel"]


class BetaGeoBetaBinomModel(TransactionModel):
    """BG/BB model for discrete transaction opportunities.

    While alive, a customer transacts at each opportunity with probability ``p ~ Beta(alpha,
    beta)``; before each opportunity she dies with probability ``theta ~ Beta(gamma, delta)``.
    Inputs per customer: ``frequency`` (transactions), ``recency`` (the opportunity of the last
    one, 0 if none) and ``periods`` (opportunities observed), usually with ``weights`` as the
    data are few distinct patterns.

    Options (``penalizer``, ``max_iter``, ``max_seconds``) as in :class:`BaseModel`.

    References
    ----------
    Fader, Hardie and Shang (2010), Marketing Science 29(6), eq. 5 (likelihood), 7 (expected
    transactions), 11 (P(alive)) and 13 (conditional expectation).

    Examples
    --------
    >>> from cvm.datasets import simulate_bgbb_summary
    >>> truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    >>> d = simulate_bgbb_summary(1000, **truth, periods=6, seed=1)
    >>> model = BetaGeoBetaBinomModel().fit(d["frequency"], d["recency"], d["periods"])
    >>> model.params_.round(2).to_dict()
    {'alpha': 1.2, 'beta': 0.68, 'gamma': 0.76, 'delta': 3.05}

    Expected transactions in the next 5 opportunities of a lapsed and a loyal customer:

    >>> ahead = model.conditional_expected_number_of_purchases_up_to_time
    >>> ahead(5, [0, 6], [0, 6], [6, 6]).round(2)
    array([0.06, 3.7 ])
    """

    _param_names = ("alpha", "beta", "gamma", "delta")

    def fit(
        self, frequency: Any, recency: Any, periods: Any, *, weights: Any = None
    ) -> BetaGeoBetaBinomModel:
        """Fit by maximum likelihood on the unique (frequency, recency, periods) rows."""
        x, t_x, n = _check_discrete(frequency, recency, periods)
        w = check_weights(weights, x.shape[0])
        if not (x > 0).any():
            raise DataError("no customer has a transaction: BG/BB cannot be fitted")
        data, w = unique_rows({"x": x, "t_x": t_x, "n": n}, w)
        self._fit(data, w)
        return self

    def _row_log_likelihood(self, params: np.ndarray, data: Data) -> np.ndarray:
        alpha, beta, gamma, delta = params
        return np.asarray(
            _log_likelihood(alpha, beta, gamma, delta, data["x"], data["t_x"], data["n"])
        )

    def _arrays(self, frequency: Any, recency: Any, periods: Any) -> tuple[Any, ...]:
        x, t_x, n = _check_discrete(frequency, recency, periods)
        return self._p(), x, t_x, n

    def conditional_probability_alive(
        self, frequency: Any, recency: Any, periods: Any, *, future: Any = 0
    ) -> np.ndarray:
        """P(alive at opportunity n + 1 + future | x, t_x, n) (FHS 2010, eq. 11)."""
        p, x, t_x, n = self._arrays(frequency, recency, periods)
        ahead = future_time(future)
        g, d = p["gamma"], p["delta"]
        survive = np.exp(betaln(g, d + n + 1 + ahead) - betaln(g, d + n + 1))
        return like_input(self.alive_part(p, x, t_x, n) * survive, frequency, recency, periods)

    def conditional_expected_number_of_purchases_up_to_time(
        self, m_periods: Any, frequency: Any, recency: Any, periods: Any
    ) -> np.ndarray:
        """E[X(n, n + n*) | x, t_x, n]: transactions in the next ``m_periods`` (eq. 13)."""
        p, x, t_x, n = self._arrays(frequency, recency, periods)
        expected = self.expected_purchases(p, as_array(m_periods, "m_periods"), x, t_x, n)
        return like_input(expected, frequency, recency, periods)

    def expected_number_of_purchases_up_to_time(self, m_periods: Any) -> np.ndarray:
        """E[X(n)]: expected transactions of a new customer in ``n`` opportunities (eq. 7)."""
        p = self._p()
        n = as_array(m_periods, "m_periods")
        share = p["alpha"] / (p["alpha"] + p["beta"])
        return np.asarray(share * _future_factor(p["gamma"], p["delta"], 0.0, n))

    def alive_part(self, params: Params, x: Any, t_x: Any, T: Any) -> Any:
        """P(alive at opportunity T + 1 | x, t_x, T) at ``params`` (T: opportunities seen)."""
        a, b, g, d = params["alpha"], params["beta"], params["gamma"], params["delta"]
        ll = _log_likelihood(a, b, g, d, x, t_x, T)
        return np.exp(
            betaln(a + x, b + T - x) - betaln(a, b) + betaln(g, d + T + 1) - betaln(g, d) - ll
        )

    def lifetime_part(self, params: Params, t: Any, x: Any, T: Any) -> Any:
        """Expected transactions in the next ``t`` opportunities of a customer alive at T + 1.

        ``p | x ~ Beta(alpha + x, beta + T - x)`` and ``theta | alive ~ Beta(gamma, delta + T +
        1)``: eq. 13 divided by P(alive) (eq. 11).
        """
        a, b, g, d = params["alpha"], params["beta"], params["gamma"], params["delta"]
        rate = (a + x) / (a + b + T)
        return rate * _future_factor(g, d, T, t) * np.exp(betaln(g, d) - betaln(g, d + T + 1))


def _log_likelihood(a: Any, b: Any, g: Any, d: Any, x: Any, t_x: Any, n: Any) -> Any:
    """Log-likelihood of (x, t_x, n) (FHS 2010, eq. 5), broadcasting over parameter draws.

    Alive through the n opportunities, or died after opportunity t_x + i, i = 0 .. n - t_x - 1.
    """
    ll = betaln(a + x, b + n - x) + betaln(g, d + n)
    width = int(np.max(n - t_x)) if np.size(x) else 0
    for i in range(width):
        died = betaln(a + x, b + t_x - x + i) + betaln(g + 1, d + t_x + i)
        ll = np.where(i < n - t_x, np.logaddexp(ll, died), ll)
    return ll - betaln(a, b) - betaln(g, d)


def _future_factor(g: float, d: float, n: Any, future: Any) -> Any:
    """delta/(gamma-1) Γ(γ+δ)/Γ(1+δ) [Γ(1+δ+n)/Γ(γ+δ+n) - Γ(1+δ+n+n*)/Γ(γ+δ+n+n*)]."""
    lead = gammaln(g + d) - gammaln(1 + d)
    now = np.exp(lead + gammaln(1 + d + n) - gammaln(g + d + n))
    later = np.exp(lead + gammaln(1 + d + n + future) - gammaln(g + d + n + future))
    return d / (g - 1) * (now - later)


def _check_discrete(frequency: Any, recency: Any, periods: Any) -> tuple[np.ndarray, ...]:
    x = as_array(frequency, "frequency")
    t_x = as_array(recency, "recency")
    n = as_array(periods, "periods")
    check_same_length(frequency=x, recency=t_x, periods=n)
    check_counts(x)
    check_counts(t_x, "recency")
    check_counts(n, "periods")
    require(t_x > n, "recency must be <= periods")
    require(x > t_x, "frequency must be <= recency (one transaction per opportunity)")
    require((x == 0) & (t_x > 0), "frequency is 0 but recency > 0 (recency must be 0 then)")
    require((x > 0) & (t_x == 0), "frequency > 0 but recency is 0")
    return x, t_x, n
