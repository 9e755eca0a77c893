"""A corrected re-export of a period without order ids replaces the period's stored rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tabular_helpers import rows

from cvm import ConfigError
from cvm.cli import app
from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.workspace import Workspace

JANUARY = (
    "customer_id,ts,amount\n"
    "C1,2024-01-05 10:00:00,50.00\n"
    "C2,2024-01-20 10:00:00,30.00\n"
    "C3,2024-02-03 10:00:00,20.00\n"  # February: outside the corrected period
)
CORRECTED = (
    "customer_id,ts,amount\n"
    "C1,2024-01-05 10:00:00,45.00\n"  # corrected amount
    "C2,2024-01-20 10:00:00,30.00\n"
)


def _totals(ws: Workspace) -> list[tuple]:
    return rows(ws, "SELECT customer_id, amount FROM transactions ORDER BY customer_id, amount")


def test_without_replace_a_corrected_row_is_added_beside_the_old(
    workspace: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "jan.csv").write_text(JANUARY)
    (tmp_path / "fix.csv").write_text(CORRECTED)
    load_file(workspace, "transactions", tmp_path / "jan.csv")
    load_file(workspace, "transactions", tmp_path / "fix.csv")
    assert ("C1", 45.0) in _totals(workspace) and ("C1", 50.0) in _totals(workspace)


def test_replace_period_swaps_the_period_and_keeps_the_rest(
    workspace: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "jan.csv").write_text(JANUARY)
    (tmp_path / "fix.csv").write_text(CORRECTED)
    events = tmp_path / "ev.jsonl"
    events.write_text(
        json.dumps(
            {
                "type": "track",
                "event": "Order Completed",
                "messageId": "e1",
                "userId": "C9",
                "timestamp": "2024-01-10T10:00:00Z",
                "properties": {"order_id": "W1", "total": 12.0},
            }
        )
        + "\n"
    )
    load_file(workspace, "transactions", tmp_path / "jan.csv")
    load_events(workspace, events)
    result = load_file(
        workspace, "transactions", tmp_path / "fix.csv", replace_period=("2024-01-01", "2024-02-01")
    )
    assert (result.loaded, result.duplicates) == (2, 0)
    assert result.notes == [
        "replaced the period 2024-01-01 00:00 to 2024-02-01 00:00 (UTC):"
        " 2 stored transactions loaded from files removed before this load"
    ]
    # January from files is the corrected export; February and the web order stay
    assert _totals(workspace) == [("C1", 45.0), ("C2", 30.0), ("C3", 20.0), ("C9", 12.0)]
    again = load_file(
        workspace, "transactions", tmp_path / "fix.csv", replace_period=("2024-01-01", "2024-02-01")
    )
    assert (again.loaded, _totals(workspace)[0]) == (2, ("C1", 45.0))
    assert rows(workspace, "SELECT count(*) FROM transactions") == [(4,)]


def test_a_failed_replace_load_removes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "jan.csv").write_text(JANUARY)
    load_file(workspace, "transactions", tmp_path / "jan.csv")
    broken = tmp_path / "broken.csv"
    broken.write_text("customer_id,ts\nC1,2024-01-05\n")  # no amount column: the load fails
    with pytest.raises(Exception, match="missing required column 'amount'"):
        load_file(workspace, "transactions", broken, replace_period=("2024-01-01", "2024-02-01"))
    assert len(_totals(workspace)) == 3


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (("2024-02-01", "2024-01-01"), "must be before"),
        (("soon", "2024-01-01"), "'soon' is not a date"),
    ],
)
def test_bad_periods_are_one_line(
    workspace: Workspace, tmp_path: Path, period: tuple[str, str], message: str
) -> None:
    (tmp_path / "fix.csv").write_text(CORRECTED)
    with pytest.raises(ConfigError, match=message):
        load_file(workspace, "transactions", tmp_path / "fix.csv", replace_period=period)


def test_cli_replace_period(runner, workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "jan.csv").write_text(JANUARY)
    (tmp_path / "fix.csv").write_text(CORRECTED)
    load_file(workspace, "transactions", tmp_path / "jan.csv")
    workspace.close()
    ws = str(workspace.path)
    args = ["ingest", "transactions", str(tmp_path / "fix.csv"), "-w", ws]
    result = runner.invoke(app, [*args, "--replace-period", "2024-01-01", "2024-02-01"])
    assert result.exit_code == 0, result.output
    assert "2 stored transactions loaded from files removed" in " ".join(result.output.split())
    with Workspace.open(workspace.path) as reopened:
        assert rows(reopened, "SELECT count(*), sum(amount) FROM transactions") == [(3, 95.0)]
