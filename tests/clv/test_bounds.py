"""Every fit ends: a cutoff past the data is refused, and each fit has an iteration and a
wall-time budget that ends in a ConvergenceError with advice."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from cvm._exceptions import ConvergenceError, DataError
from cvm.cli import app
from cvm.clv import evaluate, fit_clv
from cvm.features import rfm_summary
from cvm.models import BetaGeoModel, ParetoNBDModel, ShiftedBetaGeometricModel

LAST = "1998-06-30"  # the last purchase day of the CDNOW sample


def test_a_cutoff_after_the_data_is_refused_naming_the_last_day(cdnow_log: pd.DataFrame) -> None:
    assert str(cdnow_log["ts"].max().date()) == LAST
    with pytest.raises(DataError, match=f"cutoff 2030-01-01 is after the last transaction .{LAST}"):
        fit_clv(cdnow_log, "2030-01-01")
    with pytest.raises(DataError, match=f"holdout end 2030-01-01 .*{LAST}"):
        evaluate(cdnow_log, "1997-09-30", "2030-01-01", models=("bgnbd",))
    # the last day itself is fine
    assert fit_clv(cdnow_log, LAST, models=("bgnbd",)).cutoff == pd.Timestamp(LAST).date()


def test_the_cli_refuses_it_in_one_line(cdnow_log: pd.DataFrame, tmp_path: Path, runner) -> None:
    path = tmp_path / "ws"
    runner.invoke(app, ["init", str(path)])
    csv = tmp_path / "orders.csv"
    cdnow_log.to_csv(csv, index=False)
    assert runner.invoke(app, ["ingest", "transactions", str(csv), "-w", str(path)]).exit_code == 0
    for command in (["fit", "-m", "paretonbd"], ["score", "-m", "bgnbd"]):
        started = time.monotonic()
        result = runner.invoke(app, [*command, "-w", str(path), "--cutoff", "2030-01-01"])
        assert result.exit_code == 1
        assert f"after the last transaction ({LAST})" in result.output
        assert "Traceback" not in result.output
        assert time.monotonic() - started < 30


def test_the_pareto_nbd_hang_ends_within_its_time_budget(cdnow_log: pd.DataFrame) -> None:
    # As of 2030 every customer looks silent for 30 years: Pareto/NBD's likelihood goes flat
    # and, unbounded, the fit ran for over 11 minutes.
    summary = rfm_summary(cdnow_log, "2030-01-01")
    started = time.monotonic()
    with pytest.raises(ConvergenceError, match="max_seconds=2") as err:
        ParetoNBDModel(max_seconds=2).fit(summary["frequency"], summary["recency"], summary["T"])
    assert time.monotonic() - started < 10
    assert "penalizer" in str(err.value)  # advice comes with it


def test_iterations_are_bounded_too(cdnow_log: pd.DataFrame) -> None:
    summary = rfm_summary(cdnow_log, "1997-09-30", unit="W")
    with pytest.raises(ConvergenceError, match="max_iter=2"):
        BetaGeoModel(max_iter=2).fit(summary["frequency"], summary["recency"], summary["T"])
    # the default budget fits the published parameters
    fitted = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
    assert fitted.params_["r"] == pytest.approx(0.2426, abs=1e-3)


def test_advice_fits_the_model() -> None:
    model = ShiftedBetaGeometricModel(max_seconds=0)
    with pytest.raises(ConvergenceError) as err:
        model.fit_survival([1000, 631, 468, 382, 326, 289, 262, 241])
    text = str(err.value)
    assert "renewal periods" in text and "recency" not in text and "days to weeks" not in text
