"""Days from the command line go through the one shared parser: absurd ones are one line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cvm.cli import app
from cvm.workspace import Workspace
from handmade import add_customer, add_orders


@pytest.mark.parametrize(
    ("args", "day"),
    [
        (["kpis", "--as-of", "9999-12-31"], "9999-12-31"),
        (["kpis", "--as-of", "0001-01-01"], "0001-01-01"),
        (["kpis", "--from", "1900-01-01", "--to", "2024-03-31"], "1900-01-01"),
        (["segment", "--as-of", "9999-12-31"], "9999-12-31"),
    ],
)
def test_an_absurd_day_is_one_line(
    workspace: Workspace, runner: CliRunner, args: list[str], day: str
) -> None:
    add_customer(workspace, "0042", "2024-01-01")
    add_orders(workspace, "0042", ["2024-01-05", "2024-03-05"], 40.0)
    path = str(workspace.path)
    workspace.close()
    result = runner.invoke(app, [*args, "-w", path])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert f"{day} is out of range (1970-01-01 .. " in lines[0]
    # the same command with a sane day works
    ok = runner.invoke(app, ["kpis", "--as-of", "2024-03-31", "-w", path])
    assert ok.exit_code == 0, ok.output
