"""Ingest throughput: N synthetic transactions from CSV and Parquet, then a reload.

    python bench/ingest.py [--rows 10000000]

The data are generated once into bench/out/ (numpy + pyarrow) and reused. Each load runs in
its own process on a fresh workspace so its peak RSS is its own; the reload runs on the
Parquet workspace, where every row is a duplicate.
Targets (2 cores): >= 1,000,000 rows/s from Parquet, >= 500,000 rows/s from CSV, peak RSS
< 2 GB, a reload at least as fast as the first load.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"

CHILD = r"""
import json, resource, sys, time
from cvm.ingest import load_file
from cvm.workspace import Workspace
ws_path, path, create = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
ws = Workspace.create(ws_path) if create else Workspace.open(ws_path)
t0 = time.perf_counter()
r = load_file(ws, "transactions", path)
dt = time.perf_counter() - t0
ws.close()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": dt, "rows": r.rows_read, "loaded": r.loaded,
                  "duplicates": r.duplicates, "rejected": r.rejected, "rss": rss}))
"""


def generate(rows: int) -> tuple[Path, Path]:
    """Write (once) rows synthetic transactions as Parquet and CSV."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    OUT.mkdir(parents=True, exist_ok=True)
    parquet, csv = OUT / f"tx_{rows}.parquet", OUT / f"tx_{rows}.csv"
    if parquet.exists() and csv.exists():
        return parquet, csv
    rng = np.random.default_rng(7)
    ids = np.char.add("T", np.arange(rows).astype("U10"))
    customers = np.char.add("C", rng.integers(0, max(rows // 10, 1), rows).astype("U10"))
    start = np.datetime64("2020-01-01T00:00:00", "s").astype(np.int64)
    ts = (start + rng.integers(0, 4 * 365 * 86400, rows)).astype("datetime64[s]")
    amount = np.round(rng.gamma(2.0, 30.0, rows), 2)
    table = pa.table(
        {
            "transaction_id": pa.array(ids),
            "customer_id": pa.array(customers),
            "ts": pa.array(ts),
            "amount": pa.array(amount),
            "currency": pa.array(np.full(rows, "USD")),
        }
    )
    pq.write_table(table, parquet)
    pacsv.write_csv(table, csv)
    return parquet, csv


def run_load(ws: Path, path: Path, create: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ws), str(path), "1" if create else "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    parquet, csv = generate(args.rows)
    print(f"data: {args.rows:,} rows ({time.perf_counter() - t0:.1f} s to generate or find)")
    work = OUT / "ws"
    shutil.rmtree(work, ignore_errors=True)
    runs = [
        ("csv", work / "csv", csv, True),
        ("parquet", work / "parquet", parquet, True),
        ("parquet reload", work / "parquet", parquet, False),
    ]
    print(f"{'load':<16}{'rows/s':>14}{'seconds':>10}{'loaded':>12}{'dups':>12}{'peak RSS':>12}")
    for name, ws, path, create in runs:
        r = run_load(ws, path, create)
        print(
            f"{name:<16}{r['rows'] / r['seconds']:>14,.0f}{r['seconds']:>10.2f}"
            f"{r['loaded']:>12,}{r['duplicates']:>12,}{r['rss'] / 2**30:>10.2f} GB"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
