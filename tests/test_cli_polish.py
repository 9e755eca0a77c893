"""The command line as a person meets it: help, version, messages, typos, piped output."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import cvm
from cli_run import cvm_ok
from cvm.cli import app
from cvm.settings.segments import LIFECYCLE_STAGES
from cvm.workspace import Workspace
from demo_workspace import open_demo

VENDORS = Path(__file__).parent / "data" / "vendors"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small demo workspace, closed so commands (and other processes) can open it."""
    for ws in open_demo(tmp_path_factory.mktemp("polish"), n_customers=600, seed=3):
        path = ws.path
    yield path


def _flat(shown: str) -> str:
    """Help text without its box and line wrapping."""
    return " ".join(shown.replace("│", " ").split())


def test_help_keeps_section_names_and_shows_flags_without_a_placeholder(runner) -> None:
    shown = _flat(cvm_ok(runner, "plan", "--help"))
    assert "[decide] budget" in shown  # was "(default: budget)": markup ate "[decide]"
    assert "<bool>" not in shown
    assert "<float>" in shown  # options that take a value still say what value
    assert "<bool>" not in cvm_ok(runner, "--help")


def test_h_is_help_and_version_prints_the_version(runner) -> None:
    assert cvm_ok(runner, "-h") == cvm_ok(runner, "--help")
    assert "campaign plan [OPTIONS]" in cvm_ok(runner, "campaign", "plan", "-h")
    assert cvm_ok(runner, "--version").strip() == f"cvm {cvm.__version__}"
    assert cvm_ok(runner, "-V").strip() == f"cvm {cvm.__version__}"


def test_help_says_how_to_get_shell_completion(runner) -> None:
    shown = _flat(cvm_ok(runner, "--help"))
    assert "--install-completion" in shown
    assert "Shell completion" in shown


def test_messages_print_section_names_as_written(runner, tmp_path: Path) -> None:
    """A library message that names a cvm.toml section keeps the brackets."""
    ws = tmp_path / "w"
    cvm_ok(runner, "init", str(ws))
    result = runner.invoke(app, ["offers", "validate", "-w", str(ws)])
    assert result.exit_code == 1
    assert "[[offers]] tables or [decide] offers_file" in result.output


def test_an_unknown_segments_run_is_an_error_not_an_empty_table(runner, demo: Path) -> None:
    result = runner.invoke(app, ["segments", "--run", "nope", "-w", str(demo)])
    assert result.exit_code == 1
    assert "unknown segments run 'nope'" in result.output
    assert "segments of" not in result.output  # no table printed


def test_a_misspelt_map_is_refused_with_the_column_it_meant(runner, tmp_path: Path) -> None:
    ws = tmp_path / "w"
    cvm_ok(runner, "init", str(ws))
    orders = tmp_path / "orders.csv"
    orders.write_text("client,ts,amount\n007,2024-01-02,5.00\n")
    result = runner.invoke(
        app, ["ingest", "transactions", str(orders), "--map", "customerid=client", "-w", str(ws)]
    )
    assert result.exit_code == 1
    assert "no column 'customerid'; did you mean customer_id?" in result.output
    with Workspace.open(ws, read_only=True) as opened:
        assert opened.table_counts()["transactions"] == 0
    # spelt right, the same file loads, the leading zero kept
    cvm_ok(runner, "ingest", "transactions", str(orders), "--map", "customer_id=client",
           "-w", str(ws))  # fmt: skip
    with Workspace.open(ws, read_only=True) as opened:
        assert opened.engine.rows("SELECT customer_id FROM transactions") == [("007",)]


def test_a_rule_with_a_value_no_customer_has_warns_with_the_values(
    runner, demo: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "copy"
    ws.mkdir()
    for name in ("cvm.toml", "cvm.duckdb"):
        (ws / name).write_bytes((demo / name).read_bytes())
    dates = ["--starts", "2026-01-05", "--ends", "2026-01-20", "-w", str(ws)]
    cvm_ok(runner, "campaign", "create", "T1", "--rule", "lifecycle = 'at-risk'", *dates)
    result = runner.invoke(app, ["campaign", "build", "T1", "-w", str(ws)])
    assert result.exit_code == 1 and "the audience is empty" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("warning:"))
    assert "lifecycle = 'at-risk' matches no customer" in line
    assert "did you mean at_risk?" in line
    listed = re.findall(r"'([a-z_]+)'", line.split("holds", 1)[1].split(";")[0])
    assert "at_risk" in listed and set(listed) <= set(LIFECYCLE_STAGES)
    # a value that occurs gives no warning
    cvm_ok(runner, "campaign", "create", "T2", "--rule", "lifecycle = 'at_risk'", *dates)
    result = runner.invoke(app, ["campaign", "build", "T2", "-w", str(ws)])
    assert "warning:" not in result.output


def test_campaign_build_with_too_few_eligible_says_the_minimum(runner, tmp_path: Path) -> None:
    ws = tmp_path / "w"
    cvm_ok(runner, "init", str(ws))
    people = tmp_path / "customers.csv"
    people.write_text("customer_id,email,consent_email\n001,a@example.org,true\n")
    cvm_ok(runner, "ingest", "customers", str(people), "-w", str(ws))
    cvm_ok(runner, "campaign", "create", "ONE", "--starts", "2026-01-05", "--ends", "2026-01-20",
           "--channel", "email", "--rule", "true", "-w", str(ws))  # fmt: skip
    result = runner.invoke(app, ["campaign", "build", "ONE", "-w", str(ws)])
    assert result.exit_code == 1
    assert "1 eligible customers of 1, below the minimum of 2" in result.output


def test_piped_csv_carries_tables_only(demo: Path) -> None:
    """stdout of a piped command is the tables and nothing else (no solver or log lines)."""
    env = {**os.environ, "CVM_WORKSPACE": str(demo)}
    for args in (["plan", "--method", "exact"], ["plan", "--method", "lagrangian"], ["fit"]):
        done = subprocess.run(
            [sys.executable, "-m", "cvm", *args, "--format", "csv"],
            capture_output=True, text=True, env=env, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        blocks = [b for b in done.stdout.split("\n\n") if b.strip()]
        assert blocks, args
        for block in blocks:
            title, _, body = block.strip().partition("\n")
            assert title.startswith("# "), (args, title)
            rows = list(csv.reader(io.StringIO(body)))
            assert len(rows) > 1 and {len(r) for r in rows} == {len(rows[0])}, (args, title)


def test_the_demo_script_says_what_it_does_before_installing() -> None:
    script = (Path(__file__).parents[1] / "run").read_text()
    setup = script[script.index("setup() {") : script.index("\n}\n", script.index("setup() {"))]
    install = setup.index("pip install")
    assert "echo" in setup[:install], "./run must say it is installing before it goes quiet"
