"""With a holdout, `evaluate` picks the model by the holdout (lowest MAE per customer, a tie by
BIC) and says so; BIC decides only without one. On CDNOW the two disagree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvm.clv import evaluate
from cvm.clv.registry import pick_by_bic, pick_by_holdout


@pytest.fixture(scope="module")
def evaluation(cdnow_log: pd.DataFrame):  # type: ignore[no-untyped-def]
    return evaluate(
        cdnow_log, "1997-09-30", "1998-06-30", models=("bgnbd", "paretonbd", "mbgnbd"), unit="W"
    )


def test_the_pick_follows_the_holdout_not_bic(evaluation) -> None:  # type: ignore[no-untyped-def]
    actual = evaluation.summary["frequency_holdout"].to_numpy()
    mae = {
        name: float(np.mean(np.abs(evaluation.predictions[name].to_numpy() - actual)))
        for name in evaluation.predictions
    }
    best_on_holdout = min(mae, key=mae.__getitem__)
    bic = evaluation.totals["BIC"]
    assert best_on_holdout != bic.idxmin()  # the case at hand: the two criteria disagree
    assert evaluation.best == best_on_holdout == "paretonbd"
    assert evaluation.best_by_bic != evaluation.best
    assert "holdout MAE" in evaluation.criterion
    assert evaluation.totals["chosen"].sum() == 1
    assert evaluation.totals.loc[best_on_holdout, "chosen"]


def test_restricted_candidates(cdnow_log: pd.DataFrame) -> None:
    two = evaluate(cdnow_log, "1997-09-30", "1998-06-30", models=("bgnbd", "mbgnbd"), unit="W")
    actual = two.summary["frequency_holdout"]
    mae = two.predictions.sub(actual, axis=0).abs().mean()
    assert set(two.totals.index) == {"bgnbd", "mbgnbd"}
    assert two.best == mae.idxmin()


def test_tie_rules() -> None:
    bic = pd.Series({"bgnbd": 100.0, "mbgnbd": 101.5, "paretonbd": 104.0})
    # MBG/NBD rather than BG/NBD (P(alive) < 1 for one-time buyers), even 1.5 points behind
    assert pick_by_bic(bic) == "mbgnbd"
    assert pick_by_bic(bic.drop("mbgnbd")) == "bgnbd"
    # ... and far behind: BG/NBD's P(alive) = 1 for one-time buyers is a property, not a fit
    assert pick_by_bic({"bgnbd": 100.0, "mbgnbd": 180.0, "paretonbd": 190.0}) == "mbgnbd"
    # within 2 points MBG/NBD goes before Pareto/NBD; beyond, the lower BIC wins
    assert pick_by_bic({"mbgnbd": 101.0, "paretonbd": 100.0}) == "mbgnbd"
    assert pick_by_bic({"mbgnbd": 103.0, "paretonbd": 100.0}) == "paretonbd"
    # holdout MAEs within 0.1% are a tie, settled by BIC; a clear MAE gap is not
    assert pick_by_holdout({"bgnbd": 0.5, "mbgnbd": 0.5004, "paretonbd": 0.7}, bic) == "mbgnbd"
    assert pick_by_holdout({"bgnbd": 0.5, "mbgnbd": 0.6, "paretonbd": 0.7}, bic) == "bgnbd"


def test_the_cli_states_the_criterion(cdnow_log: pd.DataFrame, tmp_path, runner) -> None:  # type: ignore[no-untyped-def]
    from cvm.cli import app

    path = tmp_path / "ws"
    runner.invoke(app, ["init", str(path)])
    csv = tmp_path / "orders.csv"
    cdnow_log.to_csv(csv, index=False)
    assert runner.invoke(app, ["ingest", "transactions", str(csv), "-w", str(path)]).exit_code == 0
    args = ["evaluate", "-w", str(path), "--calibration-end", "1997-09-30"]
    args += ["--holdout-end", "1998-06-30", "--unit", "W", "--out", str(tmp_path / "charts")]
    result = runner.invoke(app, [*args, "-m", "bgnbd", "-m", "paretonbd", "-m", "mbgnbd"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "best on the holdout: paretonbd, by lowest holdout MAE per customer" in text
    assert "would pick mbgnbd" in text
