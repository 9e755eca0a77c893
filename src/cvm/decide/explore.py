"""The real-time control group and exploration: who is held out, and how lifts are drawn.

A customer is held out when a hash of a salt and their id falls below the hold-out share, so
the group is random with respect to everything else, the same on every call, and re-drawn by
changing the salt. Each offer's lift is learned as the difference of two response rates,
treated and held out, each with a Beta posterior (the prior centred on the offer's prior rates
with ``strength`` pseudo-observations). Arbitration draws the lifts from these posteriors
(Thompson sampling), so new or uncertain offers are tried in proportion to the chance they are
best; a draw whose choice gives up more than ``cap`` of expected value against the
posterior-mean choice is not taken (the mean decides instead), which bounds what exploration
costs per decision.

References
----------
Thompson, W. R. (1933). On the likelihood that one unknown probability exceeds another in view
of the evidence of two samples. Biometrika 25(3/4), 285-294.
Agrawal, S. & Goyal, N. (2012). Analysis of Thompson sampling for the multi-armed bandit
problem. COLT, JMLR W&CP 23, 39.1-39.26.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

__all__ = ["Posteriors", "choose", "held_out"]

_SCALE = float(2**64)


def held_out(customer_id: str, salt: str, share: float) -> bool:
    """Whether the customer is in the real-time control group (deterministic per salt)."""
    if share <= 0:
        return False
    digest = hashlib.blake2b(f"{salt}\x1f{customer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE < share


@dataclass
class Posteriors:
    """Beta posteriors of each offer's treated and held-out response rates.

    ``base`` and ``lift`` are the prior rates' centre (held out: ``base``; treated:
    ``base + lift``); the counts are customers and responders per arm.
    """

    base: np.ndarray
    lift: np.ndarray
    strength: float
    n_treated: np.ndarray
    won_treated: np.ndarray
    n_control: np.ndarray
    won_control: np.ndarray

    @classmethod
    def prior(cls, base: np.ndarray, lift: np.ndarray, strength: float) -> Posteriors:
        m = len(base)
        counts = [np.zeros(m) for _ in range(4)]
        return cls(np.asarray(base, float), np.asarray(lift, float), strength, *counts)

    def _params(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        eps = 1e-3
        p_c = np.clip(self.base, eps, 1 - eps)
        p_t = np.clip(self.base + self.lift, eps, 1 - eps)
        k = max(self.strength, eps)
        lost_t = np.maximum(self.n_treated - self.won_treated, 0)
        lost_c = np.maximum(self.n_control - self.won_control, 0)
        return (
            k * p_t + self.won_treated,
            k * (1 - p_t) + lost_t,
            k * p_c + self.won_control,
            k * (1 - p_c) + lost_c,
        )

    def mean_lift(self) -> np.ndarray:
        """The posterior mean of each offer's lift (treated rate minus held-out rate)."""
        a_t, b_t, a_c, b_c = self._params()
        return a_t / (a_t + b_t) - a_c / (a_c + b_c)

    def draw_lift(self, rng: np.random.Generator) -> np.ndarray:
        """One draw of each offer's lift from its posterior."""
        a_t, b_t, a_c, b_c = self._params()
        return rng.beta(a_t, b_t) - rng.beta(a_c, b_c)

    def shift(self, lifts: np.ndarray) -> np.ndarray:
        """How far ``lifts`` (a draw or the mean) moved each offer from its prior lift: added
        to a customer's own lift (uplift model, learned or configured) before valuing."""
        return np.asarray(lifts, float) - self.lift

    def record(self, offer: int, treated: bool, responded: bool = False) -> None:
        """One more customer (and responder) in an arm of ``offer``."""
        if treated:
            self.n_treated[offer] += 1
            self.won_treated[offer] += responded
        else:
            self.n_control[offer] += 1
            self.won_control[offer] += responded


def choose(drawn: np.ndarray, mean: np.ndarray, cap: float) -> tuple[int, bool]:
    """(offer index or -1 for none, explored) from per-offer scores under a draw and under
    the posterior mean (-inf: not a candidate; a negative mean is kept, it is the cost of
    trying the offer; none scores 0).

    The drawn choice is taken when what it is expected to give up against the mean's choice
    (the expected regret, by the posterior mean) is at most ``cap``; else the mean decides.
    """
    greedy = _best(mean)
    pick = _best(drawn)
    if pick == greedy:
        return greedy, False
    regret = _worth(mean, greedy) - _worth(mean, pick)
    if regret <= cap:
        return pick, True
    return greedy, False


def _best(scores: np.ndarray) -> int:
    if scores.size == 0:
        return -1
    k = int(np.argmax(scores))
    return k if scores[k] > 0 else -1


def _worth(scores: np.ndarray, k: int) -> float:
    return 0.0 if k < 0 else float(scores[k])
