"""The summary and event-level samplers reproduce their models' closed forms.

Tolerances are 4 standard errors of the sample statistic, so a correct sampler fails about once
in 16,000 runs, while an error of a few percent in any process is caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln, hyp2f1

from cvm._exceptions import ConfigError
from cvm.datasets import (
    simulate_bgnbd_summary,
    simulate_gamma_gamma_spend,
    simulate_paretonbd_summary,
    simulate_sbg_durations,
)
from cvm.datasets.btyd import sample_bgnbd_purchases

R, ALPHA, A, B = 0.75, 60.0, 0.8, 5.0


def bgnbd_expected_purchases(t: np.ndarray, r: float, alpha: float, a: float, b: float):
    """E[X(t)], Fader, Hardie & Lee (2005), eq. 9."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def bgnbd_p_zero(t: np.ndarray, r: float, alpha: float) -> np.ndarray:
    """P(X(t) = 0): no purchase in (0, t]; dropout only follows a purchase."""
    return (alpha / (alpha + t)) ** r


def within(sample: np.ndarray, expected: float, k: float = 4.0) -> bool:
    se = sample.std(ddof=1) / np.sqrt(sample.size)
    return abs(sample.mean() - expected) < k * se


def test_bgnbd_summary_matches_closed_forms() -> None:
    T = np.random.default_rng(1).uniform(30, 1000, 200_000)
    data = simulate_bgnbd_summary(T.size, R, ALPHA, A, B, T, seed=2)
    freq = data["frequency"].to_numpy()
    assert within(freq - bgnbd_expected_purchases(T, R, ALPHA, A, B), 0.0)
    zero = (freq == 0).astype(float)
    assert within(zero - bgnbd_p_zero(T, R, ALPHA), 0.0)
    assert within(data["lam"].to_numpy(), R / ALPHA)
    assert within(data["p"].to_numpy(), A / (A + B))
    recency = data["recency"].to_numpy()
    assert np.all((recency > 0) == (freq > 0))
    assert np.all(recency <= T)


def test_bgnbd_dead_customers_stop_buying() -> None:
    data = simulate_bgnbd_summary(100_000, R, ALPHA, A, B, 2000.0, seed=3)
    dead = ~data["alive"].to_numpy()
    # a dead customer made at least one repeat purchase (it dropped out after one)
    assert (data["frequency"].to_numpy()[dead] >= 1).all()
    assert 0.2 < dead.mean() < 0.9


def test_paretonbd_summary_matches_expected_purchases() -> None:
    r, alpha, s, beta = 0.55, 10.6, 0.61, 11.7  # weeks (Fader, Hardie & Lee 2005, CDNOW)
    T = np.random.default_rng(4).uniform(27, 39, 200_000)
    data = simulate_paretonbd_summary(T.size, r, alpha, s, beta, T, seed=5)
    expected = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + T)) ** (s - 1))
    assert within(data["frequency"].to_numpy() - expected, 0.0)
    alive = data["alive"].to_numpy()
    assert within(alive.astype(float) - (beta / (beta + T)) ** s, 0.0)


def test_gamma_gamma_spend_mean() -> None:
    p, q, gamma = 6.0, 4.0, 30.0
    freq = np.random.default_rng(6).poisson(2.0, 200_000)
    data = simulate_gamma_gamma_spend(freq, p, q, gamma, seed=7)
    bought = freq > 0
    assert within(data["expected_spend"].to_numpy(), p * gamma / (q - 1))
    assert within(data["monetary_value"].to_numpy()[bought], p * gamma / (q - 1))
    assert (data["monetary_value"].to_numpy()[~bought] == 0).all()


def test_sbg_survival_curve() -> None:
    alpha, beta = 1.2, 8.0
    periods = simulate_sbg_durations(200_000, alpha, beta, seed=8)["periods"].to_numpy()
    for t in (1, 3, 6, 12, 24):
        expected = np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))
        assert within((periods > t).astype(float), expected)
    # heterogeneity: survival is far above the homogeneous (1 - E[theta]) ** t at 24 months
    assert (periods > 24).mean() > 2 * (1 - alpha / (alpha + beta)) ** 24


def test_event_level_purchases_agree_with_the_summary() -> None:
    rng = np.random.default_rng(9)
    n = 100_000
    lam, p = rng.gamma(R, 1 / ALPHA, n), rng.beta(A, B, n)
    T = rng.uniform(30, 1000, n)
    drawn = sample_bgnbd_purchases(lam, p, T, rng)
    assert np.array_equal(np.bincount(drawn.customer, minlength=n), drawn.frequency)
    assert np.all(drawn.time > 0) and np.all(drawn.time <= T[drawn.customer])
    same = drawn.customer[1:] == drawn.customer[:-1]
    assert np.all(np.diff(drawn.time)[same] > 0)
    assert within(drawn.frequency - bgnbd_expected_purchases(T, R, ALPHA, A, B), 0.0)
    # the wait for the first repeat purchase does not depend on dropout
    first = np.full(n, np.inf)
    starts = np.cumsum(drawn.frequency) - drawn.frequency
    has = drawn.frequency > 0
    first[has] = drawn.time[starts[has]]
    old = T >= 180
    assert within((first[old] > 180).astype(float), float(bgnbd_p_zero(180.0, R, ALPHA)))
    died = np.isfinite(drawn.dropout_time)
    last = np.zeros(n)
    last[has] = drawn.time[starts[has] + drawn.frequency[has] - 1]
    assert np.allclose(drawn.dropout_time[died], last[died])


@pytest.mark.parametrize(
    ("args", "name"),
    [((10, -1.0, 1.0, 1.0, 1.0, 5.0), "r"), ((10, 1.0, 0.0, 1.0, 1.0, 5.0), "alpha")],
)
def test_bad_parameters_are_named(args: tuple, name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        simulate_bgnbd_summary(*args)


def test_negative_age_is_refused() -> None:
    with pytest.raises(ConfigError, match="T"):
        simulate_bgnbd_summary(3, R, ALPHA, A, B, np.array([1.0, -1.0, 2.0]))
