"""Another process holding a workspace's database file open, as a second user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOLD = (
    "import duckdb, sys, time;"
    " c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro');"
    " print('held', flush=True); time.sleep(float(sys.argv[3])); c.close()"
)


def hold_database(
    ws_path: Path, *, read_only: bool = False, seconds: float = 60.0
) -> subprocess.Popen[str]:
    """Start the holder and return once it has the file open (read-only or for writing)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(ws_path / "cvm.duckdb"), "ro" if read_only else "rw",
         str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc
