"""The forecasting hooks every transaction model declares, and BG/BB's share of them.

CLV discounts ``lifetime_part x alive_part`` at the fit or at draws of the parameters; these
tests pin the hooks to the papers' formulas written out here, independently of the models.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, gammaln, logsumexp

from cvm.models import (
    BetaGeoBetaBinomModel,
    TransactionModel,
    customer_lifetime_value,
    customer_lifetime_value_interval,
)

X = np.array([0.0, 1, 3, 6, 2])
T_X = np.array([0.0, 1, 5, 6, 2])
N = np.array([6.0, 6, 6, 6, 4])


def _likelihood(a: float, b: float, g: float, d: float, x: float, t_x: float, n: float) -> float:
    """Fader, Hardie and Shang (2010), eq. 5: alive through n, or died after t_x + i."""
    terms = [betaln(a + x, b + n - x) + betaln(g, d + n)]
    for i in range(int(n - t_x)):
        terms.append(betaln(a + x, b + t_x - x + i) + betaln(g + 1, d + t_x + i))
    return float(logsumexp(terms) - betaln(a, b) - betaln(g, d))


def _params(model: Any) -> dict[str, float]:
    return {str(k): float(v) for k, v in model.params_.items()}


def test_bgbb_likelihood_is_the_paper_s(bgbb: BetaGeoBetaBinomModel) -> None:
    p = _params(bgbb)
    rows = bgbb._row_log_likelihood(bgbb.params_.to_numpy(), {"x": X, "t_x": T_X, "n": N})
    expected = [_likelihood(*p.values(), x, t, n) for x, t, n in zip(X, T_X, N, strict=True)]
    np.testing.assert_allclose(rows, expected, rtol=1e-12)


def test_bgbb_hooks_give_eq_11_and_eq_13(bgbb: BetaGeoBetaBinomModel) -> None:
    p = _params(bgbb)
    a, b, g, d = p.values()
    ll = np.array([_likelihood(a, b, g, d, x, t, n) for x, t, n in zip(X, T_X, N, strict=True)])
    # eq. 11: P(alive at n + 1 | x, t_x, n)
    alive = np.exp(
        betaln(a + X, b + N - X) - betaln(a, b) + betaln(g, d + N + 1) - betaln(g, d) - ll
    )
    np.testing.assert_allclose(bgbb.alive_part(p, X, T_X, N), alive, rtol=1e-12)
    np.testing.assert_allclose(bgbb.conditional_probability_alive(X, T_X, N), alive, rtol=1e-12)
    # eq. 13: E[X(n, n + n*) | x, t_x, n], n* = 5
    later = 5.0
    lead = np.exp(betaln(a + X + 1, b + N - X) - betaln(a, b) - ll)
    ratio = gammaln(g + d) - gammaln(1 + d)
    bracket = np.exp(ratio + gammaln(1 + d + N) - gammaln(g + d + N)) - np.exp(
        ratio + gammaln(1 + d + N + later) - gammaln(g + d + N + later)
    )
    expected = lead * d / (g - 1) * bracket
    np.testing.assert_allclose(
        bgbb.conditional_expected_number_of_purchases_up_to_time(later, X, T_X, N),
        expected,
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        bgbb.lifetime_part(p, later, X, N) * bgbb.alive_part(p, X, T_X, N), expected, rtol=1e-10
    )


def test_bgbb_p_alive_ahead_survives_the_extra_opportunities(bgbb: BetaGeoBetaBinomModel) -> None:
    p = _params(bgbb)
    g, d = p["gamma"], p["delta"]
    now = bgbb.conditional_probability_alive(X, T_X, N)
    later = bgbb.conditional_probability_alive(X, T_X, N, future=2)
    np.testing.assert_allclose(later, now * np.exp(betaln(g, d + N + 3) - betaln(g, d + N + 1)))


def test_bgbb_clv_discounts_its_forecast(bgbb: BetaGeoBetaBinomModel) -> None:
    # yearly opportunities, one discounting step a year: undiscounted CLV is spend x E[X]
    options = {"time_units_per_year": 1.0, "steps_per_year": 1, "horizon": 5.0}
    clv = customer_lifetime_value(bgbb, X, T_X, N, 10.0, discount_rate=0.0, **options)
    purchases = bgbb.conditional_expected_number_of_purchases_up_to_time(5.0, X, T_X, N)
    np.testing.assert_allclose(clv, 10.0 * purchases, rtol=1e-12)
    # at 10% a year, each year's expected donations are discounted by its own factor
    yearly = np.diff(
        [bgbb.conditional_expected_number_of_purchases_up_to_time(h, X, T_X, N) for h in range(6)],
        axis=0,
    )
    factors = 1.1 ** -np.arange(1, 6)
    discounted = customer_lifetime_value(bgbb, X, T_X, N, 10.0, discount_rate=0.1, **options)
    np.testing.assert_allclose(discounted, 10.0 * factors @ yearly, rtol=1e-12)


class _PerCustomer:
    """The model declared not factorised: CLV then forecasts customer by customer."""

    factorised = False

    def __init__(self, model: Any) -> None:
        self._model = model

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def test_bgbb_interval_same_by_both_paths(bgbb: BetaGeoBetaBinomModel) -> None:
    options: dict[str, Any] = {
        "spend": 10.0, "time_units_per_year": 1.0, "steps_per_year": 1, "horizon": 5.0,
        "n_draws": 40, "random_state": 2,
    }  # fmt: skip
    fast = customer_lifetime_value_interval(bgbb, X, T_X, N, **options)
    slow = customer_lifetime_value_interval(_PerCustomer(bgbb), X, T_X, N, **options)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(fast, slow, rtol=1e-10)
    assert ((fast["lower"] < fast["clv"]) & (fast["clv"] < fast["upper"])).all()


def test_a_transaction_model_must_declare_every_hook() -> None:
    class Partial(TransactionModel):
        def fit(self, frequency: Any, recency: Any, T: Any, *, weights: Any = None) -> Any:
            return self

    with pytest.raises(TypeError, match="abstract"):
        Partial()  # type: ignore[abstract]
    missing = TransactionModel.__abstractmethods__
    assert {"alive_part", "lifetime_part", "conditional_probability_alive"} <= missing
