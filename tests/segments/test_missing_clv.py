"""A segment without CLV shows that it has none: n/a, never 0."""

from __future__ import annotations

import math
from pathlib import Path

from typer.testing import CliRunner

from cvm.cli import app
from cvm.segments.runs import segment, segment_summary
from cvm.workspace import Workspace
from handmade import add_customer, add_orders


def _two_customers(path: Path) -> Workspace:
    # two buyers: too few to fit BG/NBD, so the profile holds no CLV at all
    ws = Workspace.create(path)
    for cid in ("A", "B"):
        add_customer(ws, cid, "2024-01-01")
        add_orders(ws, cid, ["2024-01-01", "2024-02-01"])
    return ws


def test_summary_clv_is_missing_not_zero(tmp_path: Path) -> None:
    ws = _two_customers(tmp_path / "ws")
    try:
        run = segment(ws, "2024-03-01", churn=False)
        summary = segment_summary(ws, run.run_id)
        assert summary["customers"].sum() >= 2
        assert all(math.isnan(v) for v in summary["clv"])
        assert summary["revenue"].max() == 200.0  # 2 customers x 2 orders x 50: still shown
    finally:
        ws.close()


def test_cli_prints_no_clv_run_instead_of_zero(tmp_path: Path, monkeypatch) -> None:
    from cvm.cli._common import console

    monkeypatch.setattr(console, "width", 200)
    _two_customers(tmp_path / "ws").close()
    result = CliRunner().invoke(
        app, ["segment", "-w", str(tmp_path / "ws"), "--as-of", "2024-03-01", "--no-churn"]
    )
    assert result.exit_code == 0, result.output
    assert "n/a (no CLV run)" in result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("│")]
    assert lines and not any("0.000" in ln for ln in lines)


def test_a_customer_without_clv_in_a_run_with_clv_is_a_dash(capsys) -> None:
    import pandas as pd

    from cvm.cli._common import print_frame
    from cvm.cli.segments import NO_CLV

    frame = pd.DataFrame(
        {"customers": [298, 86], "clv": [13667.03, float("nan")]},
        index=pd.Index(["active", "prospect"], name="lifecycle"),
    )
    print_frame(frame, "lifecycle", digits=3, empty=NO_CLV)  # as `cvm segment` prints
    out = capsys.readouterr().out
    assert "13,667.03" in out
    assert "no CLV run" not in out  # the run has CLV; prospects just have none
    assert "│ prospect │ 86 │ — │" in " ".join(out.split()).replace("│ ", "│ ")
