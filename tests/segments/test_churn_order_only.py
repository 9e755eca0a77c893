"""Churn on a plain order log (no events, one channel): features with nothing to learn from
are dropped and listed, and the model trains."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_run import cvm_ok
from cvm.cli import app
from cvm.models import ChurnClassifier
from cvm.workspace import Workspace


def test_all_missing_and_constant_features_are_dropped() -> None:
    rng = np.random.default_rng(0)
    n = 600
    signal = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "signal": signal,
            "no_events": np.full(n, np.nan),
            "one_channel": np.ones(n),
            "sometimes_missing": np.where(rng.random(n) < 0.5, 1.0, np.nan),  # kept: informative
        }
    )
    y = rng.random(n) < 1 / (1 + np.exp(-2 * signal))
    model = ChurnClassifier().fit(X, y)
    assert model.dropped_features_ == {"no_events": "all missing", "one_channel": "constant"}
    assert model.feature_names_ == ["signal", "sometimes_missing"]
    risk = model.predict_proba(X)  # scoring takes the full frame
    assert np.corrcoef(risk, signal)[0, 1] > 0.5


def test_churn_train_on_an_order_log(cdnow_log: pd.DataFrame, tmp_path: Path, runner) -> None:
    path = tmp_path / "ws"
    runner.invoke(app, ["init", str(path)])
    csv = tmp_path / "orders.csv"
    cdnow_log.assign(customer_id=cdnow_log["customer_id"].map(lambda i: f"{i:05d}")).to_csv(
        csv, index=False
    )
    assert runner.invoke(app, ["ingest", "transactions", str(csv), "-w", str(path)]).exit_code == 0
    result = runner.invoke(app, ["churn", "train", "-w", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "days_since_event (all missing)" in text
    assert "events_90d (constant)" in text
    assert "churn risk = probability of no purchase in the next 90 days" in text
    with Workspace.open(path) as ws:
        params, metrics = ws.con.execute(
            "SELECT params, metrics FROM model_runs WHERE kind = 'churn'"
        ).fetchall()[0]
    params, metrics = json.loads(params), json.loads(metrics)
    assert params["dropped_features"]["days_since_event"] == "all missing"
    assert "days_since_event" not in params["features"]
    assert any("days_since_event (all missing)" in n for n in metrics["notes"])
    assert metrics["model"]["roc_auc"] > 0.6
    cvm_ok(runner, "segment", "-w", str(path))
    with Workspace.open(path) as ws:
        risk = ws.con.execute(
            "SELECT count(churn_risk), count(*) FROM scores WHERE run_id ="
            " (SELECT run_id FROM model_runs WHERE kind = 'segments')"
        ).fetchall()[0]
    assert risk[0] == risk[1] == cdnow_log["customer_id"].nunique()


@pytest.mark.parametrize("target", ["contracts"])
def test_contract_target_without_contracts_is_refused(target: str, workspace: Workspace) -> None:
    from cvm._exceptions import CvmError
    from cvm.segments.churn import train_churn

    with pytest.raises(CvmError, match="only 0 customers with a contract running"):
        train_churn(workspace, "2025-01-01", target=target)
