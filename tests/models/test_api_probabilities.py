"""P(X(t) = n) and the P(alive) matrix of BG/NBD, MBG/NBD and Pareto/NBD.

Checked three ways that do not use the code under test twice: the probabilities of every n sum
to 1 and their mean is the closed-form E[X(t)] (a different formula); they match a Monte Carlo
simulation of each model's process; and they match lifetimes (when installed) at the same
parameters. Parameters are the published CDNOW fits (weeks): Fader, Hardie and Lee (2005),
Marketing Science 24(2) for BG/NBD; Fader and Hardie (2005) note for Pareto/NBD; lifetimes'
tests for MBG/NBD.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from cvm.models import BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel

PUBLISHED: dict[type, dict[str, float]] = {
    BetaGeoModel: {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258},
    ModifiedBetaGeoModel: {"r": 0.5248, "alpha": 6.1830, "a": 0.8914, "b": 1.6140},
    ParetoNBDModel: {"r": 0.5533, "alpha": 10.5776, "s": 0.6062, "beta": 11.6679},
}


def at(cls: type, params: dict[str, float]) -> Any:
    """A model of ``cls`` with the given parameters (as a fit would leave them)."""
    model = cls()
    model.params_ = pd.Series(params, name="coef")
    model._data_range = (20.0, 39.0)
    return model


def simulate_counts(cls: type, p: dict[str, float], t: float, n: int, seed: int) -> np.ndarray:
    """Repeat purchases by ``t`` of ``n`` new customers, drawn from the model's story."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(p["r"], 1.0 / p["alpha"], n)
    poisson = rng.poisson(lam * t) if cls is not ParetoNBDModel else None
    if cls is ParetoNBDModel:
        mu = rng.gamma(p["s"], 1.0 / p["beta"], n)
        lifetime = rng.exponential(1.0 / mu)
        return rng.poisson(lam * np.minimum(t, lifetime))
    drop = rng.beta(p["a"], p["b"], n)
    # purchases made up to and including the one after which she drops out
    until_drop = rng.geometric(drop)
    counts = np.minimum(poisson, until_drop)
    if cls is ModifiedBetaGeoModel:  # one more dropout chance, at the first purchase
        counts = np.where(rng.random(n) < drop, 0, counts)
    return counts


@pytest.mark.parametrize("cls", list(PUBLISHED), ids=lambda c: c.__name__)
@pytest.mark.parametrize("t", [5.0, 39.0, 78.0])
def test_probabilities_sum_to_one_and_have_the_closed_form_mean(cls: type, t: float) -> None:
    model = at(cls, PUBLISHED[cls])
    n = np.arange(0, 400)
    prob = model.probability_of_n_purchases_up_to_time(t, n)
    assert (prob >= 0).all()
    assert prob.sum() == pytest.approx(1.0, abs=1e-9)
    mean = float(model.expected_number_of_purchases_up_to_time(t)[0])
    assert float((n * prob).sum()) == pytest.approx(mean, rel=1e-6)


@pytest.mark.parametrize("cls", list(PUBLISHED), ids=lambda c: c.__name__)
def test_probabilities_match_a_simulation_of_the_process(cls: type) -> None:
    params, t, size = PUBLISHED[cls], 39.0, 400_000
    counts = simulate_counts(cls, params, t, size, seed=7)
    model = at(cls, params)
    for n in range(5):
        expected = float(model.probability_of_n_purchases_up_to_time(t, n)[0])
        share = float(np.mean(counts == n))
        se = np.sqrt(expected * (1 - expected) / size)
        assert abs(share - expected) < 5 * se, (n, share, expected)


