"""Exploration on a simulated stream of decisions: Thompson draws under a regret cap learn the
best offer, so cumulative regret grows sub-linearly, while the fixed best guess pays the same
regret on every decision for ever."""

from __future__ import annotations

import numpy as np
import pytest

from cvm.decide.explore import Posteriors, choose

CONTROL = 0.05
TREATED = np.array([0.07, 0.06, 0.10, 0.04])  # true lifts 0.02, 0.01, 0.05, -0.01
GUESS = np.array([0.05, 0.02, 0.01, 0.03])  # the catalog's priors: offer 0 looks best
VALUE, COST, HOLDOUT = 100.0, 1.0, 0.1
TRUE_SCORE = (TREATED - CONTROL) * VALUE - COST  # 1, 0, 4, -2
BEST = max(TRUE_SCORE.max(), 0.0)


def simulate(steps: int, cap: float, seed: int, learn: bool = True) -> tuple[np.ndarray, list]:
    """Regret per decision, and (mean scores, pick) of every explored decision."""
    rng = np.random.default_rng(seed)
    post = Posteriors.prior(np.full(4, CONTROL), GUESS, strength=20.0)
    regret = np.zeros(steps)
    explored = []
    for t in range(steps):
        mean = post.mean_lift() * VALUE - COST
        drawn = post.draw_lift(rng) * VALUE - COST
        k, was_explored = choose(drawn, mean, cap)
        if was_explored:
            explored.append((mean.copy(), k))
        regret[t] = BEST - (TRUE_SCORE[k] if k >= 0 else 0.0)
        if k < 0 or not learn:
            continue
        treated = rng.random() >= HOLDOUT
        rate = TREATED[k] if treated else CONTROL
        post.record(k, treated=treated, responded=bool(rng.random() < rate))
    return regret, explored


STEPS = 6000


def test_the_fixed_best_guess_loses_the_same_on_every_decision() -> None:
    fixed, _ = simulate(1000, cap=0.0, seed=0, learn=False)
    assert (fixed == BEST - TRUE_SCORE[0]).all()  # offer 0 for ever: 3 lost per decision


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_regret_grows_sublinearly_against_the_fixed_best_guess(seed: int) -> None:
    thompson, _ = simulate(STEPS, cap=5.0, seed=seed)
    fixed_total = (BEST - TRUE_SCORE[0]) * STEPS
    assert thompson.sum() < fixed_total / 3
    thirds = thompson.reshape(3, -1).sum(axis=1)
    assert thirds[2] < thirds[0] / 4  # each stretch of decisions loses less than the one before
    assert thirds[1] < thirds[0]


def test_no_draw_gives_up_more_than_the_cap() -> None:
    cap = 0.5
    _, explored = simulate(3000, cap=cap, seed=4)
    assert explored  # it does explore
    for mean, k in explored:
        greedy = int(np.argmax(mean)) if mean.max() > 0 else -1
        given_up = (mean[greedy] if greedy >= 0 else 0.0) - (mean[k] if k >= 0 else 0.0)
        assert 0 < given_up <= cap + 1e-12


def test_cap_zero_never_explores() -> None:
    _, explored = simulate(500, cap=0.0, seed=5)
    assert explored == []


def test_choose_prefers_none_when_every_mean_is_negative_and_draws_are_too_costly() -> None:
    mean = np.array([-3.0, -np.inf])
    assert choose(np.array([2.0, -np.inf]), mean, cap=1.0) == (-1, False)
    assert choose(np.array([2.0, -np.inf]), mean, cap=5.0) == (0, True)
    assert choose(np.array([-1.0, -np.inf]), mean, cap=5.0) == (-1, False)
