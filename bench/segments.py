"""Segment and churn-score a million customers; train the churn model on them.

    .venv/bin/python bench/segments.py               # 1,000,000 customers
    .venv/bin/python bench/segments.py --n 100000

Data are generated in DuckDB (customers, about 4 orders each with one order line, events,
BG/NBD-like dropout). Prints seconds per step and the peak resident memory of the process.
Targets: segment + churn score under 30 s, churn training under 2 minutes, peak under 4 GB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cvm.workspace import Workspace

GENERATE = """
CREATE TABLE bench_people AS
SELECT 'C' || lpad(CAST(i AS VARCHAR), 8, '0') AS customer_id,
       DATE '2023-01-01' + CAST(floor(random() * 1000) AS INTEGER) AS first_day,
       10 + 150 * random() AS mean_gap,
       10 + 90 * random() AS spend,
       CAST(1 + floor(ln(random()) / ln(1 - (0.05 + 0.5 * random()))) AS INTEGER)
           AS life_orders,
       ['web', 'store', 'app'][1 + CAST(floor(random() * 3) AS INTEGER)] AS channel
FROM range(getvariable('bench_n')) AS t(i);

INSERT INTO customers (customer_id, first_seen, country, acquisition_channel, consent_email,
                       consent_sms, consent_push, consent_mail, attributes)
SELECT customer_id, first_day, 'US', channel, random() < 0.7, random() < 0.35,
       random() < 0.3, random() < 0.1, '{"age_band": "25-34"}'
FROM bench_people;

CREATE TABLE bench_orders AS
WITH k AS (
    SELECT p.*, o.k, -ln(random()) * mean_gap AS gap
    FROM bench_people AS p, range(40) AS o(k)
    WHERE o.k < life_orders
)
SELECT customer_id, k, channel, spend,
       first_day + CAST(sum(CASE WHEN k = 0 THEN 0 ELSE gap END)
           OVER (PARTITION BY customer_id ORDER BY k) AS INTEGER) AS day
FROM k;

INSERT INTO transactions (transaction_id, customer_id, ts, amount, channel, is_refund)
SELECT customer_id || '-' || k, customer_id, day + INTERVAL 12 HOUR,
       round(spend * (0.25 + 1.5 * random()), 2),
       CASE WHEN random() < 0.2 THEN 'web' ELSE channel END, false
FROM bench_orders WHERE day <= DATE '2025-12-31';

INSERT INTO order_items (transaction_id, line_no, product_id, category, quantity, amount)
SELECT transaction_id, 1, 'P1',
       ['apparel', 'home', 'books', 'beauty'][1 + CAST(floor(random() * 4) AS INTEGER)], 1, amount
FROM transactions;

INSERT INTO events (message_id, type, customer_id, ts, event)
SELECT transaction_id || '-v', 'track', customer_id, ts - INTERVAL 20 MINUTE, 'Product Viewed'
FROM transactions WHERE channel <> 'store';

DROP TABLE bench_people; DROP TABLE bench_orders;
"""


def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    out = fn()
    print(f"{label:<48} {time.perf_counter() - start:7.2f} s", flush=True)
    return out


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the workspace here.")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="cvm-bench-segments-"))
    if root.exists():
        shutil.rmtree(root)
    from cvm.clv import fit_clv, save_run
    from cvm.clv.scoring import score_clv
    from cvm.segments.churn import save_churn, train_churn
    from cvm.segments.runs import segment

    ws = Workspace.create(root)
    try:
        ws.config.raw["segments"] = {
            "rules": {
                "vip": {"where": "clv > 50 AND p_alive > 0.7"},
                "vip_email": {"parent": "vip", "where": "consent_email"},
                "web_heavy": {"where": "coalesce(channel_shares['web'], 0) > 0.5"},
                "save_them": {"where": "churn_risk > 0.6 AND tier IN ('Platinum', 'Gold')"},
            }
        }
        timed(
            f"generate {args.n:,} customers in DuckDB",
            lambda: ws.con.execute(f"SET VARIABLE bench_n = {int(args.n)};" + GENERATE),
        )
        counts = ws.table_counts()
        print(f"  transactions {counts['transactions']:,}, events {counts['events']:,}")
        as_of = "2025-12-31"

        def clv() -> str:
            fit = fit_clv(ws, as_of, models=("bgnbd",), penalizer=0.001)
            return save_run(ws, fit, score_clv(fit, intervals=False), {"cutoff": as_of})

        timed("CLV fit + score + store (before, not in budget)", clv)
        training = timed(
            "churn training (2 cutoffs, fit, validate)", lambda: train_churn(ws, as_of)
        )
        timed("  save churn model", lambda: save_churn(ws, training))
        print(f"  {training.notes[0]}")
        print(
            f"  calibration error {training.metrics['calibration_error']:.4f},"
            f" train rows {training.n_train:,}"
        )
        run = timed("segment + churn score + rules + store", lambda: segment(ws, as_of))
        print(f"  {run.customers:,} customers; lifecycle {run.counts['lifecycle']}")
        print(f"  rule segments {run.counts['rule']}")
        print(f"peak RSS {peak_gb():.2f} GB")
    finally:
        ws.close()
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
