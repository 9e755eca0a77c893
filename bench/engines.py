"""The engines side by side: summary, fit and score on DuckDB and on Spark local, with RSS.

    python bench/engines.py [--data DIR] [--rows N ...] [--skip-100m] [--no-spark] [--memory 6GB]

Raw transaction logs (refunds included) are generated once by ``cvm.datasets.raw`` into
``--data`` (default bench/out/; 10M rows take 0.15 GB, 100M rows 1.6 GB) and reused. Sizes: 10M
and 100M raw rows unless ``--rows`` says otherwise; ``--skip-100m`` (or too little free disk for
the data and DuckDB's spill) leaves 100M out. Each run is its own process; its peak RSS is
sampled over the whole process tree (Spark's JVM included), and per step inside it. Runs:
- ``duckdb``: cvm's summary SQL (refunds netted by order) on a connection opened by
  ``cvm.workspace.connect`` under the memory cap (``--memory``, spilling to a temp folder), then
  the BG/NBD and Gamma-Gamma fits on distinct histories and batch scoring written to Parquet;
- ``plain``: the yardstick, one hand-written DuckDB query on the same Parquet and the same
  connection settings computing the same columns and kept as a table, as the summary is; it
  nets every refund into its own day (no netting by order), the cheapest correct-looking query;
- ``spark``: the same job on Spark local mode (``local[2]``, the machine's 2 cores).
Target: at 100M rows the duckdb run stays under 8 GB peak RSS and its summary within 1.3x of
the plain query. The load average is printed with each run: wall times are only comparable at
the same load, peak RSS and the side-by-side ratio hold under any load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
CUTOFF = "2024-12-31"
GB_PER_100M = 1.6  # Parquet written by cvm.datasets.raw, per 100M rows
SPILL_PER_100M = 12.0  # room left for DuckDB's spill at 100M rows under a 6GB cap

CHILD = r"""
import json, os, sys, threading, time
import psutil
engine_name, folder, out, memory, cutoff = sys.argv[1:6]
peaks, phase = {}, ["start"]


def sample():
    me = psutil.Process()
    while True:
        try:
            rss = sum(p.memory_info().rss for p in [me, *me.children(recursive=True)])
        except psutil.Error:
            rss = 0
        peaks[phase[0]] = max(peaks.get(phase[0], 0), rss)
        time.sleep(0.2)


threading.Thread(target=sample, daemon=True).start()
timings = {}
t0 = time.perf_counter()
if engine_name == "spark":
    from cvm.engines.spark import SparkEngine, spark_session
    engine = SparkEngine(spark_session("local[2]", {"spark.driver.memory": "4g"}),
                         {"transactions": folder})
else:
    from cvm.engines import DuckDBEngine
    from cvm.workspace import connect
    con = connect(":memory:", memory=memory, temp_directory=out + ".spill")
    engine = DuckDBEngine(con, memory=memory)
    engine.view("transactions", f"SELECT * FROM read_parquet('{folder}/*.parquet')")
timings["start"] = time.perf_counter() - t0


def step(name):
    phase[0] = name
    return time.perf_counter()


if engine_name == "plain":
    t = step("summary")
    sql = open(sys.argv[6]).read().replace("$cutoff", f"DATE '{cutoff}'")
    con.execute(sql)
    n = con.execute("SELECT count(*) FROM plain_summary").fetchone()[0]
    timings["summary"] = time.perf_counter() - t
    print(json.dumps({"timings": timings, "customers": n, "peaks": peaks}))
    raise SystemExit
from cvm.clv.on_engine import fit_on_engine, score_on_engine, summarise
from cvm.engines import sql_file
t = step("summary")
day = summarise(engine, cutoff)
n = engine.scalar("SELECT count(*) FROM clv_summary")  # Spark caches lazily: this computes it
timings["summary"] = time.perf_counter() - t
t = step("fit")
fit = fit_on_engine(engine, day, models=("bgnbd",))
timings["fit"] = time.perf_counter() - t
t = step("score")
score_on_engine(engine, fit, intervals=False)
engine.write_parquet(sql_file("cvm.clv", "engine_scores_out.sql"), out,
                     {"run_id": "bench", "cutoff": day}, partition_by=["run_id"])
timings["score"] = time.perf_counter() - t
print(json.dumps({"timings": timings, "customers": n, "peaks": peaks}))
"""

# The yardstick: one hand-written query with the summary's columns, kept as a table like the
# summary. Each refund is netted into its own day, not into the order it names: the netting by
# order (and dropping orders refunded in full) is the work cvm does beyond it.
PLAIN = """
CREATE OR REPLACE TEMP TABLE plain_summary AS
SELECT customer_id,
       CAST(count(*) - 1 AS DOUBLE) AS frequency,
       date_diff('day', min(day), max(day)) / 1.0 AS recency,
       date_diff('day', min(day), $cutoff) / 1.0 AS T,
       CASE WHEN count(*) > 1 THEN (sum(value) - arg_min(value, day)) / (count(*) - 1)
            ELSE 0 END AS monetary_value,
       min(day) AS first_purchase,
       max(day) AS last_purchase
