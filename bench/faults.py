"""Crash consistency: SIGKILL at random moments during ingest, erasure, scoring and a campaign
build, then check that each workspace is exactly as before the operation or exactly as after.

    python bench/faults.py [--runs 20] [--customers 2000] [--rows 200000] [--seed 0]
                           [--only ingest erase score campaign]

Setup (not timed): a simulated business of ``--customers`` customers loaded into a base
workspace with a CLV run and a draft campaign, and a CSV of ``--rows`` more transactions. Each
operation first runs once to the end on a copy (the "after" state and its duration); then, for
each of ``--runs`` runs, a fresh copy is opened by a child process, which starts the operation
when told and is killed with SIGKILL after a random delay drawn from 0 to 1.2 times that
duration. The workspace is then reopened (DuckDB replays or drops its WAL) and compared with the
before and after states: row counts and an order-free checksum of every table, leaving out
columns that differ on every run (run ids, load ids, wall-clock times) and comparing float
columns by their sums to 1e-6 (a refit on the same rows can differ in the last bits, since
DuckDB sums in parallel). "ended first" counts runs whose operation finished before the kill
came (their state must be "after"). Exit status 1 when any run ends in neither state.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

VOLATILE = {
    "run_id", "load_id", "created_at", "started_at", "finished_at", "erased_at",
    "compacted_at", "rejected_at", "updated_at", "merged_at", "measured_at", "applied_at",
    "params", "metrics",
}  # fmt: skip
"""Columns whose values differ between two runs of the same operation. A run's fitted
parameters and metrics (JSON text) vary in their last digits with DuckDB's parallel sums; the
scores computed from them are compared, with a tolerance."""

CAMPAIGN = "FAULTS"
CHILD = r"""
import sys, time
op, root, arg = sys.argv[1], sys.argv[2], sys.argv[3]
from cvm.workspace import Workspace
if op == "ingest":
    from cvm.ingest import load_file
elif op == "erase":
    from cvm.privacy import erase_customer
elif op == "score":
    from cvm.clv import fit_clv, save_run, score_clv
    from cvm.clv.scoring import last_transaction_day
elif op == "campaign":
    from cvm.campaigns import build_campaign
ws = Workspace.open(root)
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
if op == "ingest":
    load_file(ws, "transactions", arg)
elif op == "erase":
    erase_customer(ws, arg)
elif op == "score":
    end = last_transaction_day(ws)
    fit = fit_clv(ws, end)
    save_run(ws, fit, score_clv(fit, intervals=False), {"cutoff": str(end)})
elif op == "campaign":
    build_campaign(ws, arg)
