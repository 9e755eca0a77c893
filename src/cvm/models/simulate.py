"""Vectorised samplers of the models' generative processes, for tests and benchmarks.

Each returns the customer summary the matching model is fitted on, drawn from known parameters,
so recovery tests and speed benchmarks share one definition of the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "sample_bgbb",
    "sample_bgnbd",
    "sample_gamma_gamma",
    "sample_mbgnbd",
    "sample_paretonbd",
    "sample_sbg",
]


def _observation(n: int, T: Any) -> np.ndarray:
    return np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()


def _geometric_summary(
    rate: np.ndarray,
    drop: np.ndarray,
    T: np.ndarray,
    rng: np.random.Generator,
    *,
    drop_at_start: bool,
) -> pd.DataFrame:
    """Poisson purchases until a geometric number of them, observed on (0, T]."""
    n_poisson = rng.poisson(rate * T)
    # repeat purchases made before dropping out: Geometric on {1, 2, ...}
    # (or {0, 1, ...} when the customer may drop out right after the first purchase)
    lifetime_purchases = rng.geometric(drop) - (1 if drop_at_start else 0)
    x = np.minimum(n_poisson, lifetime_purchases)
    # the x-th of n uniform order statistics on (0, T) is T * Beta(x, n - x + 1)
    has = x > 0
    recency = np.zeros_like(T)
    recency[has] = T[has] * rng.beta(x[has], n_poisson[has] - x[has] + 1)
    return pd.DataFrame({"frequency": x.astype(float), "recency": recency, "T": T})


def sample_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, T: Any, *, random_state: Any = None
) -> pd.DataFrame:
    """Customers from the BG/NBD process (Fader, Hardie and Lee 2005).

    Parameters
    ----------
    n : int
        Number of customers.
    r, alpha, a, b : float
        ``lambda ~ Gamma(r, rate alpha)``, ``p ~ Beta(a, b)``.
    T : float or array of n
        Observation length of each customer (time since the first purchase).
    random_state : int or Generator, optional

    Returns
    -------
    DataFrame with ``frequency`` (repeat purchases), ``recency`` and ``T``.
    """
    rng = np.random.default_rng(random_state)
    t = _observation(n, T)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    return _geometric_summary(lam, p, t, rng, drop_at_start=False)


def sample_mbgnbd(
    n: int, r: float, alpha: float, a: float, b: float, T: Any, *, random_state: Any = None
) -> pd.DataFrame:
    """Customers from the MBG/NBD process (Batislam, Denizel and Filiztekin 2007).

    As BG/NBD, except that a customer may drop out right after the first purchase.
    """
    rng = np.random.default_rng(random_state)
    t = _observation(n, T)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    return _geometric_summary(lam, p, t, rng, drop_at_start=True)


def sample_paretonbd(
    n: int, r: float, alpha: float, s: float, beta: float, T: Any, *, random_state: Any = None
) -> pd.DataFrame:
    """Customers from the Pareto/NBD process (Schmittlein, Morrison and Colombo 1987).

    ``lambda ~ Gamma(r, rate alpha)`` purchase rate, ``mu ~ Gamma(s, rate beta)`` drop-out
    rate with an exponential lifetime.
    """
    rng = np.random.default_rng(random_state)
    t = _observation(n, T)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    window = np.minimum(rng.exponential(1.0 / mu), t)
    x = rng.poisson(lam * window)
    has = x > 0
    recency = np.zeros_like(t)
    # the last of x uniform times on (0, window) is window * U^(1/x)
    recency[has] = window[has] * rng.random(int(has.sum())) ** (1.0 / x[has])
    return pd.DataFrame({"frequency": x.astype(float), "recency": recency, "T": t})


def sample_gamma_gamma(
    frequency: Any, p: float, q: float, gamma: float, *, random_state: Any = None
) -> pd.DataFrame:
    """Mean spend per transaction from the Gamma-Gamma model (Fader, Hardie and Lee 2005b).

    Each customer's spend per transaction is ``Gamma(p, rate nu)`` with ``nu ~ Gamma(q, rate
    gamma)``; the mean of ``frequency`` such transactions is returned (0 when frequency is 0).
    """
    rng = np.random.default_rng(random_state)
    x = np.atleast_1d(np.asarray(frequency, dtype=float))
    nu = np.asarray(rng.gamma(q, 1.0 / gamma, x.shape[0]))
    has = x > 0
    monetary = np.zeros_like(x)
    monetary[has] = np.asarray(rng.gamma(p * x[has], 1.0 / nu[has])) / x[has]
    return pd.DataFrame({"frequency": x, "monetary": monetary})


def sample_bgbb(
    n: int,
    alpha: float,
    beta: float,
    gamma: float,
    delta: float,
    periods: int,
    *,
    random_state: Any = None,
) -> pd.DataFrame:
    """Customers from the BG/BB process (Fader, Hardie and Shang 2010).

    Alive customers transact at each of ``periods`` opportunities with probability
    ``p ~ Beta(alpha, beta)`` and die before each with probability ``theta ~ Beta(gamma, delta)``.
    Returns ``frequency``, ``recency`` (the last opportunity with a transaction, 0 if none) and
    ``periods``.
    """
    rng = np.random.default_rng(random_state)
    p = rng.beta(alpha, beta, n)
    theta = rng.beta(gamma, delta, n)
    alive_periods = np.minimum(rng.geometric(theta) - 1, periods)
    step = np.arange(1, periods + 1)
    buys = (rng.random((n, periods)) < p[:, None]) & (step[None, :] <= alive_periods[:, None])
    x = buys.sum(axis=1)
    recency = np.where(buys, step[None, :], 0).max(axis=1)
    return pd.DataFrame(
        {"frequency": x.astype(float), "recency": recency.astype(float), "periods": float(periods)}
    )


def sample_sbg(
    n: int, alpha: float, beta: float, periods: int, *, random_state: Any = None
) -> pd.DataFrame:
    """Contract customers from the shifted-beta-geometric model (Fader and Hardie 2007).

    Each customer churns at the end of a period with probability ``theta ~ Beta(alpha, beta)``.
    Returns the periods observed (up to ``periods``) and whether the customer churned.
    """
    rng = np.random.default_rng(random_state)
    theta = rng.beta(alpha, beta, n)
    lifetime = rng.geometric(theta)
    churned = lifetime <= periods
    return pd.DataFrame(
        {"periods": np.minimum(lifetime, periods).astype(float), "churned": churned}
    )