FROM (
    SELECT CAST(customer_id AS VARCHAR) AS customer_id, CAST(ts AS DATE) AS day,
           greatest(sum(CAST(amount AS DOUBLE)), 0) AS value
    FROM transactions
    WHERE CAST(ts AS DATE) <= $cutoff
    GROUP BY 1, 2
    HAVING bool_or(NOT is_refund)
)
GROUP BY customer_id
"""


def generate(rows: int, data: Path) -> Path:
    from cvm.datasets.raw import write_transactions

    folder = data / f"raw_{rows}"
    if not (folder / "_done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        write_transactions(folder, rows, seed=5)
        (folder / "_done").write_text("ok")
        print(f"generated {rows:,} rows in {time.perf_counter() - t:.0f} s", flush=True)
    return folder


def room_for(rows: int, data: Path) -> str | None:
    """Why ``rows`` do not fit on the disk (data not yet written, plus DuckDB's spill), if so."""
    data.mkdir(parents=True, exist_ok=True)
    written = (data / f"raw_{rows}" / "_done").exists()
    need = rows / 1e8 * ((0 if written else GB_PER_100M) + SPILL_PER_100M)
    free = shutil.disk_usage(data).free / 1e9
    if free < need:
        return f"{rows:,} rows skipped: {free:.0f} GB free in {data}, about {need:.0f} GB needed"
    return None


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run(engine: str, folder: Path, memory: str) -> dict:
    import psutil

    work = Path(tempfile.mkdtemp(prefix=f"cvm-bench-{engine}-"))
    plain = work / "plain.sql"
    plain.write_text(PLAIN)
    args = [sys.executable, "-c", CHILD, engine, str(folder), str(work / "scores"), memory]
    args += [CUTOFF, str(plain)]
    before = load()
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
    out, err = child.communicate()
    shutil.rmtree(work, ignore_errors=True)
    if child.returncode != 0 or not out.strip():
        print(err[-2000:], file=sys.stderr)
        return {"engine": engine, "failed": child.returncode}
    result = json.loads(out.strip().splitlines()[-1])
    return {"engine": engine, "wall": wall, "peak_rss": peak, "load": (before, load()), **result}


HEAD = ("engine", "customers", "start s", "summary s", "fit s", "score s", "wall s", "peak RSS")


def line(name: str, r: dict) -> str:
    """One run's figures, printed as soon as it ends (a long Spark run hides nothing)."""
    if "failed" in r:
        return f"{name:8} failed (exit {r['failed']})"
    t = r["timings"]
    peaks = " ".join(f"{k} {v / 2**30:.2f}" for k, v in r["peaks"].items() if k != "start")
    return (
        f"{name:8} {r['customers']:>10,} {t['start']:8.1f} {t['summary']:10.1f}"
        f" {t.get('fit', 0):7.1f} {t.get('score', 0):8.1f} {r['wall']:8.1f}"
        f" {r['peak_rss'] / 2**30:7.2f} GB   {peaks} GB; {r['load'][0]} -> {r['load'][1]}"
    )


def ratios(results: dict[str, dict]) -> None:
    duck, plain = results.get("duckdb", {}), results.get("plain", {})
    if "timings" in duck and "timings" in plain:
        ratio = duck["timings"]["summary"] / plain["timings"]["summary"]
        print(f"summary: cvm / plain query = {ratio:.2f}x")
    if "timings" in duck and "timings" in results.get("spark", {}):
        spark = results["spark"]["timings"]
        for step in ("summary", "fit", "score"):
            print(f"{step}: spark local / duckdb = {spark[step] / duck['timings'][step]:.2f}x")
        print(f"wall: spark local / duckdb = {results['spark']['wall'] / duck['wall']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="raw rows (default 10M, 100M)")
    parser.add_argument("--data", type=Path, default=OUT, help="where the raw logs are kept")
    parser.add_argument("--skip-100m", action="store_true", help="leave out 100M raw rows")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--engines", help="comma-separated subset of duckdb,plain,spark")
    parser.add_argument("--memory", default="6GB", help="DuckDB memory cap (default 6GB)")
    args = parser.parse_args()
    engines = ["duckdb", "plain"] + ([] if args.no_spark else ["spark"])
    if args.engines:
        engines = [e for e in args.engines.split(",") if e in ("duckdb", "plain", "spark")]
    sizes = args.rows or [10_000_000, 100_000_000]
    if args.skip_100m:
        sizes = [n for n in sizes if n < 100_000_000]
    print(f"{os.cpu_count()} cores; {load()}; DuckDB cap {args.memory}", flush=True)
    for rows in sizes:
        short = room_for(rows, args.data)
        if short:
            print(short, flush=True)
            continue
        folder = generate(rows, args.data)
        print(f"\n{rows:,} raw rows", flush=True)
        print("{:8} {:>10} {:>8} {:>10} {:>7} {:>8} {:>8} {:>10}   {}".format(*HEAD, "step peaks"))
        results = {}
        for e in engines:
            results[e] = run(e, folder, args.memory)
            print(line(e, results[e]), flush=True)
        ratios(results)


if __name__ == "__main__":
    main()
