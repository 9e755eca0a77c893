"""A load killed half-way leaves the workspace exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
from tabular_helpers import DATA

from cvm.ingest import load_file
from cvm.workspace import Workspace

CHILD = r"""
import sys
from cvm.ingest import load_file
from cvm.workspace import Workspace

def progress(done, total, desc):
    if desc.endswith("done"):
        # rows are inserted but not committed: hold here until killed
        print("inserted", flush=True)
        sys.stdin.readline()

ws = Workspace.open(sys.argv[1])
load_file(ws, "transactions", sys.argv[2], progress=progress)
print("finished", flush=True)
"""


def _state(path: Path) -> tuple:
    with Workspace.open(path) as ws:
        return (
            ws.con.execute("SELECT count(*), sum(amount) FROM transactions").fetchone(),
            ws.table_counts()["loads"],
            ws.table_counts()["rejected_rows"],
        )


def test_sigkill_mid_load_leaves_store_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "w"
    with Workspace.create(root) as ws:
        load_file(ws, "transactions", DATA / "transactions_bad.csv")
    before = _state(root)
    big = tmp_path / "big.csv"
    duckdb.sql(
        "COPY (SELECT 'B' || i AS order_id, 'C' || (i % 1000) AS customer_id,"
        " TIMESTAMP '2023-01-01' + INTERVAL (i) MINUTE AS created_at, (i % 97) + 0.5 AS total"
        f" FROM range(200000) t(i)) TO '{big}' (HEADER)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(big)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "inserted"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert _state(root) == before
