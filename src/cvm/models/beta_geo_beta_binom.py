"""BG/BB: repeat transactions at discrete opportunities (donations, annual events).

Fader, P. S., Hardie, B. G. S. and Shang, J. (2010), "Customer-Base Analysis in a Discrete-Time
Noncontractual Setting", Marketing Science 29(6), 1086-1108.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, gammaln, logsumexp

from cvm._exceptions import DataError
from cvm.models._compress import unique_rows
from cvm.models._math import Data
from cvm.models._validation import as_array, check_counts, check_same_length, check_weights, require
from cvm.models.base import BaseModel

__all__ = ["BetaGeoBetaBinomModel"]


class BetaGeoBetaBinomModel(BaseModel):
    """BG/BB model for discrete transaction opportunities.

    While alive, a customer transacts at each opportunity with probability ``p ~ Beta(alpha,
    beta)``; before each opportunity she dies with probability ``theta ~ Beta(gamma, delta)``.
    Inputs per customer: ``frequency`` (transactions), ``recency`` (the opportunity of the last
    one, 0 if none) and ``periods`` (opportunities observed), usually with ``weights`` as the
    data are few distinct patterns.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters (see :class:`BaseModel`).

    References
    ----------
    Fader, Hardie and Shang (2010), Marketing Science 29(6), eq. 5 (likelihood), 7 (expected
    transactions), 11 (P(alive)) and 13 (conditional expectation).
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
        x, t_x, n = data["x"], data["t_x"], data["n"]
        base = betaln(alpha, beta) + betaln(gamma, delta)
        alive = betaln(alpha + x, beta + n - x) + betaln(gamma, delta + n)
        # died after opportunity t_x + i, i = 0 .. n - t_x - 1
        width = int(np.max(n - t_x)) if x.size else 0
        i = np.arange(max(width, 1))[None, :]
        valid = i < (n - t_x)[:, None]
        xs, txs = x[:, None], t_x[:, None]
        died = betaln(alpha + xs, beta + txs - xs + i) + betaln(gamma + 1, delta + txs + i)
        died = np.where(valid, died, -np.inf)
        terms = np.concatenate([alive[:, None], died], axis=1)
        return np.asarray(logsumexp(terms, axis=1) - base)

    def _arrays(self, frequency: Any, recency: Any, periods: Any) -> tuple[Any, ...]:
        x, t_x, n = _check_discrete(frequency, recency, periods)
        self.check_fitted()
        ll = self._row_log_likelihood(self.params_.to_numpy(), {"x": x, "t_x": t_x, "n": n})
        return x, t_x, n, ll

    def conditional_probability_alive(
        self, frequency: Any, recency: Any, periods: Any, *, future: int = 0
    ) -> np.ndarray:
        """P(alive at opportunity n + 1 + future | x, t_x, n) (FHS 2010, eq. 11)."""
        x, _, n, ll = self._arrays(frequency, recency, periods)
        p = self._p()
        a, b, g, d = p["alpha"], p["beta"], p["gamma"], p["delta"]
        log_alive = (
            betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n + 1 + future) - betaln(g, d)
        )
        return np.asarray(np.exp(log_alive - ll))

    def conditional_expected_number_of_purchases_up_to_time(
        self, m_periods: Any, frequency: Any, recency: Any, periods: Any
    ) -> np.ndarray:
        """E[X(n, n + n*) | x, t_x, n]: transactions in the next ``m_periods`` (eq. 13)."""
        x, _, n, ll = self._arrays(frequency, recency, periods)
        future = as_array(m_periods, "m_periods")
        p = self._p()
        a, b, g, d = p["alpha"], p["beta"], p["gamma"], p["delta"]
        lead = np.exp(betaln(a + x + 1, b + n - x) - betaln(a, b) - ll)
        return np.asarray(lead * _future_factor(g, d, n, future))

    def expected_number_of_purchases_up_to_time(self, m_periods: Any) -> np.ndarray:
        """E[X(n)]: expected transactions of a new customer in ``n`` opportunities (eq. 7)."""
        p = self._p()
        n = as_array(m_periods, "m_periods")
        share = p["alpha"] / (p["alpha"] + p["beta"])
        return np.asarray(share * _future_factor(p["gamma"], p["delta"], 0.0, n))


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
