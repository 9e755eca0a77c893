"""`cvm ingest events`: a thin shell over load_events."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cvm.cli import app
from cvm.workspace import Workspace

EVENTS = Path(__file__).parents[1] / "data" / "events"


def test_ingest_events_loads_and_reports(runner: CliRunner, workspace: Workspace) -> None:
    path = str(workspace.path)
    workspace.close()
    out = runner.invoke(app, ["ingest", "events", str(EVENTS / "merge_a.jsonl"), "-w", path])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["ingest", "events", str(EVENTS / "merge_b.jsonl"), "-w", path])
    assert out.exit_code == 0, out.output
    assert "1 customer ids merged" in out.output
    with Workspace.open(path) as ws:
        counts = ws.table_counts()
    assert (counts["events"], counts["transactions"], counts["customer_merges"]) == (6, 4, 1)


def test_ingest_events_bad_file_exits_1(runner: CliRunner, workspace: Workspace) -> None:
    path = str(workspace.path)
    workspace.close()
    out = runner.invoke(app, ["ingest", "events", str(EVENTS / "missing.jsonl"), "-w", path])
    assert out.exit_code == 1
    assert "no such file" in out.output
