"""P(alive) at a future date: checked against simulation from known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from cvm import DataError
from cvm.datasets import simulate_paretonbd_summary
from cvm.datasets.btyd import sample_bgnbd_purchases
from cvm.models import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel


def fixed(model_cls: type, **params: float):
    """A model at known parameters (no fit): what the truth predicts."""
    model = model_cls()
    model.params_ = pd.Series(params, dtype=float)
    model._covariate_names = []  # as a fit without covariates leaves it
    return model


def test_future_zero_is_alive_now() -> None:
    bg = fixed(BetaGeoModel, r=0.8, alpha=10.0, a=0.8, b=3.0)
    x, t_x, T = np.array([0.0, 2.0, 5.0]), np.array([0.0, 10.0, 40.0]), np.array([50.0] * 3)
    now = bg.conditional_probability_alive(x, t_x, T)
    np.testing.assert_allclose(bg.conditional_probability_alive(x, t_x, T, future=0), now)
    later = bg.conditional_probability_alive(x, t_x, T, future=30)
    assert (later < now).all() and (later > 0).all()
    with pytest.raises(DataError, match="future"):
        bg.conditional_probability_alive(x, t_x, T, future=-1)


def test_bgnbd_factor_is_the_posterior_expectation() -> None:
    # 2F1(r+x, a; a+b+x; -t/(alpha+T)) = E[((alpha+T)/(alpha+T+p t))^(r+x)], p ~ Beta(a, b+x)
    r, alpha, a, b, x, T, t = 0.8, 10.0, 0.8, 3.0, 3.0, 50.0, 120.0
    bg = fixed(BetaGeoModel, r=r, alpha=alpha, a=a, b=b)
    ratio = (
        bg.conditional_probability_alive([x], [40.0], [T], future=t)[0]
        / (bg.conditional_probability_alive([x], [40.0], [T])[0])
    )
    dens = stats.beta(a, b + x).pdf
    expected, _ = integrate.quad(
        lambda p: dens(p) * ((alpha + T) / (alpha + T + p * t)) ** (r + x), 0, 1
    )
    assert ratio == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("drop_at_start", [False, True])
def test_bgnbd_and_mbgnbd_future_alive_match_simulation(drop_at_start: bool) -> None:
    # customers without a repeat purchase by T = 30: the share still alive at T + 60
    r, alpha, a, b, T, ahead, n = 0.8, 10.0, 0.8, 3.0, 30.0, 60.0, 400_000
    rng = np.random.default_rng(11)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    dead_at_start = drop_at_start & (rng.random(n) < p)
    sim = sample_bgnbd_purchases(lam, p, np.full(n, T + ahead), rng)
    # a customer who dropped out at the first purchase (MBG/NBD) never buys again
    before = np.where(dead_at_start, 0, np.bincount(sim.customer[sim.time <= T], minlength=n))
    quiet = before == 0
    alive_later = np.isinf(sim.dropout_time) & ~dead_at_start
    observed = alive_later[quiet].mean()
    model = fixed(ModifiedBetaGeoModel if drop_at_start else BetaGeoModel, r=r, alpha=alpha,
                  a=a, b=b)  # fmt: skip
    predicted = model.conditional_probability_alive([0.0], [0.0], [T], future=ahead)[0]
    se = np.sqrt(predicted * (1 - predicted) / quiet.sum())
    assert abs(observed - predicted) < 4 * se


def test_paretonbd_future_alive_matches_simulation() -> None:
    r, alpha, s, beta, T, ahead, n = 0.6, 10.0, 0.7, 12.0, 30.0, 60.0, 400_000
    sim = simulate_paretonbd_summary(n, r, alpha, s, beta, T, seed=5)
    quiet = sim["frequency"].to_numpy() == 0
    observed = (sim["lifetime"].to_numpy()[quiet] > T + ahead).mean()
    model = fixed(ParetoNBDModel, r=r, alpha=alpha, s=s, beta=beta)
    predicted = model.conditional_probability_alive([0.0], [0.0], [T], future=ahead)[0]
    se = np.sqrt(predicted * (1 - predicted) / quiet.sum())
    assert abs(observed - predicted) < 4 * se
