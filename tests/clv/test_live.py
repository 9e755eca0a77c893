"""Live profiles score a customer exactly as the batch path does: the same summary SQL, the
newest run's stored parameters, the same numpy scoring and the same lifecycle SQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli_run import cvm_ok
from cvm.clv.live import latest_fit
from cvm.datasets import simulate_bgnbd_summary
from cvm.models import BetaGeoModel
from cvm.models.stored import from_params
from cvm.segments.live import read_profile, refresh_profiles
from cvm.workspace import Workspace
from live_workspace import CRM, LAST_DAY, PROSPECT, REFUND, ZERO, live_workspace

SCORED = ["frequency", "recency", "t", "monetary", "expected_purchases", "p_alive",
          "expected_spend", "clv"]  # fmt: skip


def _ids(ws: Workspace, n: int = 40) -> list[str]:
    sample = ws.con.execute(
        "SELECT DISTINCT customer_id FROM transactions WHERE customer_id NOT IN (?, ?)"
        " ORDER BY hash(customer_id) LIMIT ?",
        [ZERO, REFUND, n],
    ).fetchall()
    return [str(r[0]) for r in sample] + [ZERO, REFUND, CRM]


@pytest.fixture(scope="module", params=["mbgnbd", "paretonbd"])
def scored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, cdnow_log
) -> Path:
    """The workspace after `cvm score -m MODEL` and `cvm segment` (batch path)."""
    path = live_workspace(tmp_path_factory.mktemp(request.param), cdnow_log)
    runner = CliRunner()
    cvm_ok(runner, "score", "-w", str(path), "-m", request.param, "--no-intervals")
    cvm_ok(runner, "segment", "-w", str(path), "--as-of", LAST_DAY)
    return path


def test_live_scores_equal_the_batch_run(scored: Path) -> None:
    with Workspace.open(scored) as ws:
        ids = _ids(ws)
        written = refresh_profiles(ws, ids, as_of=LAST_DAY)
        batch = ws.con.execute(
            "SELECT customer_id, run_id, model, " + ", ".join(SCORED) + " FROM scores"
            " JOIN model_runs USING (run_id) WHERE kind = 'clv'"
        ).df()
        live = ws.con.execute(
            "SELECT customer_id, clv_run_id AS run_id, model, " + ", ".join(SCORED)
            + " FROM live_profiles"
        ).df()  # fmt: skip
        answers = {c: read_profile(ws, c) for c in ids}
    assert written == len(ids) and sorted(live["customer_id"]) == sorted(ids)
    both = live.merge(batch, on="customer_id", suffixes=("_live", "_batch"))
    assert len(both) == len(ids)
    assert (both["run_id_live"] == both["run_id_batch"]).all()
    assert (both["model_live"] == both["model_batch"]).all()
    for col in SCORED:
        np.testing.assert_allclose(both[f"{col}_live"], both[f"{col}_batch"], rtol=1e-9)
    # the JSON answer carries the same numbers
    expected = batch.set_index("customer_id")
    for cid, answer in answers.items():
        assert answer is not None and answer["scores"]["available"] is True
        for col in SCORED:
            assert answer["scores"][col] == pytest.approx(expected.at[cid, col], rel=1e-9)


def test_live_lifecycle_equals_cvm_segment(scored: Path) -> None:
    with Workspace.open(scored) as ws:
        ids = _ids(ws, 80)
        refresh_profiles(ws, ids, as_of=LAST_DAY)
        query = "SELECT customer_id, lifecycle FROM latest_segments"
        batch = dict(ws.con.execute(query).fetchall())
        live = dict(ws.con.execute("SELECT customer_id, lifecycle FROM live_profiles").fetchall())
    assert set(live) == set(ids)
    assert {c: live[c] for c in ids} == {c: batch[c] for c in ids}
    assert len(set(live.values())) > 1  # the sample spans several stages


def test_zero_dollar_repeat_buyer_gets_the_population_mean_spend(scored: Path) -> None:
    with Workspace.open(scored) as ws:
        refresh_profiles(ws, [ZERO], as_of=LAST_DAY)
        answer = read_profile(ws, ZERO)
        fit = latest_fit(ws)
    assert answer is not None and fit is not None and fit.fit.spend is not None
    scores = answer["scores"]
    assert scores["frequency"] == 2.0 and scores["monetary"] == 0.0
    assert scores["spend_imputed"] is True
    assert scores["expected_spend"] == pytest.approx(fit.fit.spend.expected_average_spend())
    assert scores["clv"] > 0


def test_refunded_order_is_not_a_purchase(scored: Path) -> None:
    with Workspace.open(scored) as ws:
        refresh_profiles(ws, [REFUND], as_of=LAST_DAY)
        answer = read_profile(ws, REFUND)
    assert answer is not None
    # purchase days 1997-01-05 and 1997-04-01 (the 1997-02-01 order was refunded in full)
    assert answer["scores"]["frequency"] == 1.0
    assert answer["scores"]["recency"] == 86.0
    assert answer["scores"]["monetary"] == 20.0
    assert answer["profile"]["refunds"] == 1 and answer["profile"]["refund_amount"] == 50.0
    assert answer["scores"]["spend_imputed"] is False


def test_profile_carries_consent_and_ids(scored: Path) -> None:
    with Workspace.open(scored) as ws:
        refresh_profiles(ws, [CRM], as_of=LAST_DAY)
        answer = read_profile(ws, CRM)
    assert answer is not None
    assert answer["consent"] == {"email": True, "sms": False, "push": False, "mail": False}
    assert {"source": "email", "id": "ada@example.org"} in answer["ids"]


def test_prospect_has_a_profile_but_no_scores(scored: Path) -> None:
    with Workspace.open(scored) as ws:
        refresh_profiles(ws, [PROSPECT], as_of=LAST_DAY)
        answer = read_profile(ws, PROSPECT)
    assert answer is not None and answer["lifecycle"] == "prospect"
    assert answer["scores"]["available"] is False
    assert answer["scores"]["reason"] == f"no purchase on or before {LAST_DAY}: nothing to score"
    assert answer["scores"]["clv"] is None and answer["scores"]["frequency"] is None
    assert answer["consent"]["sms"] is True and answer["profile"]["orders"] == 0


def test_models_come_back_from_their_stored_parameters() -> None:
    d = simulate_bgnbd_summary(500, r=0.25, alpha=4.0, a=0.8, b=2.5, T=40.0, seed=3)
    fitted = BetaGeoModel().fit(d["frequency"], d["recency"], d["T"])
    again = from_params(BetaGeoModel, fitted.params_.to_dict())
    x, t_x, T = d["frequency"], d["recency"], d["T"]
    np.testing.assert_array_equal(
        again.conditional_probability_alive(x, t_x, T),
        fitted.conditional_probability_alive(x, t_x, T),
    )
    np.testing.assert_array_equal(
        again.conditional_expected_number_of_purchases_up_to_time(52.0, x, t_x, T),
        fitted.conditional_expected_number_of_purchases_up_to_time(52.0, x, t_x, T),
    )
    with pytest.raises(Exception, match="takes finite"):
        from_params(BetaGeoModel, {"r": 1.0, "alpha": 2.0})
