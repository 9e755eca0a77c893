"""Discount rates and horizons named with their unit, and what ``import cvm.models`` loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm._exceptions import DataError
from cvm.models import BetaGeoModel, customer_lifetime_value, customer_lifetime_value_interval

SRC = Path(__file__).parents[2] / "src"
CDNOW = Path(__file__).parents[1] / "data" / "cdnow" / "cdnow_sample_summary.csv"


@pytest.fixture(scope="module")
def bg(cdnow: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def lifetimes_style_clv(model: BetaGeoModel, x, t_x, T, spend, months: int, rate: float):
    """lifetimes' customer_lifetime_value, written out: each month's expected purchases
    (30 days, in weeks here) discounted at the monthly ``rate``."""
    month = 30 / 7
    total = np.zeros(len(x))
    for i in range(1, months + 1):
        now = model.conditional_expected_number_of_purchases_up_to_time(i * month, x, t_x, T)
        before = model.conditional_expected_number_of_purchases_up_to_time(
            (i - 1) * month, x, t_x, T
        )
        total += spend * (np.asarray(now) - np.asarray(before)) / (1 + rate) ** i
    return total


def test_monthly_rate_and_months_are_lifetimes_units(bg: BetaGeoModel, cdnow) -> None:
    x, t_x, T = (cdnow[c].to_numpy() for c in ("x", "t_x", "T"))
    spend = cdnow["zbar"].to_numpy() + 10.0
    expected = lifetimes_style_clv(bg, x, t_x, T, spend, months=18, rate=0.01)
    ours = customer_lifetime_value(
        bg, x, t_x, T, spend, monthly_discount_rate=0.01, horizon_months=18,
        time_units_per_year=12 * 30 / 7,  # lifetimes' month is 30 days
    )  # fmt: skip
    np.testing.assert_allclose(ours, expected, rtol=1e-10)
    # the same in annual terms: (1.01)^12 - 1 a year over 1.5 years
    annual = customer_lifetime_value(
        bg, x, t_x, T, spend, annual_discount_rate=1.01**12 - 1, horizon_years=1.5,
        time_units_per_year=12 * 30 / 7,
    )  # fmt: skip
    np.testing.assert_allclose(annual, expected, rtol=1e-10)


def test_lifetimes_itself_agrees(bg: BetaGeoModel, cdnow: pd.DataFrame) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    theirs = lifetimes.BetaGeoFitter()
    theirs.params_ = bg.params_.copy()
    theirs.predict = theirs.conditional_expected_number_of_purchases_up_to_time  # set by fit
    gg = lifetimes.GammaGammaFitter()
    gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "v": 15.44})
    x, t_x, T, m = cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"]
    expected = gg.customer_lifetime_value(
        theirs, x, t_x, T, m, time=12, discount_rate=0.01, freq="W"
    )
    spend = gg.conditional_expected_average_profit(x, m)
    # lifetimes' weekly month is 4.345 weeks: 52.14 weeks a year
    ours = customer_lifetime_value(
        bg, x, t_x, T, spend, monthly_discount_rate=0.01, horizon_months=12,
        time_units_per_year=12 * 4.345,
    )  # fmt: skip
    np.testing.assert_allclose(ours, expected.to_numpy(), rtol=1e-8)


def test_old_names_still_work_with_a_warning(bg: BetaGeoModel) -> None:
    args = (bg, [2, 0], [30.0, 0.0], [38.0, 38.0], 20.0)
    new = customer_lifetime_value(*args, annual_discount_rate=0.08, horizon_years=2)
    with pytest.warns(FutureWarning, match="discount_rate= is deprecated"):
        old = customer_lifetime_value(*args, discount_rate=0.08, horizon_years=2)
    np.testing.assert_array_equal(old, new)
    with pytest.warns(FutureWarning, match="horizon= is deprecated"):
        old = customer_lifetime_value(*args, annual_discount_rate=0.08, horizon=2)
    np.testing.assert_array_equal(old, new)
    with pytest.raises(DataError, match="give one discount rate"):
        customer_lifetime_value(*args, annual_discount_rate=0.1, monthly_discount_rate=0.01)
    with pytest.raises(DataError, match="give one horizon"):
        customer_lifetime_value_interval(bg, [1], [1], [2], spend=1.0, horizon_years=1,
                                         horizon_months=12)  # fmt: skip


def _loaded(code: str) -> list[str]:
    """Modules of interest loaded by ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps([m for m in ('sklearn', 'scipy.stats', 'pandas', 'duckdb',"
        " 'pydantic', 'cvm.workspace') if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_cvm_models_loads_no_heavy_library() -> None:
    assert _loaded("import cvm.models") == []


def test_a_clv_fit_never_loads_scikit_learn_or_scipy_stats() -> None:
    code = (
        "import numpy as np\n"
        "from cvm.models import BetaGeoModel, GammaGammaModel, ParetoNBDModel,"
        " customer_lifetime_value\n"
        f"c = np.loadtxt({str(CDNOW)!r}, delimiter=',', skiprows=1)\n"
        "d = {'frequency': c[:, 1], 'recency': c[:, 2], 'T': c[:, 3]}\n"
        "bg = BetaGeoModel().fit(d['frequency'], d['recency'], d['T'])\n"
        "ParetoNBDModel().fit(d['frequency'], d['recency'], d['T'])\n"
        "bg.summary(); bg.probability_of_n_purchases_up_to_time(10, [0, 1, 2])\n"
        "customer_lifetime_value(bg, d['frequency'], d['recency'], d['T'], 10.0)\n"
    )
    loaded = _loaded(code)
    assert "sklearn" not in loaded and "scipy.stats" not in loaded
    assert "pandas" in loaded  # the path needs it: parameters are a Series
