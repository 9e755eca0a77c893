"""Samplers for the "buy 'til you die" processes, at the summary and at the event level.

The summary samplers draw each customer's sufficient statistics ``(frequency, recency, T)``
directly, in O(n) memory and time, without drawing individual purchases: they exist so that
model benchmarks and recovery tests can work with millions of customers in seconds.

Conventions (as in the BG/NBD and Pareto/NBD papers and the ``lifetimes`` package):

- ``frequency`` is the number of *repeat* purchases (the first purchase, at time 0, is not counted);
- ``recency`` is the time of the last repeat purchase since the first purchase (0 when there is
  none);
- ``T`` is the customer's age: the time between the first purchase and the end of observation.

Time is in whatever unit the rate parameters use (``alpha`` and ``beta`` are rates per unit of
time): days if they are per day, weeks if per week. Rates are parameterised as in the papers, so
``lambda ~ Gamma(shape=r, rate=alpha)`` has mean ``r / alpha``.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your customers: who are they
and what will they do next? *Management Science*, 33(1), 1-24.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research*, 42(4), 415-430 (the Gamma-Gamma model).

Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention. *Journal of
Interactive Marketing*, 21(1), 76-90 (the shifted-beta-geometric model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cvm._exceptions import ConfigError

__all__ = [
    "BgnbdPurchases",
    "sample_bgnbd_purchases",
    "simulate_bgbb_summary",
    "simulate_bgnbd_summary",
    "simulate_gamma_gamma_spend",
    "simulate_mbgnbd_summary",
    "simulate_paretonbd_summary",
    "simulate_sbg_durations",
]

_MIN_P = 1e-12


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _positive(**values: float) -> None:
    for name, value in values.items():
        if not np.isfinite(value) or value <= 0:
            raise ConfigError(f"{name} must be a positive number, got {value!r}")


def _ages(n: int, T: float | np.ndarray) -> np.ndarray:
    ages = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if np.any(~np.isfinite(ages)) or np.any(ages < 0):
        raise ConfigError("T (customer age) must be finite and non-negative for every customer")
    return ages


def simulate_bgnbd_summary(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw ``(frequency, recency, T)`` for ``n`` customers from the BG/NBD model.

    Each customer buys as a Poisson process with rate ``lam ~ Gamma(r, rate=alpha)`` and, after
    each repeat purchase, drops out for good with probability ``p ~ Beta(a, b)``.

    Parameters
    ----------
    n : number of customers.
    r, alpha : shape and rate of the purchase-rate distribution (``alpha`` per unit of time).
    a, b : parameters of the dropout-probability distribution.
    T : the age of every customer (scalar) or of each one (array of length ``n``).
    seed : seed or generator, for reproducible draws.

    Returns
    -------
    DataFrame with ``frequency`` (repeat purchases), ``recency``, ``T`` and the latent truth:
    ``lam``, ``p`` and ``alive`` (whether the customer is still active at ``T``).

    Notes
    -----
    Let ``M ~ Poisson(lam T)`` be the purchases the process would make in ``(0, T]`` and
    ``N ~ Geometric(p)`` the repeat purchase after which the customer drops out; then
    ``frequency = min(M, N)``. Given ``M`` the purchase times are uniform order statistics, so
    the time of the ``x``-th of them is ``T * Beta(x, M - x + 1)``: no purchase is drawn.
    """
    return _geometric_summary(n, r, alpha, a, b, T, seed, drop_at_start=False)


