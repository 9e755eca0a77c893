"""Extreme but valid histories give finite likelihoods and predictions in every model.

x = 0, x = 500, recency = T and T = 5000 (days), as the issue asks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvm.models import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    ShiftedBetaGeometricModel,
)

X = np.array([0.0, 500, 500, 500, 1, 3])
T_X = np.array([0.0, 5000, 10, 4999.5, 5000, 0.5])
T = np.array([5000.0, 5000, 5000, 5000, 5000, 0.5])


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_continuous_time_models(cls, cdnow: pd.DataFrame) -> None:
    model = cls().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    rows = model._row_log_likelihood(model.params_.to_numpy(), {"x": X, "t_x": T_X, "T": T})
    assert np.isfinite(rows).all()
    alive = model.conditional_probability_alive(X, T_X, T)
    assert np.isfinite(alive).all() and np.all((alive >= 0) & (alive <= 1))
    for horizon in (1.0, 5000.0):
        e = model.conditional_expected_number_of_purchases_up_to_time(horizon, X, T_X, T)
        assert np.isfinite(e).all() and np.all(e >= 0)
    assert np.isfinite(model.expected_number_of_purchases_up_to_time([1, 5000])).all()


def test_gamma_gamma(cdnow: pd.DataFrame) -> None:
    repeat = cdnow[cdnow["x"] > 0]
    model = GammaGammaModel().fit(repeat["x"], repeat["zbar"])
    x, m = np.array([1.0, 500, 500]), np.array([1e-3, 1e6, 20.0])
    rows = model._row_log_likelihood(model.params_.to_numpy(), {"x": x, "m": m})
    assert np.isfinite(rows).all()
    assert np.isfinite(model.conditional_expected_average_profit(x, m)).all()


def test_bgbb_and_sbg(bgbb: BetaGeoBetaBinomModel) -> None:
    x, t_x, n = (
        np.array([0.0, 500, 500, 5000]),
        np.array([0.0, 5000, 500, 5000]),
        np.full(4, 5000.0),
    )
    rows = bgbb._row_log_likelihood(bgbb.params_.to_numpy(), {"x": x, "t_x": t_x, "n": n})
    assert np.isfinite(rows).all()
    assert np.isfinite(bgbb.conditional_probability_alive(x, t_x, n)).all()
    assert np.isfinite(
        bgbb.conditional_expected_number_of_purchases_up_to_time(10, x, t_x, n)
    ).all()
    sbg = ShiftedBetaGeometricModel().fit_survival([1000, 631, 468, 382, 326, 289, 262, 241])
    for values in (
        sbg.survival([0, 5000]),
        sbg.retention_rate([1, 5000]),
        sbg.churn_probability([1, 5000]),
        sbg.discounted_expected_residual_lifetime(0.01, [0, 5000]),
    ):
        assert np.isfinite(values).all()


def test_bgnbd_expectation_stays_finite_for_far_out_parameters() -> None:
    # A fit on a handful of customers can run to a ~ 1e4, b ~ 1e-4: Euler's form of the
    # hypergeometric term then gives 0 * inf; the direct form must take over, no NaN.
    x, T, t = np.array([0.0, 1.0, 3.0]), np.array([265.0, 355.0, 300.0]), np.array([365.0])
    r, alpha = 0.109, 18.56
    params = {"r": r, "alpha": alpha, "a": 11015.4, "b": 0.00018}
    value = BetaGeoModel().lifetime_part(params, t, x, T)
    assert np.isfinite(value).all() and (value >= 0).all()
    # never more than a customer who never drops out would buy: (r + x) / (alpha + T) per day
    assert (value <= (r + x) / (alpha + T) * t + 1e-9).all()


def test_mbgnbd_expectation_stays_finite_for_far_out_parameters() -> None:
    x, t_x, T = (
        np.array([0.0, 1.0, 3.0]),
        np.array([0.0, 100.0, 250.0]),
        np.array([265.0, 355.0, 300.0]),
    )
    params = {"r": 0.109, "alpha": 18.56, "a": 11015.4, "b": 0.00018}
    value = ModifiedBetaGeoModel().expected_purchases(params, np.array([365.0]), x, t_x, T)
    assert np.isfinite(value).all() and (value >= 0).all()
    assert (value <= (0.109 + x) / (18.56 + T) * 365.0 + 1e-9).all()
