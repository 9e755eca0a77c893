"""The CLV job from a notebook: model names, default cutoff, short reprs, units named, a
workspace created twice, a workspace in euros."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cvm._exceptions import ConfigError, DataError, WorkspaceError
from cvm.cli import app
from cvm.clv import fit_clv, score_clv
from cvm.ingest import load_file
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def log(cdnow_log: pd.DataFrame) -> pd.DataFrame:
    """The CDNOW purchase log to the end of 1997, ids with leading zeros."""
    frame = cdnow_log[cdnow_log["ts"] < "1998-01-01"].copy()
    frame["customer_id"] = frame["customer_id"].map(lambda i: f"{i:05d}")
    return frame


def test_one_model_name_is_one_model(log: pd.DataFrame) -> None:
    fit = fit_clv(log, "1997-12-31", models="bgnbd", unit="W")
    assert list(fit.models) == ["bgnbd"] and fit.best == "bgnbd"
    assert list(fit.comparison.index) == ["bgnbd"]
    with pytest.raises(ConfigError, match="unknown model 'bgndb'"):
        fit_clv(log, "1997-12-31", models="bgndb", unit="W")


def test_no_cutoff_means_the_last_transaction_day(log: pd.DataFrame) -> None:
    last = log["ts"].max().date()
    for fit in (fit_clv(log, models="mbgnbd", unit="W"), fit_clv(log, None, models="mbgnbd")):
        assert fit.cutoff == last
        # every customer who bought by then is in the summary
        assert len(fit.summary) == log["customer_id"].nunique()


def test_reprs_are_a_summary_not_frames(log: pd.DataFrame) -> None:
    fit = fit_clv(log, "1997-12-31", models=["bgnbd", "paretonbd"], unit="W")
    text = repr(fit)
    lines = text.splitlines()
    assert len(lines) <= 6
    assert lines[0] == (
        f"<ClvFit as of 1997-12-31 (unit W): {log['customer_id'].nunique():,} customers,"
        f" best {fit.best}>"
    )
    r = fit.models["bgnbd"].params_["r"]
    assert f"r={r:.4g}" in text
    assert "frequency" not in text and "recency" not in text  # no summary frame in it
    assert len(text) < 600


def test_units_in_the_names(log: pd.DataFrame) -> None:
    fit = fit_clv(log, "1997-12-31", models="bgnbd", unit="W")
    annual = score_clv(fit, horizon_years=1.5, annual_discount_rate=1.01**12 - 1, intervals=False)
    monthly = score_clv(fit, horizon_months=18, monthly_discount_rate=0.01, intervals=False)
    pd.testing.assert_series_equal(annual["clv"], monthly["clv"], rtol=1e-12)
    # a longer horizon is worth more; a higher rate less
    longer = score_clv(fit, horizon_months=24, monthly_discount_rate=0.01, intervals=False)
    dearer = score_clv(fit, horizon_months=18, monthly_discount_rate=0.02, intervals=False)
    buyers = annual["clv"] > 0
    assert (longer["clv"][buyers] > annual["clv"][buyers]).all()
    assert (dearer["clv"][buyers] < annual["clv"][buyers]).all()
    with pytest.warns(FutureWarning, match="discount_rate= is deprecated"):
        old = score_clv(fit, horizon_years=1.5, discount_rate=1.01**12 - 1, intervals=False)
    pd.testing.assert_series_equal(old["clv"], annual["clv"])
    with pytest.raises(DataError, match="give one horizon"):
        score_clv(fit, horizon_years=1, horizon_months=12)


def test_expected_purchases_follow_the_horizon_in_months(log: pd.DataFrame) -> None:
    fit = fit_clv(log, "1997-12-31", models="bgnbd", unit="W")
    scores = score_clv(fit, horizon_months=6, intervals=False)
    s = fit.summary
    weeks = 365.0 / 7 / 2
    expected = fit.model.conditional_expected_number_of_purchases_up_to_time(
        weeks, s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
    )
    np.testing.assert_allclose(scores["expected_purchases"].to_numpy(), expected, rtol=1e-12)


ORDERS = (
    "order_id,customer_id,date,amount,currency\n"
    "A1,007,2025-01-02,10.50,EUR\n"
    "A2,008,2025-01-03,12.00,EUR\n"
    "A3,008,2025-01-05,9.00,USD\n"
    "A4,007,2025-02-01,20.00,EUR\n"
)


def test_create_twice_in_a_notebook(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    with Workspace.create(tmp_path / "shop", currency="EUR", exist_ok=True) as ws:
        load_file(ws, "transactions", orders)
    with pytest.raises(WorkspaceError, match=r"already holds a workspace: open it .*exist_ok"):
        Workspace.create(tmp_path / "shop")
    # the cell run again: the same workspace, its settings kept, the load not doubled
    with Workspace.create(tmp_path / "shop", exist_ok=True) as ws:
        assert ws.config.currency == "EUR"
        load_file(ws, "transactions", orders)
        assert ws.table_counts()["transactions"] == 3


def test_a_workspace_in_euros_loads_euro_rows(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(tmp_path / "eu"), "--currency", "eur"])
    assert result.exit_code == 0, result.output
    assert "amounts in EUR" in result.output
    with Workspace.open(tmp_path / "eu") as ws:
        assert ws.config.currency == "EUR"
        report = load_file(ws, "transactions", orders)
        amounts = ws.engine.frame("SELECT transaction_id, amount FROM transactions ORDER BY 1")
    assert amounts["transaction_id"].tolist() == ["A1", "A2", "A4"]  # the USD row needs a rate
    assert amounts["amount"].tolist() == [10.5, 12.0, 20.0]
    assert report.rejected == 1
    bad = runner.invoke(app, ["init", str(tmp_path / "x"), "--currency", "EURO"])
    assert bad.exit_code != 0 and "3-letter ISO 4217 code" in bad.output
    assert not (tmp_path / "x" / "cvm.toml").exists()


def test_a_data_error_names_customers(log: pd.DataFrame) -> None:
    fit = fit_clv(log, "1997-12-31", models="bgnbd", unit="W")
    broken = fit.summary.copy()
    broken.loc["00042", ["frequency", "recency"]] = [1.0, broken.loc["00042", "T"] + 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataError, match=r"recency must be <= T.*for customer 00042$") as err:
            fit.model.conditional_probability_alive(
                broken["frequency"], broken["recency"], broken["T"]
            )
    assert "row" not in str(err.value)
