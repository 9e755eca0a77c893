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
    """Beta posteriors of each offer's treated response rate and of the held-out rate.

    ``base`` and ``lift`` centre the priors (treated: ``base + lift`` per offer; held out: the
    mean ``base``); the counts are customers and responders per offer and arm. The held-out
    rate is pooled over offers: a customer's response without an offer does not depend on
    which offer they would have had, and ranking offers for one customer needs only the
    treated rates, so pooling makes the ranking learn from every held-out customer at once.
    (Measurement keeps each offer's own control group: ``cvm campaign measure rt.<offer>``.)
    """

    base: np.ndarray
    lift: np.ndarray
    strength: float
    n_treated: np.ndarray
    won_treated: np.ndarray
    n_control: np.ndarray
    won_control: np.ndarray

    def __post_init__(self) -> None:
        self._cache: dict[bool, tuple[np.ndarray, np.ndarray, float, float]] = {}
        self._mean_shift: np.ndarray | None = None

    @classmethod
    def prior(cls, base: np.ndarray, lift: np.ndarray, strength: float) -> Posteriors:
        m = len(base)
        counts = [np.zeros(m) for _ in range(4)]
        return cls(np.asarray(base, float), np.asarray(lift, float), strength, *counts)

    def _params(self, data: bool = True) -> tuple[np.ndarray, np.ndarray, float, float]:
        found = self._cache.get(data)
        if found is None:
            found = self._cache[data] = self._compute(data)
        return found

    def _compute(self, data: bool) -> tuple[np.ndarray, np.ndarray, float, float]:
        eps = 1e-3
        k = max(self.strength, eps)
        p_t = np.clip(self.base + self.lift, eps, 1 - eps)
        p_c = float(np.clip(self.base.mean() if self.base.size else 0.0, eps, 1 - eps))
        w = 1.0 if data else 0.0
        won_t, lost_t = self.won_treated, np.maximum(self.n_treated - self.won_treated, 0)
        won_c = float(self.won_control.sum())
        lost_c = float(max(self.n_control.sum() - won_c, 0.0))
        return (
            k * p_t + w * won_t,
            k * (1 - p_t) + w * lost_t,
            k * p_c + w * won_c,
            k * (1 - p_c) + w * lost_c,
        )

    def mean_lift(self, data: bool = True) -> np.ndarray:
        """The posterior mean of each offer's lift (treated rate minus held-out rate);
        ``data=False``: the prior's."""
        a_t, b_t, a_c, b_c = self._params(data)
        return a_t / (a_t + b_t) - a_c / (a_c + b_c)

    def draw_lift(self, rng: np.random.Generator) -> np.ndarray:
        """One joint draw of every offer's lift (one held-out rate for all)."""
        a_t, b_t, a_c, b_c = self._params()
        return rng.beta(a_t, b_t) - rng.beta(a_c, b_c)

    def shift(self, lifts: np.ndarray) -> np.ndarray:
        """How far ``lifts`` (a draw or the mean) moved each offer from its prior lift: added
        to a customer's own lift (uplift model, learned or configured) before valuing."""
        return np.asarray(lifts, float) - self.mean_lift(data=False)

    def mean_shift(self) -> np.ndarray:
        """``shift(mean_lift())``, kept until the counts change (every decision reads it)."""
        found = self._mean_shift
        if found is None:
            found = self._mean_shift = self.shift(self.mean_lift())
        return found

    def set_counts(self, offer: int, *, treated: bool, customers: int, responders: int) -> None:
        """The customers and responders of an arm of ``offer`` (read from the log)."""
        self._cache.clear()
        self._mean_shift = None
        if treated:
            self.n_treated[offer], self.won_treated[offer] = customers, responders
        else:
            self.n_control[offer], self.won_control[offer] = customers, responders

    def record(self, offer: int, treated: bool, responded: bool = False) -> None:
        """One more customer (and responder) in an arm of ``offer``."""
        self._cache.pop(True, None)
        self._mean_shift = None
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
    if regret <= 0:  # a tie of the means: nothing is given up, nothing explored
        return pick, False
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
