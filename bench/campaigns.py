"""Campaign benchmark: build + export, measure, and an uplift fit at 1M customers.

    python bench/campaigns.py [--customers 1000000] [--uplift-rows 1000000] [--threads N]

Data: a workspace with N customers (90% e-mail consent, a few suppressed, some recent contacts
for the frequency caps) and two purchases each on average before the campaign, made in SQL. The
campaign targets everyone with a 10% control group stratified by country; after the export,
purchases in the response window are drawn with 10% conversion for the control and 11% for the
treated. The uplift fit is a T-learner (two histogram gradient-boosting classifiers) on
``--uplift-rows`` rows of a randomized test with 10 features. Setup is not timed.
Targets at 1M: build + export < 20 s, measure < 10 s, uplift fit < 2 min.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cvm.campaigns import (
    Campaign,
    build_campaign,
    create_campaign,
    export_campaign,
    measure_campaign,
)
from cvm.models.uplift import TwoModelUplift, qini_coefficient
from cvm.workspace import Workspace

OUT = Path(__file__).parent / "out"


def _setup(ws: Workspace, n: int) -> None:
    con = ws.con
    con.execute("SELECT setseed(0.42)")
    con.execute(
        """
        INSERT INTO customers (customer_id, first_seen, email, phone, country,
                               acquisition_channel, consent_email, consent_sms, attributes)
        SELECT printf('C%08d', i), TIMESTAMP '2023-01-01' + to_days(CAST(i % 700 AS INTEGER)),
               printf('c%08d@example.com', i), printf('+1555%07d', i % 10000000),
               ['US', 'GB', 'DE', 'FR'][i % 4 + 1], 'web', random() < 0.9, random() < 0.4,
               json_object('first_name', 'Pat', 'last_name', printf('N%d', i))
        FROM range(1, ? + 1) t(i)
        """,
        [n],
    )
    con.execute(
        """
        INSERT INTO transactions (transaction_id, customer_id, ts, amount)
        SELECT printf('H%09d', row_number() OVER ()),
               printf('C%08d', 1 + (random() * ?)::BIGINT % ?),
               TIMESTAMP '2024-01-01' + to_days(CAST(random() * 420 AS INTEGER)),
               round(exp(3.5 + random()), 2)
        FROM range(2 * ?)
        """,
        [n, n, n],
    )
    con.execute(
        "INSERT INTO suppressions (customer_id, channel, reason)"
        " SELECT printf('C%08d', i), 'email', 'bounced' FROM range(1, ? + 1, 97) t(i)",
        [n],
    )
    con.execute(
        "INSERT INTO contacts SELECT 'OLD', printf('C%08d', i), 'email', d"
        " FROM range(1, ? + 1, 53) t(i),"
        " (VALUES (TIMESTAMP '2025-02-26'), (TIMESTAMP '2025-02-27')) v(d)",
        [n],
    )


def _window_purchases(ws: Workspace) -> None:
    ws.con.execute(
        """
        INSERT INTO transactions (transaction_id, customer_id, ts, amount)
        SELECT 'W' || customer_id, customer_id,
               TIMESTAMP '2025-03-02' + to_days(CAST(random() * 20 AS INTEGER)),
               round(exp(3.5 + random()), 2)
        FROM assignments
        WHERE campaign_id = 'BENCH' AND random() < CASE arm WHEN 'control' THEN 0.10 ELSE 0.11 END
        """
    )
    ws.con.execute(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
        " VALUES ('END', 'C00000001', TIMESTAMP '2025-06-01', 1.0)"
    )


def _uplift(rows: int, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 10)).astype(np.float32)
    arm = np.where(rng.random(rows) < 0.2, "control", "treatment")
    tau = 0.05 * np.tanh(2 * X[:, 0])
    y = (rng.random(rows) < 0.1 + 0.05 * np.tanh(X[:, 1]) + (arm == "treatment") * tau).astype(
        float
    )
    start = time.perf_counter()
    model = TwoModelUplift(random_state=seed).fit(X, arm, y)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(X[:200_000])
    score = time.perf_counter() - start
    qini = qini_coefficient(y[:200_000], arm[:200_000], predicted)
    return {"uplift_fit_s": fit, "uplift_score_200k_s": score, "uplift_qini": qini}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--uplift-rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=None, help="OpenMP threads for the fit")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cvm-bench-campaigns-"))
    results: dict[str, float] = {"customers": args.customers}
    try:
        ws = Workspace.create(root / "ws")
        start = time.perf_counter()
        _setup(ws, args.customers)
        results["setup_s"] = time.perf_counter() - start

        start = time.perf_counter()
        design = Campaign(
            campaign_id="BENCH",
            channel="email",
            starts="2025-03-01",  # type: ignore[arg-type]
            ends="2025-03-07",
            response_days=21,
            control_fraction=0.1,
            stratify_by="country",
            offer_id="OFF10",
            cost_per_contact=0.02,
        )
        create_campaign(ws, design)
        built = build_campaign(ws, "BENCH")
        results["build_s"] = time.perf_counter() - start
        start = time.perf_counter()
        exported = export_campaign(ws, "BENCH", root / "bench_email.csv")
        results["export_s"] = time.perf_counter() - start
        results["build_export_s"] = results["build_s"] + results["export_s"]
        results["eligible"] = built.eligible
        results["exported_rows"] = exported.rows
        print(
            f"build {results['build_s']:.2f} s + export {results['export_s']:.2f} s"
            f" = {results['build_export_s']:.2f} s; {built.eligible:,} eligible,"
            f" excluded {built.excluded}; {exported.rows:,} rows exported"
        )

        _window_purchases(ws)
        start = time.perf_counter()
        m = measure_campaign(ws, "BENCH")
        results["measure_s"] = time.perf_counter() - start
        lift = m.lift("conversion")
        results["conversion_lift"] = float(lift.lift)
        print(
            f"measure {results['measure_s']:.2f} s; conversion lift {lift.lift:.4f}"
            f" [{lift.lower:.4f}, {lift.upper:.4f}] (true 0.01)"
        )
        ws.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    if args.threads is not None:
        import sklearn.ensemble  # noqa: F401 - loads OpenMP so that the limit reaches it
        from threadpoolctl import threadpool_limits

        with threadpool_limits(args.threads):
            results.update(_uplift(args.uplift_rows))
    else:
        results.update(_uplift(args.uplift_rows))
    print(
        f"uplift T-learner fit on {args.uplift_rows:,} rows {results['uplift_fit_s']:.1f} s;"
        f" Qini {results['uplift_qini']:.4f}"
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "campaigns.json").write_text(json.dumps(results, indent=2) + "\n")
    print(pd.Series(results).to_string())


if __name__ == "__main__":
    main()