def simulate_mbgnbd_summary(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw ``(frequency, recency, T)`` from the MBG/NBD model (Batislam et al. 2007).

    As :func:`simulate_bgnbd_summary`, except that a customer may also drop out right after the
    first purchase (so with probability ``p`` never makes a repeat purchase).
    """
    return _geometric_summary(n, r, alpha, a, b, T, seed, drop_at_start=True)


def _geometric_summary(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    seed: int | np.random.Generator | None,
    *,
    drop_at_start: bool,
) -> pd.DataFrame:
    _positive(r=r, alpha=alpha, a=a, b=b)
    rng = _rng(seed)
    ages = _ages(n, T)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = np.clip(rng.beta(a, b, n), _MIN_P, 1.0)
    would_buy = rng.poisson(lam * ages)
    drop_after = rng.geometric(p) - (1 if drop_at_start else 0)
    frequency = np.minimum(would_buy, drop_after)
    bought = frequency > 0
    recency = np.zeros(n)
    recency[bought] = ages[bought] * rng.beta(
        frequency[bought], would_buy[bought] - frequency[bought] + 1
    )
    return pd.DataFrame(
        {
            "frequency": frequency.astype(np.int64),
            "recency": recency,
            "T": ages,
            "lam": lam,
            "p": p,
            "alive": drop_after > would_buy,
        }
    )


def simulate_paretonbd_summary(
    n: int,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    T: float | np.ndarray,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw ``(frequency, recency, T)`` for ``n`` customers from the Pareto/NBD model.

    Each customer buys as a Poisson process with rate ``lam ~ Gamma(r, rate=alpha)`` during an
    exponential lifetime with rate ``mu ~ Gamma(s, rate=beta)``.

    Returns
    -------
    DataFrame with ``frequency``, ``recency``, ``T`` and the latent ``lam``, ``mu``, ``lifetime``
    and ``alive`` (lifetime longer than ``T``).

    Notes
    -----
    Purchases are Poisson on ``(0, min(lifetime, T)]``: ``frequency ~ Poisson(lam * window)``
    and the last of ``x`` uniform times is ``window * U ** (1 / x)``.
    """
    _positive(r=r, alpha=alpha, s=s, beta=beta)
    rng = _rng(seed)
    ages = _ages(n, T)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    lifetime = rng.exponential(1.0 / np.maximum(mu, 1e-300))
    window = np.minimum(lifetime, ages)
    frequency = rng.poisson(lam * window)
    bought = frequency > 0
    recency = np.zeros(n)
    recency[bought] = window[bought] * rng.random(int(bought.sum())) ** (1.0 / frequency[bought])
    return pd.DataFrame(
        {
            "frequency": frequency.astype(np.int64),
            "recency": recency,
            "T": ages,
            "lam": lam,
            "mu": mu,
            "lifetime": lifetime,
            "alive": lifetime > ages,
        }
    )


def simulate_gamma_gamma_spend(
    frequency: np.ndarray,
    p: float,
    q: float,
    gamma: float,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw each customer's mean spend per repeat purchase from the Gamma-Gamma model.

    Each purchase is ``Gamma(p, rate=nu)`` and ``nu ~ Gamma(q, rate=gamma)``, so a customer's
    expected spend is ``p / nu`` and its mean across customers ``p * gamma / (q - 1)`` (q > 1).

    Returns
    -------
    DataFrame with ``monetary_value`` (the mean of ``frequency`` purchases; 0 where frequency is
    0, as in ``lifetimes``), and the latent ``nu`` and ``expected_spend = p / nu``.

    Notes
    -----
    The mean of ``x`` independent ``Gamma(p, rate=nu)`` draws is ``Gamma(p x, rate=nu x)``, so a
    single draw per customer gives the summary.
    """
    _positive(p=p, q=q, gamma=gamma)
    rng = _rng(seed)
    x = np.asarray(frequency, dtype=np.int64)
    if np.any(x < 0):
        raise ConfigError("frequency must be non-negative")
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    bought = x > 0
    monetary = np.zeros(x.size)
    monetary[bought] = rng.gamma(p * x[bought], 1.0 / (nu[bought] * x[bought]))
    return pd.DataFrame({"monetary_value": monetary, "nu": nu, "expected_spend": p / nu})


def simulate_sbg_durations(
    n: int,
    alpha: float,
    beta: float,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw contract lengths (in periods) from the shifted-beta-geometric model.

    Each customer churns at the end of any period with probability ``theta ~ Beta(alpha, beta)``,
    so the number of paid periods is ``Geometric(theta)`` on 1, 2, ... and the share still active
    after ``t`` periods is ``B(alpha, beta + t) / B(alpha, beta)``.

    Returns
    -------
    DataFrame with ``periods`` (paid periods, uncensored) and the latent ``theta``.
    """
    _positive(alpha=alpha, beta=beta)
    rng = _rng(seed)
    theta = np.clip(rng.beta(alpha, beta, n), _MIN_P, 1.0)
    return pd.DataFrame({"periods": rng.geometric(theta).astype(np.int64), "theta": theta})


def simulate_bgbb_summary(
    n: int,
    alpha: float,
    beta: float,
    gamma: float,
    delta: float,
    periods: int,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw discrete-time histories from the BG/BB model (Fader, Hardie & Shang 2010).

    An alive customer transacts at each of ``periods`` opportunities with probability
    ``p ~ Beta(alpha, beta)`` and dies before each with probability ``theta ~ Beta(gamma,
    delta)``.

    Returns
    -------
    DataFrame with ``frequency``, ``recency`` (the last opportunity with a transaction, 0 if
    none), ``periods`` and the latent ``p`` and ``theta``.
    """
    _positive(alpha=alpha, beta=beta, gamma=gamma, delta=delta)
    rng = _rng(seed)
    p = rng.beta(alpha, beta, n)
    theta = np.clip(rng.beta(gamma, delta, n), _MIN_P, 1.0)
    alive_periods = np.minimum(rng.geometric(theta) - 1, periods)
    step = np.arange(1, periods + 1)
    buys = (rng.random((n, periods)) < p[:, None]) & (step[None, :] <= alive_periods[:, None])
    return pd.DataFrame(
        {
            "frequency": buys.sum(axis=1).astype(np.int64),
            "recency": np.where(buys, step[None, :], 0).max(axis=1).astype(float),
            "periods": float(periods),
            "p": p,
            "theta": theta,
        }
    )


@dataclass
class BgnbdPurchases:
    """The repeat purchases of a BG/NBD population, as flat arrays.

    ``customer`` and ``time`` have one entry per repeat purchase (time since the customer's first
    purchase), sorted by customer then time; ``frequency[i]`` counts customer ``i``'s purchases,
    ``dropout_time[i]`` is when customer ``i`` dropped out (``inf`` if still alive at ``T``).
    """

    customer: np.ndarray
    time: np.ndarray
    frequency: np.ndarray
    dropout_time: np.ndarray


def sample_bgnbd_purchases(
    lam: np.ndarray, p: np.ndarray, T: np.ndarray, rng: np.random.Generator
) -> BgnbdPurchases:
    """Draw every repeat purchase of customers with known rates ``lam`` and dropouts ``p``.

    Works as :func:`simulate_bgnbd_summary` and then places the purchases: the first ``x`` of
    ``M`` uniform order statistics on ``(0, T]`` are ``T * S_k / (S_x + G)`` with ``S`` the
    running sum of ``x`` unit exponentials and ``G ~ Gamma(M - x + 1)``. Cost is linear in the
    number of purchases drawn.
    """
    n = lam.size
    would_buy = rng.poisson(lam * T)
    drop_after = rng.geometric(np.clip(p, _MIN_P, 1.0))
    frequency = np.minimum(would_buy, drop_after).astype(np.int64)
    customer = np.repeat(np.arange(n), frequency)
    steps = rng.standard_exponential(customer.size)
    running = np.cumsum(steps)
    starts = np.cumsum(frequency) - frequency
    before = np.zeros(n)
    has = frequency > 0
    before[has] = np.where(starts[has] > 0, running[np.maximum(starts[has] - 1, 0)], 0.0)
    within = running - before[customer]
    last = np.zeros(n)
    last[has] = within[starts[has] + frequency[has] - 1]
    total = last + rng.standard_gamma(would_buy - frequency + 1.0)
    time = T[customer] * within / total[customer]
    dropout_time = np.full(n, np.inf)
    died = drop_after <= would_buy
    dropout_time[died] = T[died] * last[died] / total[died]
    return BgnbdPurchases(customer, time, frequency, dropout_time)
