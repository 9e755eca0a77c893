"""`cvm demo`, `cvm fit`, `cvm score` and `cvm evaluate` end to end on a simulated workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvm.cli import app
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    path = tmp_path_factory.mktemp("demo") / "ws"
    result = CliRunner().invoke(app, ["demo", str(path), "--customers", "600", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return path


def _evaluate(demo_ws: Path, *options: str) -> list[str]:
    """`cvm evaluate` on the demo with its calibration end, and the options a test adds."""
    return ["evaluate", "-w", str(demo_ws), "--calibration-end", "2025-06-30", *options]


def test_demo_loads_everything_and_scores_every_buyer(demo_ws: Path) -> None:
    with Workspace.open(demo_ws) as ws:
        counts = ws.table_counts()
        buyers = ws.con.execute(
            "SELECT count(DISTINCT o.customer_id) FROM transactions o WHERE NOT o.is_refund"
            " AND o.amount + coalesce((SELECT sum(r.amount) FROM transactions r"
            " WHERE r.refund_of = o.transaction_id), 0) > 0"  # orders not refunded in full
        ).fetchone()
        scored = ws.con.execute(
            "SELECT count(*), count(DISTINCT run_id), sum(clv) FROM scores"
            " WHERE run_id IN (SELECT run_id FROM model_runs WHERE kind = 'clv')"
        ).fetchone()
    assert counts["transactions"] > 0 and counts["order_items"] > 0 and counts["events"] > 0
    assert counts["rejected_rows"] == 0
    assert buyers is not None and scored is not None
    assert scored[0] == buyers[0] and scored[1] == 1 and scored[2] > 0
    assert (demo_ws / "report" / "clv_tracking.html").exists()


def test_demo_replaces_its_own_folder_but_never_another(tmp_path: Path, runner) -> None:
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    result = runner.invoke(app, ["demo", str(other), "--customers", "50"])
    assert result.exit_code == 1 and "not made by `cvm demo`" in result.output
    assert (other / "notes.txt").read_text() == "keep me"


def test_fit_score_evaluate_commands(demo_ws: Path, runner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["fit", "-w", str(demo_ws), "-m", "bgnbd"])
    assert result.exit_code == 0, result.output
    assert "best by BIC: bgnbd" in result.output
    result = runner.invoke(
        app, ["score", "-w", str(demo_ws), "-m", "bgnbd", "--no-intervals", "--margin", "0.5"]
    )
    assert result.exit_code == 0, result.output
    with Workspace.open(demo_ws) as ws:
        row = ws.con.execute(
            "SELECT count(*), count(clv_lower) FROM scores WHERE run_id ="
            " (SELECT run_id FROM model_runs WHERE kind = 'clv' AND params->>'margin' = '0.5')"
        ).fetchone()
    assert row is not None and row[0] > 0 and row[1] == 0
    out = tmp_path / "charts"
    result = runner.invoke(
        app,
        _evaluate(demo_ws, "--holdout-end", "2025-12-31", "--out", str(out)),
    )
    assert result.exit_code == 0, result.output
    assert "holdout" in result.output and (out / "tracking.html").exists()


def test_cli_errors_are_one_line(demo_ws: Path, runner) -> None:
    result = runner.invoke(app, ["fit", "-w", str(demo_ws), "-m", "nope"])
    assert result.exit_code == 1 and "unknown model" in result.output
    result = runner.invoke(
        app,
        _evaluate(demo_ws, "--holdout-end", "2025-01-01"),
    )
    assert result.exit_code == 1 and "must be after" in result.output
    assert "Traceback" not in result.output
