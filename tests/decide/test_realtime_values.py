"""A real-time decision values one customer's candidates from the snapshot's bases; the
numbers must be the plan's (offer_factors over everyone) for that customer, bit for bit,
under any lift shift; and the posterior mean's shift follows the counts."""

from __future__ import annotations

import numpy as np

from cvm.decide.catalog import Offer
from cvm.decide.explore import Posteriors
from cvm.decide.value import offer_bases, offer_factors, valued
from cvm.settings import DecideSettings

OFFERS = [
    Offer(id="welcome-back", kind="win-back", channel="email", unit_cost=0.05, lift=0.04),
    Offer(id="stay-10", kind="retention", channel="email", unit_cost=0.1, discount=0.1, lift=0.3),
    Offer(id="accessory", kind="cross-sell", channel="email", unit_cost=0.05, margin=0.4),
    Offer(id="sms-upgrade", kind="up-sell", channel="sms", unit_cost=0.3, order_value=80.0),
    Offer(id="friend", kind="referral", channel="push", unit_cost=0.01, base_rate=0.02),
]
FIELDS = ("propensity", "lift", "value", "cost", "weight", "ev", "score")


def _customers(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    def column(lo: float, hi: float) -> np.ndarray:
        a = rng.uniform(lo, hi, n)
        a[rng.random(n) < 0.2] = np.nan  # prospects: no scores, no orders
        return a

    return {
        "p_alive": column(0, 1),
        "expected_purchases": column(0, 4),
        "clv": column(0, 400),
        "order_value": column(0, 120),
    }


def test_one_customer_valued_from_the_bases_is_the_plan_s_row() -> None:
    rng = np.random.default_rng(7)
    n, m = 60, len(OFFERS)
    settings = DecideSettings()
    people = _customers(n, rng)
    lift = rng.uniform(-0.1, 0.6, (n, m))
    source = rng.integers(0, 3, (n, m)).astype(np.int8)
    context = rng.uniform(0.5, 1.5, (n, m))
    eligible = rng.random((n, m)) < 0.8
    mean_order = float(np.nanmean(people["order_value"]))
    bases = offer_bases(OFFERS, settings, **people, lift_source=source, mean_order=mean_order)
    for shift in (np.zeros(m), rng.normal(0, 0.05, m)):
        whole = offer_factors(
            OFFERS,
            settings,
            **people,
            lift=lift + shift,
            lift_source=source,
            context=context,
            eligible=eligible,
            dtype=np.float64,
            mean_order=mean_order,
        )
        for row in range(n):
            ks = [0, 2, 4] if row % 2 else [1, 3]
            one = valued(
                bases.rows(row, ks),
                lift[row, ks][None, :] + shift[ks][None, :],
                source[row, ks],
                context=context[row, ks][None, :],
                eligible=eligible[row, ks],
                dtype=np.float64,
            )
            for name in FIELDS:
                got, want = getattr(one, name), getattr(whole, name)
                want = want[ks] if want.ndim == 1 else want[row, ks]
                np.testing.assert_array_equal(got.reshape(-1), want, err_msg=name)
    # the bounds bite somewhere, or the comparison proves little
    assert (whole.lift < lift + shift).any() and np.isinf(whole.score).any()


def test_the_mean_shift_follows_the_counts() -> None:
    post = Posteriors.prior(np.array([0.1, 0.2]), np.array([0.05, 0.01]), strength=10.0)
    assert np.allclose(post.mean_shift(), 0.0)  # no data: the prior's own lift
    post.record(0, treated=True, responded=True)
    first = post.mean_shift()
    assert first[0] > 0 and first[1] == 0.0
    np.testing.assert_array_equal(first, post.shift(post.mean_lift()))
    post.set_counts(1, treated=False, customers=50, responders=25)
    np.testing.assert_array_equal(post.mean_shift(), post.shift(post.mean_lift()))
    assert post.mean_shift()[0] < first[0]  # held-out customers responded: less lift
