"""The full report of a 1M-customer workspace: seconds, HTML size and peak memory.

Transactions are simulated straight into DuckDB (per customer: a random purchase rate, an
exponential lifetime and a typical order value; purchases spread uniformly over the life),
then CLV (BG/NBD with Gamma-Gamma) is fitted and scored at two days with a segments run each,
and ``write_report`` is timed, holdout evaluation included.

    .venv/bin/python bench/report.py [--customers 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from datetime import timedelta
from pathlib import Path

OUT = Path(__file__).parent / "out"

SIMULATE = """
CREATE TABLE sim_customers AS
SELECT
    'C' || lpad(CAST(i AS VARCHAR), 8, '0') AS customer_id,
    DATE '2022-01-01' + CAST(floor(random() * 900) AS INTEGER) AS first_day,
    -- purchase rate per day ~ gamma(0.8, 1/40) via the sum of exponentials approximation
    greatest(-ln(random()) * 0.025 * (0.3 + random() * 1.4), 0.0005) AS rate,
    -- days until dropout: geometric in purchases, here exponential in time
    -ln(random()) * 500 AS life,
    30 + -ln(random()) * 40 AS spend
FROM range(1, $n + 1) AS t(i);

CREATE TABLE sim_tx AS
SELECT customer_id, first_day + 0 AS day, spend AS amount FROM sim_customers
UNION ALL
SELECT c.customer_id,
       c.first_day + CAST(floor(random() * least(c.life, DATE '2025-06-30' - c.first_day))
                          AS INTEGER) AS day,
       c.spend * (0.5 + random()) AS amount
FROM sim_customers AS c,
     range(0, 60) AS k(j)
WHERE k.j < floor(c.rate * least(c.life, DATE '2025-06-30' - c.first_day));

INSERT INTO transactions (transaction_id, customer_id, ts, amount, channel)
SELECT 'T' || CAST(row_number() OVER () AS VARCHAR), customer_id,
       CAST(day AS TIMESTAMP) + INTERVAL 12 HOUR, round(amount, 2),
       CASE WHEN random() < 0.6 THEN 'web' ELSE 'store' END
FROM sim_tx WHERE day <= DATE '2025-06-30';

INSERT INTO customers (customer_id, first_seen, consent_email)
SELECT customer_id, CAST(first_day AS TIMESTAMP), random() < 0.7 FROM sim_customers;

DROP TABLE sim_tx; DROP TABLE sim_customers;
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the workspace for a rerun")
    args = parser.parse_args()

    from cvm.clv import fit_clv, save_run
    from cvm.clv.scoring import last_transaction_day, score_clv
    from cvm.report import write_report
    from cvm.segments.runs import segment
    from cvm.workspace import Workspace

    root = OUT / f"report_ws_{args.customers}"
    if not (args.keep and (root / "cvm.duckdb").exists()):
        shutil.rmtree(root, ignore_errors=True)
        with Workspace.create(root, name=f"bench {args.customers:,}") as ws:
            t = time.perf_counter()
            ws.con.execute("SELECT setseed(0.42)")
            for statement in filter(str.strip, SIMULATE.split(";")):
                params = {"n": args.customers} if "$n" in statement else None
                ws.con.execute(statement, params)
            n_tx = ws.con.execute("SELECT count(*) FROM transactions").fetchall()[0][0]
            print(f"simulated {args.customers:,} customers, {n_tx:,} transactions"
                  f" in {time.perf_counter() - t:.1f} s")  # fmt: skip
            end = last_transaction_day(ws)
            for day in (end - timedelta(days=91), end):
                t = time.perf_counter()
                fit = fit_clv(ws, day, models=("bgnbd",))
                save_run(ws, fit, score_clv(fit, intervals=False), {"cutoff": str(day)})
                print(f"CLV (BG/NBD) as of {day} in {time.perf_counter() - t:.1f} s", flush=True)
                t = time.perf_counter()
                segment(ws, day, churn=False)
                print(f"segments as of {day} in {time.perf_counter() - t:.1f} s", flush=True)
    with Workspace.open(root, read_only=True) as ws:
        t = time.perf_counter()
        path = write_report(ws, OUT / f"report_{args.customers}.html")
        seconds = time.perf_counter() - t
    size = path.stat().st_size / 1e6
    print(f"write_report: {seconds:.1f} s, HTML {size:.2f} MB, peak RSS {peak_rss_mb():,.0f} MB")
    print(f"report: {path}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
