from __future__ import annotations

from datetime import datetime

from tabular_helpers import DATA, rejected, rows

from cvm.cli import app
from cvm.ingest import load_file
from cvm.workspace import Workspace


def test_contracts_load_with_aliases_and_rejects(workspace: Workspace) -> None:
    result = load_file(workspace, "subscriptions", DATA / "subscriptions.csv")
    assert rows(workspace, "SELECT * EXCLUDE (load_id) FROM subscriptions ORDER BY 1") == [
        ("S1", "C1", "basic", datetime(2024, 1, 5), datetime(2024, 6, 5), 9.99),
        ("S2", "C2", "plus", datetime(2024, 2, 1), None, 19.99),
    ]
    assert rejected(workspace) == [
        (4, "S3,,plus,2024-02-01,,19.99", "missing customer id"),
        (
            5,
            "S4,C4,basic,2024-13-01,,9.99",
            "unparseable timestamp: 2024-13-01 (expected ISO 8601)",
        ),
        (6, "S5,C5,basic,2024-03-01,2024-02-01,9.99", "ended before started"),
        (7, "S6,C6,plus,2024-03-01,,abc", "non-numeric amount: abc"),
    ]
    assert (result.rows_read, result.loaded, result.duplicates, result.rejected) == (7, 2, 1, 4)


def test_contract_snapshot_updates_ended_contracts(workspace: Workspace) -> None:
    load_file(workspace, "subscriptions", DATA / "subscriptions.csv")
    second = load_file(workspace, "subscriptions", DATA / "subscriptions_v2.csv")
    assert (second.loaded, second.updated, second.duplicates) == (2, 1, 1)
    assert rows(workspace, "SELECT subscription_id, ended FROM subscriptions ORDER BY 1") == [
        ("S1", datetime(2024, 6, 5)),
        ("S2", datetime(2024, 9, 30)),
        ("S7", None),
    ]
    again = load_file(workspace, "subscriptions", DATA / "subscriptions_v2.csv")
    assert (again.loaded, again.duplicates) == (0, 3)


def test_cli_loads_subscriptions(workspace: Workspace, runner) -> None:
    path = str(workspace.path)
    workspace.close()
    result = runner.invoke(
        app, ["ingest", "subscriptions", str(DATA / "subscriptions_v2.csv"), "-w", path]
    )
    assert result.exit_code == 0, result.output
    with Workspace.open(path) as ws:
        assert rows(ws, "SELECT count(*) FROM subscriptions") == [(3,)]
