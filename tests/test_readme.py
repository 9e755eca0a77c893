"""Every Python and shell block of the README runs, in order, so the README cannot rot.

The blocks run in a scratch folder that holds what the README's reader would have: the demo
workspace (``demo-workspace``, smaller than ``./run demo`` makes) and the files the examples
name (``orders.csv`` and friends, cut from the demo's own data). Python blocks share one
namespace, as cells of a notebook do; shell blocks run each ``cvm`` line through the CLI,
which must exit 0. TOML blocks must be valid ``cvm.toml`` (unknown keys are refused).
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from cvm.cli import app
from cvm.demo import run_demo
from cvm.settings import parse_settings
from cvm.workspace import Workspace
from readme_blocks import Block, blocks, commands

BLOCKS = blocks()
RUNNABLE = [b for b in BLOCKS if b.lang in ("python", "bash", "console", "sh")]
NOT_RUN_HERE = {"dashboard", "serve"}  # start a server: tests/api starts them on a free port
DATA = Path(__file__).parent / "data"


def _own_files(root: Path, demo: Path) -> None:
    """The files the README's examples load, made from the demo's data."""
    orders = pd.read_csv(demo / "data" / "transactions.csv", dtype=str)
    orders.to_csv(root / "orders.csv", index=False)
    orders.to_csv(root / "orders-january-v2.csv", index=False)
    (root / "more").mkdir()
    orders.head(50).to_parquet(root / "more" / "orders-2024-01.parquet", index=False)
    people = pd.read_csv(demo / "data" / "customers.csv", dtype=str)
    people.rename(columns={"customer_id": "Record ID"}).to_csv(
        root / "crm_export.csv.gz", index=False, compression="gzip"
    )
    shutil.copy(demo / "data" / "events.jsonl", root / "segment-export.jsonl")
    answers = pd.read_csv(demo / "data" / "surveys.csv", dtype=str)
    answers.head(200).to_json(root / "wave3.jsonl", orient="records", lines=True)
    people.loc[people["email"].notna(), ["email"]].head(5).to_csv(
        root / "unsubscribed.csv", index=False
    )
    shutil.copy(demo / "data" / "subscriptions.csv", root / "contracts.csv")
    for name in ("campaigns.csv", "assignments.csv"):  # a past campaign not imported yet
        table = pd.read_csv(demo / "data" / name, dtype=str)
        table["campaign_id"] = "CMP0100"
        table.to_csv(root / name, index=False)
    shutil.copy(DATA / "cdnow" / "CDNOW_sample.txt", root / "CDNOW_sample.txt")
    shutil.copy(DATA / "ingest" / "shopify_orders.csv", root / "shopify_orders.csv")
    for name in ("customers.csv", "contracts.csv"):
        shutil.copy(DATA / "telecom" / name, root / name)


def _prepare(runner: CliRunner, root: Path) -> None:
    """What the README's reader has done before: a telecom workspace, a refused row and a
    customer who asks for their data, in the demo workspace."""
    demo = str(root / "demo-workspace")
    (root / "late.csv").write_text(
        "customer_id,email,first_seen\nZ1,erase.me@example.org,2024-01-05\n"
    )
    (root / "bad.csv").write_text("customer_id,ts,amount\nZ1,not a day,5\n")
    steps = [
        ["init", "telco"],
        ["ingest", "customers", "customers.csv", "-w", "telco"],
        ["ingest", "subscriptions", "contracts.csv", "-w", "telco", "--map", "plan=Contract",
         "--map", "started=StartDate", "--map", "ended=EndDate",
         "--map", "monthly_amount=MonthlyCharges"],
        ["ingest", "customers", "late.csv", "-w", demo],
        ["ingest", "transactions", "bad.csv", "-w", demo],
    ]  # fmt: skip
    for args in steps:
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), result.output  # bad.csv loads nothing, on purpose


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("readme")
    run_demo(root / "demo-workspace", n_customers=800, seed=0)
    _own_files(root, root / "demo-workspace")
    before = Path.cwd()
    os.chdir(root)
    try:
        _prepare(CliRunner(), root)
        yield root
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def namespace(scratch: Path) -> Iterator[dict[str, Any]]:
    """The notebook's names; ``ws`` is the reader's open workspace (the demo's)."""
    ws = Workspace.open(scratch / "demo-workspace")
    yield {"__name__": "readme", "demo_ws": ws}
    ws.close()


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_readme_block_runs(block: Block, scratch: Path, namespace: dict[str, Any]) -> None:
    if block.skip:
        pytest.skip(block.skip)
    if block.lang == "python":
        namespace["ws"] = namespace["demo_ws"]  # a block that made its own may have closed it
        exec(compile(block.text, f"README.md:{block.line}", "exec"), namespace)
        return
    runner = CliRunner()
    env = {"CVM_WORKSPACE": str(scratch / "demo-workspace")}
    for args in commands(block):
        if args and args[0] in NOT_RUN_HERE:
            continue
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, (
            f"README.md:{block.line}: cvm {' '.join(args)}\n{result.output}"
        )


TOML = [b for b in BLOCKS if b.lang == "toml"]


@pytest.mark.parametrize("block", TOML, ids=[b.id for b in TOML])
def test_readme_settings_are_valid(block: Block) -> None:
    if block.skip:
        pytest.skip(block.skip)
    parse_settings(tomllib.loads(block.text))


def test_every_skipped_block_says_why_and_most_blocks_run() -> None:
    skipped = [b for b in RUNNABLE if b.skip]
    assert all(b.skip and b.skip.strip() for b in skipped)
    assert len(skipped) <= len(RUNNABLE) // 4, [b.id for b in skipped]
