"""Repeat buyers whose repeat orders net to $0: every command gives them the population mean
spend, flags it, and agrees (a free replacement must not break scoring or zero the CLV)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_run import cvm_ok
from cvm.cli import app
from cvm.clv import fit_clv, score_clv
from cvm.workspace import Workspace

CUTOFF = "1997-12-31"
ZERO = ["Z0001", "Z0002"]  # $0 repeat orders; a repeat order netted to $0 by a refund


def _log(cdnow_log: pd.DataFrame) -> pd.DataFrame:
    """CDNOW purchases (ids with leading zeros, order ids) plus the two $0 repeat buyers."""
    base = cdnow_log.assign(customer_id=cdnow_log["customer_id"].map(lambda i: f"{i:05d}"))
    base = base.assign(transaction_id=[f"T{i:06d}" for i in range(len(base))])
    extra = pd.DataFrame(
        [
            ("Z0001", "1997-01-05", 25.0, "X1"),
            ("Z0001", "1997-03-01", 0.0, "X2"),  # free replacement
            ("Z0001", "1997-05-01", 0.0, "X3"),
            ("Z0002", "1997-01-10", 40.0, "X4"),
            ("Z0002", "1997-02-10", 12.5, "X5"),
            ("Z0002", "1997-02-10", -12.5, "X6"),  # refund of it, not linked by order id
        ],
        columns=["customer_id", "ts", "amount", "transaction_id"],
    ).assign(ts=lambda f: pd.to_datetime(f["ts"]))
    return pd.concat([base, extra], ignore_index=True)


@pytest.fixture(scope="module")
def log(cdnow_log: pd.DataFrame) -> pd.DataFrame:
    return _log(cdnow_log)


def test_fit_names_and_leaves_out_zero_spend_buyers(log: pd.DataFrame) -> None:
    fit = fit_clv(log, CUTOFF, models=("bgnbd",))
    assert sorted(fit.spend_missing) == ZERO
    note = next(w for w in fit.warnings if "net to $0" in w)
    assert "2 repeat buyer(s)" in note and "Z0001" in note and "Z0002" in note
    # the spend model is fitted on exactly the repeat buyers with positive spend (counted apart)
    s = fit.summary
    positive = int(((s["frequency"] > 0) & (s["monetary_value"] > 0)).sum())
    assert fit.spend is not None and fit.spend.n_obs_ == positive


def test_scores_give_them_the_population_mean_spend_flagged(log: pd.DataFrame) -> None:
    fit = fit_clv(log, CUTOFF, models=("bgnbd",))
    scores = score_clv(fit, n_draws=50)
    assert fit.spend is not None
    mean_spend = fit.spend.expected_average_spend()
    flagged = scores.index[scores["spend_imputed"]]
    assert sorted(flagged) == ZERO
    assert np.allclose(scores.loc[ZERO, "expected_spend"], mean_spend)
    assert (scores.loc[ZERO, "clv"] > 0).all()
    assert (scores.loc[ZERO, "clv_lower"] <= scores.loc[ZERO, "clv"]).all()
    assert (scores.loc[ZERO, "clv"] <= scores.loc[ZERO, "clv_upper"]).all()
    # everyone else keeps their own conditional spend, never the flag
    others = scores.drop(index=ZERO)
    assert not others["spend_imputed"].any() and others["clv"].notna().all()


def test_without_a_spend_model_clv_is_unknown_not_zero(log: pd.DataFrame) -> None:
    fit = fit_clv(log, CUTOFF, models=("bgnbd",))
    fit.spend = None  # as when too few repeat buyers identify Gamma-Gamma
    scores = score_clv(fit, intervals=False)
    s = fit.summary
    own = (s["frequency"] > 0) & (s["monetary_value"] > 0)
    assert scores.loc[own, "clv"].gt(0).all()
    # one-time buyers and $0 repeat buyers have no spend estimate: NaN, never a silent 0
    assert scores.loc[~own, "clv"].isna().all()
    assert int((~own).sum()) == int((s["frequency"] == 0).sum()) + len(ZERO)


def test_every_command_agrees(log: pd.DataFrame, tmp_path: Path, runner) -> None:
    path = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    csv = tmp_path / "orders.csv"
    log.assign(ts=log["ts"].dt.strftime("%Y-%m-%d")).to_csv(csv, index=False)
    result = runner.invoke(app, ["ingest", "transactions", str(csv), "-w", str(path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["fit", "-w", str(path), "--cutoff", CUTOFF, "-m", "bgnbd"])
    assert result.exit_code == 0, result.output
    assert "Z0001" in result.output and "spend_imputed" in result.output
    result = runner.invoke(
        app, ["score", "-w", str(path), "--cutoff", CUTOFF, "-m", "bgnbd", "--no-intervals"]
    )
    assert result.exit_code == 0, result.output
    assert "net to $0" in result.output
    cvm_ok(runner, "segment", "-w", str(path), "--as-of", CUTOFF, "--no-churn")
    with Workspace.open(path) as ws:
        clv = ws.con.execute(
            "SELECT r.kind, s.customer_id, s.clv, s.spend_imputed FROM scores s"
            " JOIN model_runs r USING (run_id) WHERE s.customer_id IN ('Z0001', 'Z0002')"
            " ORDER BY 1, 2"
        ).fetchall()
        metrics = ws.con.execute(
            "SELECT metrics->>'spend_imputed' FROM model_runs WHERE kind = 'clv'"
            " AND params->>'margin' IS NOT NULL"
        ).fetchall()
        zero_clv = ws.con.execute(
            "SELECT count(*) FROM scores WHERE clv = 0 OR clv IS NULL"
        ).fetchall()[0][0]
    by_kind = {(k, c): (v, f) for k, c, v, f in clv}
    for cid in ZERO:
        value, flag = by_kind[("clv", cid)]
        assert value > 0 and flag is True
        # the segments run reads the same CLV from the stored run: the commands agree
        assert by_kind[("segments", cid)][0] == pytest.approx(value)
    assert metrics == [("2",)]
    assert zero_clv == 0
    result = runner.invoke(app, ["report", "-w", str(path), "--as-of", CUTOFF, "--no-evaluate"])
    assert result.exit_code == 0, result.output


def test_a_data_error_names_the_customer_not_a_row(log: pd.DataFrame) -> None:
    from cvm._exceptions import DataError
    from cvm.clv.fitting import fit_transaction_models

    fit = fit_clv(log, CUTOFF, models=("bgnbd",))
    broken = fit.summary.copy()
    broken.loc["Z0001", "recency"] = broken.loc["Z0001", "T"] + 5  # impossible: after the cutoff
    with pytest.raises(DataError, match=r"for customer Z0001$") as err:
        fit_transaction_models(broken, ("bgnbd",))
    assert "row" not in str(err.value)
    fit.summary = fit.summary.assign(monetary_value=fit.summary["monetary_value"].astype(float))
    repeat = fit.summary.index[fit.summary["frequency"] > 0][:2]
    fit.summary.loc[repeat, "monetary_value"] = np.nan
    with pytest.raises(DataError, match=f"for customers {repeat[0]}, {repeat[1]}$"):
        score_clv(fit, intervals=False)
