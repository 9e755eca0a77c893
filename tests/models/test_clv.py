"""Customer lifetime value: monotonicity, discounting and Laplace intervals."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from cvm._exceptions import DataError
from cvm.models import (
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    customer_equity,
    customer_lifetime_value,
    customer_lifetime_value_interval,
)

WEEKS = 52.18


@pytest.fixture(scope="module")
def models(cdnow: pd.DataFrame) -> tuple[BetaGeoModel, GammaGammaModel]:
    bg = BetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    repeat = cdnow[cdnow["x"] > 0]
    return bg, GammaGammaModel().fit(repeat["x"], repeat["zbar"])


def _clv(bg: BetaGeoModel, d: pd.DataFrame, spend, **options) -> np.ndarray:
    return customer_lifetime_value(
        bg, d["x"], d["t_x"], d["T"], spend, time_units_per_year=WEEKS, **options
    )


def test_zero_discount_equals_expected_purchases_times_spend(models, cdnow) -> None:
    bg, _ = models
    clv = _clv(bg, cdnow, 20.0, discount_rate=0.0, horizon=1.0, margin=0.5)
    purchases = bg.conditional_expected_number_of_purchases_up_to_time(
        WEEKS, cdnow["x"], cdnow["t_x"], cdnow["T"]
    )
    np.testing.assert_allclose(clv, 0.5 * 20.0 * purchases, rtol=1e-10)


def test_clv_rises_with_margin_and_falls_with_discount_rate(models, cdnow) -> None:
    bg, gg = models
    spend = gg.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"])
    base = _clv(bg, cdnow, spend, margin=0.2, discount_rate=0.1, horizon=3)
    assert np.all(_clv(bg, cdnow, spend, margin=0.3, discount_rate=0.1, horizon=3) > base)
    assert np.all(_clv(bg, cdnow, spend, margin=0.2, discount_rate=0.2, horizon=3) < base)
    assert np.all(_clv(bg, cdnow, spend, margin=0.2, discount_rate=0.1, horizon=4) > base)
    continuous = _clv(bg, cdnow, spend, margin=0.2, discount_rate=0.1, horizon=3, continuous=True)
    assert np.all(continuous > base)  # mid-step discounting is milder than end-of-step
    total = customer_equity(
        bg,
        cdnow["x"],
        cdnow["t_x"],
        cdnow["T"],
        spend,
        margin=0.2,
        discount_rate=0.1,
        horizon=3,
        time_units_per_year=WEEKS,
    )
    assert total == pytest.approx(base.sum())


def test_clv_works_with_pareto_nbd(cdnow) -> None:
    pnbd = ParetoNBDModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    clv = _clv(pnbd, cdnow, 20.0, discount_rate=0.0)
    purchases = pnbd.conditional_expected_number_of_purchases_up_to_time(
        WEEKS, cdnow["x"], cdnow["t_x"], cdnow["T"]
    )
    np.testing.assert_allclose(clv, 20.0 * purchases, rtol=1e-10)


def test_interval_contains_the_point_estimate(models, cdnow) -> None:
    bg, gg = models
    interval = partial(
        customer_lifetime_value_interval,
        bg,
        cdnow["x"],
        cdnow["t_x"],
        cdnow["T"],
        spend_model=gg,
        monetary_value=cdnow["zbar"],
        time_units_per_year=WEEKS,
        n_draws=100,
        random_state=0,
    )
    out = interval()
    assert list(out.columns) == ["clv", "lower", "upper"]
    assert ((out["lower"] <= out["clv"]) & (out["clv"] <= out["upper"])).all()
    assert (out["upper"] > out["lower"]).all()
    spend = gg.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"])
    np.testing.assert_allclose(out["clv"], _clv(bg, cdnow, spend))
    again = interval()
    pd.testing.assert_frame_equal(out, again)  # seeded


def test_bad_options_are_refused(models, cdnow) -> None:
    bg, _ = models
    with pytest.raises(DataError, match="spend has 3 values"):
        _clv(bg, cdnow, [1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="discount_rate"):
        _clv(bg, cdnow, 1.0, discount_rate=-2)
    with pytest.raises(DataError, match="spend"):
        customer_lifetime_value_interval(bg, cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_continuous_discounting_is_the_limit_of_fine_steps(models, cdnow) -> None:
    bg, _ = models
    exact = _clv(bg, cdnow, 20.0, discount_rate=0.15, horizon=2.5, continuous=True)
    fine = _clv(bg, cdnow, 20.0, discount_rate=0.15, horizon=2.5, steps_per_year=2000)
    np.testing.assert_allclose(exact, fine, rtol=2e-4)
    out = customer_lifetime_value_interval(
        bg,
        cdnow["x"][:50],
        cdnow["t_x"][:50],
        cdnow["T"][:50],
        spend=20.0,
        discount_rate=0.15,
        horizon=2.5,
        time_units_per_year=WEEKS,
        continuous=True,
        n_draws=50,
        random_state=1,
    )
    np.testing.assert_allclose(out["clv"], exact[:50])
    assert ((out["lower"] <= out["clv"]) & (out["clv"] <= out["upper"])).all()


class _WholeForecastOnly:
    """A model declared not factorised: the interval takes the per-customer path."""

    factorised = False

    def __init__(self, model: object) -> None:
        self._model = model

    def __getattr__(self, name: str) -> object:
        if name in ("lifetime_part", "alive_part"):
            raise AttributeError(name)
        return getattr(self._model, name)

    def expected_purchases(self, params, t, x, t_x, T):  # the inherited one, on the hidden hooks
        return self._model.lifetime_part(params, t, x, T) * self._model.alive_part(
            params, x, t_x, T
        )


@pytest.mark.parametrize("continuous", [False, True])
@pytest.mark.parametrize("cls", [BetaGeoModel, ParetoNBDModel])
def test_factorised_interval_equals_the_per_customer_computation(
    models, cdnow, cls, continuous
) -> None:
    # the lifetime part is computed once per distinct (x, T): same draws, same intervals
    _, gg = models
    model = cls().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    options = {
        "spend_model": gg, "monetary_value": cdnow["zbar"], "time_units_per_year": WEEKS,
        "n_draws": 60, "random_state": 3, "continuous": continuous,
    }  # fmt: skip
    fast = customer_lifetime_value_interval(model, cdnow["x"], cdnow["t_x"], cdnow["T"], **options)
    slow = customer_lifetime_value_interval(
        _WholeForecastOnly(model), cdnow["x"], cdnow["t_x"], cdnow["T"], **options
    )
    pd.testing.assert_frame_equal(fast, slow, rtol=1e-9)
