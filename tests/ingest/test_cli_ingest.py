from __future__ import annotations

from pathlib import Path

from tabular_helpers import DATA
from typer.testing import CliRunner

from cvm.cli import app
from cvm.workspace import Workspace


def _ws(tmp_path: Path) -> str:
    Workspace.create(tmp_path / "w").close()
    return str(tmp_path / "w")


def test_cli_prints_counts_and_reasons(tmp_path: Path, runner: CliRunner) -> None:
    ws = _ws(tmp_path)
    result = runner.invoke(
        app, ["ingest", "transactions", str(DATA / "transactions_bad.csv"), "-w", ws]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "rows read" in out and "11" in out
    assert "unknown currency" in out and "missing customer id" in out
    again = runner.invoke(
        app, ["ingest", "transactions", str(DATA / "transactions_bad.csv"), "-w", ws]
    )
    assert again.exit_code == 0
    with Workspace.open(ws) as w:
        assert w.table_counts()["transactions"] == 2


def test_cli_flags_map_and_format(tmp_path: Path, runner: CliRunner) -> None:
    ws = _ws(tmp_path)
    args = [
        "ingest",
        "transactions",
        str(DATA / "eu_latin1.csv"),
        "-w",
        ws,
        "--delimiter",
        ";",
        "--encoding",
        "latin-1",
        "--map",
        "transaction_id=id",
        "--map",
        "customer_id=kunde",
        "--map",
        "ts=datum",
        "--map",
        "amount=betrag",
        "--date-format",
        "%Y-%m-%d %H:%M:%S",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    with Workspace.open(ws) as w:
        assert w.con.execute("SELECT customer_id FROM transactions").fetchall() == [("Müller",)]


def test_cli_missing_file_column_and_all_rejected_exit_1(tmp_path: Path, runner: CliRunner) -> None:
    ws = _ws(tmp_path)
    missing = runner.invoke(app, ["ingest", "transactions", str(tmp_path / "nope.csv"), "-w", ws])
    assert missing.exit_code == 1 and "no such file" in missing.output
    assert "Traceback" not in missing.output
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("order_id,customer_id\nA,B\n")
    res = runner.invoke(app, ["ingest", "transactions", str(nocol), "-w", ws])
    assert res.exit_code == 1 and "missing required column 'ts'" in res.output
    allbad = tmp_path / "allbad.csv"
    allbad.write_text("order_id,customer_id,date,amount\nA,,2024-01-01,1\n")
    res = runner.invoke(app, ["ingest", "transactions", str(allbad), "-w", ws])
    assert res.exit_code == 1 and "no row could be loaded" in res.output
    # one good file among bad ones still loads, and the exit code reports the bad one
    res = runner.invoke(
        app, ["ingest", "transactions", str(DATA / "tx_export_jan.csv"), str(nocol), "-w", ws]
    )
    assert res.exit_code == 1
    with Workspace.open(ws) as w:
        assert w.table_counts()["transactions"] == 3


def test_cli_bad_map_flag(tmp_path: Path, runner: CliRunner) -> None:
    ws = _ws(tmp_path)
    res = runner.invoke(
        app, ["ingest", "customers", str(DATA / "customers.csv"), "-w", ws, "--map", "oops"]
    )
    assert res.exit_code == 1 and "expected canonical=source" in res.output