ws.close()
print(f"done {time.perf_counter() - start:.3f}", flush=True)
"""


def state(root: Path) -> dict[str, tuple]:
    """Per table: row count, an order-free checksum of its non-float columns, and the sum of
    each float column (volatile columns left out). Floats are compared with a tolerance
    (``same``): a refit on the same rows may differ in the last bits (parallel sums)."""
    con = duckdb.connect(str(root / "cvm.duckdb"))
    try:
        cols = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns()"
            " WHERE NOT internal AND database_name = current_database() AND schema_name = 'main'"
            " ORDER BY table_name, column_index"
        ).fetchall()
        tables: dict[str, tuple[list[str], list[str]]] = {}
        for table, column, dtype in cols:
            exact, floats = tables.setdefault(table, ([], []))
            if column in VOLATILE:
                continue
            if dtype == "DOUBLE":
                floats.append(f'coalesce(sum("{column}"), 0)')
            else:
                exact.append(f'"{column}"::VARCHAR')
        out = {}
        for table, (exact, floats) in tables.items():
            checksum = f"coalesce(sum(hash({', '.join(exact)})::HUGEINT), 0)" if exact else "0"
            row = con.execute(
                f'SELECT count(*), {checksum}, [{", ".join(floats)}]::DOUBLE[] FROM "{table}"'
            ).fetchone()
            out[table] = (int(row[0]), int(row[1]), tuple(row[2])) if row else (0, 0, ())
        return out
    finally:
        con.close()


def same(a: dict[str, tuple], b: dict[str, tuple]) -> bool:
    """Equal counts and checksums, and float sums equal to 1e-6 relative."""
    if a.keys() != b.keys():
        return False
    for table in a:
        (n1, h1, f1), (n2, h2, f2) = a[table], b[table]
        if n1 != n2 or h1 != h2 or len(f1) != len(f2):
            return False
        if any(abs(x - y) > 1e-6 * max(1.0, abs(x), abs(y)) for x, y in zip(f1, f2, strict=True)):
            return False
    return True


def setup(work: Path, customers: int, rows: int, seed: int) -> tuple[Path, Path, str]:
    """The base workspace, the CSV to ingest, and the customer to erase."""
    from datetime import timedelta

    from cvm.campaigns import Campaign, create_campaign
    from cvm.clv import fit_clv, save_run, score_clv
    from cvm.clv.scoring import last_transaction_day
    from cvm.datasets import simulate, write_files
    from cvm.ingest import load_file
    from cvm.workspace import Workspace
    from cvm.workspace.secret import erasure_key

    business = simulate(customers, seed=seed, events=False)
    files = write_files(business, work / "business")
    base = work / "base"
    with Workspace.create(base) as ws:
        erasure_key(base, create=True)  # one key for every copy: erasures compare equal
        load_file(ws, "customers", files["customers"])
        load_file(ws, "transactions", files["transactions"])
        end = last_transaction_day(ws)
        fit = fit_clv(ws, end)
        save_run(ws, fit, score_clv(fit, intervals=False), {"cutoff": str(end)})
        starts = end + timedelta(days=1)
        campaign = Campaign(campaign_id=CAMPAIGN, channel="email", starts=starts,
                            ends=starts + timedelta(days=7), control_fraction=0.2)  # fmt: skip
        create_campaign(ws, campaign)
        victim = str(
            ws.con.execute(
                "SELECT customer_id FROM transactions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ).fetchall()[0][0]
        )
        ids = [str(r[0]) for r in ws.con.execute("SELECT customer_id FROM customers").fetchall()]
    big = work / "more_orders.csv"
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ids AS SELECT row_number() OVER () - 1 AS k, customer_id"
        " FROM (SELECT unnest(?) AS customer_id)",
        [ids],
    )
    target = str(big).replace("'", "''")  # a path of our own temporary folder
    con.execute(
        "COPY (SELECT 'F' || i AS order_id, ids.customer_id,"
        " TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS created_at,"
        " (i % 97) + 0.5 AS total"
        " FROM range(?) t(i) JOIN ids ON ids.k = i % ? ORDER BY i)"
        f" TO '{target}' (HEADER)",
        [rows, len(ids)],
    )
    con.close()
    return base, big, victim


def run_child(ws: Path, op: str, arg: str, delay: float | None) -> tuple[str, float]:
    """Run one operation in a child; kill it ``delay`` seconds after it starts (None: never).
    Returns ('killed' or 'finished', seconds the operation ran)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, op, str(ws), arg],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        child.kill()
        raise SystemExit(f"{op}: the child did not start")
    child.stdin.write("go\n")
    child.stdin.flush()
    start = time.perf_counter()
    if delay is None:
        line = child.stdout.readline().strip()
        child.wait()
        if not line.startswith("done"):
            raise SystemExit(f"{op}: the uninterrupted run failed")
        return "finished", float(line.split()[1])
    try:
        child.wait(timeout=delay)
        return "finished", time.perf_counter() - start
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
        return "killed", time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="kills per operation")
    parser.add_argument("--customers", type=int, default=2000, help="customers in the base")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the ingested CSV")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="operations to run (default: all four)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="cvm-faults-"))
    try:
        base, big, victim = setup(work, args.customers, args.rows, args.seed)
        operations = {"ingest": str(big), "erase": victim, "score": "-", "campaign": CAMPAIGN}
        before = state(base)
        print(f"base: {args.customers:,} customers, ingest of {args.rows:,} rows, {args.runs} "
              f"kills per operation")  # fmt: skip
        print(f"{'operation':<10} {'runs':>5} {'before':>7} {'after':>6} {'neither':>8}"
              f" {'ended first':>12} {'op seconds':>11}")  # fmt: skip
        failed = 0
        for op, arg in operations.items():
            if args.only and op not in args.only:
                continue
            ref = work / f"{op}-ref"
            shutil.copytree(base, ref)
            _, seconds = run_child(ref, op, arg, None)
            after = state(ref)
            if same(after, before):
                raise SystemExit(f"{op}: the operation changed nothing; nothing to test")
            outcomes: Counter[str] = Counter()
            for i in range(args.runs):
                ws = work / f"{op}-{i}"
                shutil.copytree(base, ws)
                ended, _ = run_child(ws, op, arg, rng.uniform(0, 1.2 * seconds))
                outcomes["ended first"] += ended == "finished"
                try:
                    now = state(ws)
                except duckdb.Error as exc:  # a store that does not open is neither
                    print(f"  {op} run {i}: cannot open: {str(exc).splitlines()[0]}")
                    now = {}
                outcome = (
                    "before" if same(now, before) else "after" if same(now, after) else "neither"
                )
                outcomes[outcome] += 1
                if outcome == "neither":
                    for t in sorted(t for t in now if not same({t: now[t]}, {t: after[t]})):
                        print(f"  {op} run {i}: neither: {t} rows {now[t][0]} (before"
                              f" {before[t][0]}, after {after[t][0]}), float sums {now[t][2]}"
                              f" (after {after[t][2]})")  # fmt: skip
                shutil.rmtree(ws)
            failed += outcomes["neither"]
            print(f"{op:<10} {args.runs:>5} {outcomes['before']:>7} {outcomes['after']:>6}"
                  f" {outcomes['neither']:>8} {outcomes['ended first']:>12}"
                  f" {seconds:>11.2f}")  # fmt: skip
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