def test_probabilities_match_lifetimes_at_the_same_parameters() -> None:
    lifetimes = pytest.importorskip("lifetimes")
    for cls, theirs in (
        (BetaGeoModel, lifetimes.BetaGeoFitter()),
        (ModifiedBetaGeoModel, lifetimes.ModifiedBetaGeoFitter()),
    ):
        theirs.params_ = pd.Series(PUBLISHED[cls])
        ours = at(cls, PUBLISHED[cls])
        for t, n in ((10.0, 0), (39.0, 2), (78.0, 7)):
            expected = theirs.probability_of_n_purchases_up_to_time(t, n)
            got = ours.probability_of_n_purchases_up_to_time(t, n)[0]
            assert got == pytest.approx(expected, rel=1e-9)
    # lifetimes' Pareto/NBD has only the conditional P(Y(t) = n | x, t_x, T); a customer seen
    # for (almost) no time with no purchase is a new customer
    pareto = lifetimes.ParetoNBDFitter()
    pareto.params_ = pd.Series(PUBLISHED[ParetoNBDModel])
    ours = at(ParetoNBDModel, PUBLISHED[ParetoNBDModel])
    for t, n in ((10.0, 0), (39.0, 2), (78.0, 5)):
        expected = pareto.conditional_probability_of_n_purchases_up_to_time(n, t, 0, 0, 1e-9)
        got = ours.probability_of_n_purchases_up_to_time(t, n)[0]
        assert got == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("cls", list(PUBLISHED), ids=lambda c: c.__name__)
def test_alive_matrix_is_lifetimes_layout(cls: type) -> None:
    model = at(cls, PUBLISHED[cls])
    matrix = model.conditional_probability_alive_matrix(max_frequency=6, max_recency=30)
    assert matrix.shape == (31, 7)  # [recency, frequency], as lifetimes
    # a customer seen for 30 weeks whose 6th repeat purchase was in week 30 is surely alive
    # more than one whose last purchase was in week 2
    assert matrix[30, 6] > matrix[2, 6]
    # the defaults are the fitted data's largest frequency and T
    assert model.conditional_probability_alive_matrix().shape == (40, 21)
    lifetimes = pytest.importorskip("lifetimes")
    name = {
        BetaGeoModel: "BetaGeoFitter",
        ModifiedBetaGeoModel: "ModifiedBetaGeoFitter",
        ParetoNBDModel: "ParetoNBDFitter",
    }[cls]
    theirs = getattr(lifetimes, name)()
    theirs.params_ = pd.Series(PUBLISHED[cls])
    expected = theirs.conditional_probability_alive_matrix(max_frequency=6, max_recency=30)
    np.testing.assert_allclose(matrix, expected, rtol=1e-8)


def test_alive_matrix_against_a_simulated_population() -> None:
    """P(alive) of BG/NBD customers with a given history is the alive share among simulated
    customers who show that history (frequency 2, last purchase in weeks 20-30, T = 30)."""
    p = PUBLISHED[BetaGeoModel]
    rng = np.random.default_rng(3)
    size, T = 1_500_000, 30.0
    lam = rng.gamma(p["r"], 1.0 / p["alpha"], size)
    drop = rng.beta(p["a"], p["b"], size)
    # the first three purchase times of each customer and whether she dropped after each
    gaps = rng.exponential(1.0 / lam[:, None], (size, 3))
    times = np.cumsum(gaps, axis=1)
    dropped = rng.random((size, 3)) < drop[:, None]
    # exactly 2 repeat purchases by T: alive through the 1st, 2nd bought by T, then either the
    # 3rd after T (alive) or she dropped after the 2nd (dead)
    two = (times[:, 1] <= T) & ~dropped[:, 0] & (dropped[:, 1] | (times[:, 2] > T))
    window = two & (times[:, 1] >= 20) & (times[:, 1] < 30)
    alive = window & ~dropped[:, 1]
    model = at(BetaGeoModel, p)
    matrix = model.conditional_probability_alive_matrix(max_frequency=2, max_recency=30)
    recency = times[window, 1]
    # expected share alive: the matrix's P(alive) at each simulated recency (interpolated)
    expected = np.interp(recency, np.arange(31), matrix[:, 2]).mean()
    share = alive.sum() / window.sum()
    se = np.sqrt(share * (1 - share) / window.sum())
    assert abs(share - expected) < 5 * se + 0.01
