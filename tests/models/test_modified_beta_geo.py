"""MBG/NBD: parity with lifetimes on CDNOW, recovery and stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from model_helpers import assert_truth_in_intervals

from cvm.datasets import simulate_mbgnbd_summary
from cvm.models import ModifiedBetaGeoModel


def test_parity_with_lifetimes_on_cdnow(cdnow: pd.DataFrame) -> None:
    # lifetimes 0.11 tests/test_estimation.py (ModifiedBetaGeoFitter on the CDNOW sample):
    # r = 0.525, alpha = 6.183, a = 0.891, b = 1.614.
    p = ModifiedBetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"]).params_
    np.testing.assert_allclose(p, [0.525, 6.183, 0.891, 1.614], atol=1e-3)


@pytest.mark.slow
def test_recovery_and_stability() -> None:
    truth = {"r": 0.6, "alpha": 8.0, "a": 0.9, "b": 3.0}
    d = simulate_mbgnbd_summary(30_000, **truth, T=np.linspace(20, 80, 30_000), seed=3)
    model = ModifiedBetaGeoModel().fit(d["frequency"], d["recency"], d["T"])
    assert_truth_in_intervals(model, truth)
    x, t_x, T = np.array([0, 500, 500]), np.array([0, 5000, 10]), np.full(3, 5000.0)
    p = model.conditional_probability_alive(x, t_x, T)
    assert np.isfinite(p).all() and p[0] < 1  # unlike BG/NBD, x = 0 may be dead
    e = model.conditional_expected_number_of_purchases_up_to_time(365, x, t_x, T)
    assert np.isfinite(e).all()
    # the unconditional expectation equals the conditional one of a brand-new customer
    new = model.conditional_expected_number_of_purchases_up_to_time(30, [0], [0], [1e-9])
    assert new[0] == pytest.approx(model.expected_number_of_purchases_up_to_time(30)[0], rel=1e-6)
