"""The engines side by side: summary, fit and score on DuckDB and on Spark local, with RSS.

    python bench/engines.py [--rows 10000000] [--rows 100000000] [--no-spark] [--memory 6GB]

Raw transaction logs (refunds included) are generated once into bench/out/ by
``cvm.datasets.raw``. Each run is its own process; its peak RSS is sampled over the whole
process tree (Spark's JVM included). Three runs per size:
- ``duckdb``: cvm's summary SQL (refunds netted), then fit on distinct histories and batch
  scoring, under the workspace memory cap (``--memory``, spilling to a temp directory);
- ``plain``: a hand-written single DuckDB query for the same summary, the yardstick;
- ``spark``: the same job on Spark local mode (2 cores).
Target: at 100M rows the duckdb run stays under 8 GB peak RSS and its summary within 1.3x of
the plain query.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"

CHILD = r"""
import json, sys, time
engine_name, folder, out, memory = sys.argv[1:5]
timings = {}
t0 = time.perf_counter()
if engine_name == "spark":
    from cvm.engines.spark import SparkEngine, spark_session
    engine = SparkEngine(spark_session("local[2]", {"spark.driver.memory": "4g"}),
                         {"transactions": folder})
else:
    import duckdb
    from cvm.engines import DuckDBEngine
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute(f"SET temp_directory = '{out}.tmp'")
    con.execute("SET preserve_insertion_order = false")
    engine = DuckDBEngine(con)
    engine.view("transactions", f"SELECT * FROM read_parquet('{folder}/*.parquet')")
timings["start"] = time.perf_counter() - t0
if engine_name == "plain":
    t = time.perf_counter()
    n = con.execute(open(sys.argv[5]).read()).fetchone()[0]
    timings["summary"] = time.perf_counter() - t
    print(json.dumps({"timings": timings, "customers": n}))
    raise SystemExit
from cvm.clv.on_engine import fit_on_engine, score_on_engine, summarise
from cvm.engines import sql_file
t = time.perf_counter()
day = summarise(engine, "2024-12-31")
n = engine.scalar("SELECT count(*) FROM clv_summary")
timings["summary"] = time.perf_counter() - t
t = time.perf_counter()
fit = fit_on_engine(engine, day, models=("bgnbd",))
timings["fit"] = time.perf_counter() - t
t = time.perf_counter()
score_on_engine(engine, fit, intervals=False)
engine.write_parquet(sql_file("cvm.clv", "engine_scores_out.sql"), out,
                     {"run_id": "bench", "cutoff": day}, partition_by=["run_id"])
timings["score"] = time.perf_counter() - t
print(json.dumps({"timings": timings, "customers": n}))
"""

# The yardstick: the same summary as one hand-written query, without cvm's netting of refunds
# by order; it nets every refund into its period instead.
PLAIN = """
SELECT count(*) FROM (
    SELECT customer_id, count(*) - 1 AS frequency,
           date_diff('day', min(day), max(day)) AS recency,
           date_diff('day', min(day), DATE '2024-12-31') AS T,
           CASE WHEN count(*) > 1 THEN (sum(value) - arg_min(value, day)) / (count(*) - 1)
                ELSE 0 END AS monetary_value
    FROM (
        SELECT customer_id, CAST(ts AS DATE) AS day, greatest(sum(amount), 0) AS value
        FROM transactions
        WHERE CAST(ts AS DATE) <= DATE '2024-12-31'
        GROUP BY customer_id, CAST(ts AS DATE)
        HAVING bool_or(NOT is_refund)
    )
    GROUP BY customer_id
)
"""


def generate(rows: int) -> Path:
    from cvm.datasets.raw import write_transactions

    folder = OUT / f"raw_{rows}"
    if not (folder / "_done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        write_transactions(folder, rows, seed=5)
        (folder / "_done").write_text("ok")
        print(f"generated {rows:,} rows in {time.perf_counter() - t:.0f} s", flush=True)
    return folder


def run(engine: str, folder: Path, memory: str) -> dict:
    import psutil

    work = Path(tempfile.mkdtemp(prefix=f"cvm-bench-{engine}-"))
    plain = work / "plain.sql"
    plain.write_text(PLAIN)
    args = [sys.executable, "-c", CHILD, engine, str(folder), str(work / "scores"), memory]
    args += [str(plain)]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(child.pid)
    peak = 0
    start = time.perf_counter()
    while child.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - start
    out = child.stdout.read() if child.stdout else ""
    shutil.rmtree(work, ignore_errors=True)
    if child.returncode != 0 or not out.strip():
        err = child.stderr.read() if child.stderr else ""
        print(err[-2000:], file=sys.stderr)
        return {"engine": engine, "failed": child.returncode}
    result = json.loads(out.strip().splitlines()[-1])
    return {"engine": engine, "wall": wall, "peak_rss": peak, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--memory", default="6GB", help="DuckDB memory cap (default 6GB)")
    args = parser.parse_args()
    engines = ["duckdb", "plain"] + ([] if args.no_spark else ["spark"])
    for rows in args.rows or [10_000_000]:
        folder = generate(rows)
        results = {e: run(e, folder, args.memory) for e in engines}
        print(f"\n{rows:,} raw rows")
        head = ("engine", "summary s", "fit s", "score s", "wall s", "peak RSS")
        print("{:8} {:>10} {:>7} {:>8} {:>8} {:>10}".format(*head))
        for name, r in results.items():
            if "failed" in r:
                print(f"{name:8} failed (exit {r['failed']})")
                continue
            t = r["timings"]
            print(
                f"{name:8} {t['summary']:10.1f} {t.get('fit', 0):7.1f} {t.get('score', 0):8.1f}"
                f" {r['wall']:8.1f} {r['peak_rss'] / 2**30:8.2f} GB"
            )
        duck, plain = results.get("duckdb", {}), results.get("plain", {})
        if "timings" in duck and "timings" in plain:
            ratio = duck["timings"]["summary"] / plain["timings"]["summary"]
            print(f"summary: cvm / plain query = {ratio:.2f}x")
        if "timings" in duck and "timings" in results.get("spark", {}):
            ratio = results["spark"]["wall"] / duck["wall"]
            print(f"wall: spark local / duckdb = {ratio:.2f}x")


if __name__ == "__main__":
    main()
