"""Uplift benchmark: fit and held-out evaluation at 1M test members; the social-pressure test.

    python bench/uplift.py [--rows 1000000] [--threads N]
    python bench/uplift.py --social-pressure [--threads N]

Default mode: a results file of ``--rows`` members of a two-arm randomized test (50% control)
with 10 numeric and 5 categorical covariates (``c0`` has 50,000 distinct values, the others
3 to 40) and a 0/1 outcome whose uplift depends on ``x2`` and ``c1``. It is imported with
``import_results`` (timed apart) and ``fit_campaign_uplift`` (T-learner, 30% held out) fits,
evaluates against control and scores every member (timed). Target at 1M: < 60 s, < 2 GB.

``--social-pressure``: the five-arm Michigan 2006 experiment (344,084 people, Gerber, Green &
Larimer 2008) at full size: import, measure every arm against control, uplift for the
Neighbors arm; each step timed.

Peak RSS is the process's high-water mark (``resource.getrusage``), setup included.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cvm.campaigns import fit_campaign_uplift, import_results, measure_outcome
from cvm.workspace import Workspace

OUT = Path(__file__).parent / "out"
SOCIAL = Path(__file__).parents[1] / "tests" / "data" / "social_pressure" / "social_pressure.csv.gz"


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _results_file(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 10)).astype(np.float32)
    cats = {
        "c0": rng.integers(0, 50_000, rows),
        "c1": rng.integers(0, 3, rows),
        "c2": rng.integers(0, 8, rows),
        "c3": rng.integers(0, 20, rows),
        "c4": rng.integers(0, 40, rows),
    }
    treated = rng.random(rows) < 0.5
    base = 1 / (1 + np.exp(-(-1.5 + 0.6 * x[:, 0] - 0.4 * x[:, 1])))
    effect = 0.08 * (x[:, 2] > 0) + 0.05 * (cats["c1"] == 1) - 0.03 * (x[:, 3] > 1)
    p = np.clip(base + treated * effect, 0, 1)
    frame = pd.DataFrame({f"x{j}": np.round(x[:, j], 4) for j in range(10)})
    for name, codes in cats.items():
        frame[name] = np.char.add(f"{name}_", codes.astype(str))
    frame.insert(0, "arm", np.where(treated, "mail", "holdout"))
    frame.insert(0, "customer_id", np.char.add("M", np.arange(rows).astype(str)))
    frame["converted"] = (rng.random(rows) < p).astype(int)
    import duckdb

    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (HEADER)")
    con.close()


def _members(rows: int, threads: int | None) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="cvm-bench-uplift-"))
    try:
        _results_file(root / "results.csv", rows)
        ws = Workspace.create(root / "ws")
        t0 = time.perf_counter()
        import_results(ws, "BENCH", root / "results.csv", arm_column="arm",
                       control_arm="holdout", outcomes=["converted"])  # fmt: skip
        t1 = time.perf_counter()
        result = fit_campaign_uplift(ws, "BENCH", threads=threads)
        t2 = time.perf_counter()
        e = result.arms["mail"]
        ws.close()
        return {
            "rows": rows,
            "import_s": t1 - t0,
            "uplift_fit_evaluate_score_s": t2 - t1,
            "features": len(result.features),
            "qini_normalised": e.qini,
            "auuc_normalised": e.auuc,
            "peak_rss_mib": _peak_mib(),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _social(threads: int | None) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="cvm-bench-social-"))
    try:
        ws = Workspace.create(root / "ws")
        t0 = time.perf_counter()
        loaded = import_results(ws, "MI2006", SOCIAL, arm_column="treatment",
                                control_arm="Control", outcomes=["voted"])  # fmt: skip
        t1 = time.perf_counter()
        m = measure_outcome(ws, "MI2006", "voted")
        t2 = time.perf_counter()
        result = fit_campaign_uplift(ws, "MI2006", arm="Neighbors", threads=threads)
        t3 = time.perf_counter()
        ws.close()
        lift = m.arms.set_index("arm").loc["Neighbors", "lift"]
        return {
            "rows": loaded.rows,
            "import_s": t1 - t0,
            "measure_s": t2 - t1,
            "uplift_neighbors_s": t3 - t2,
            "total_s": t3 - t0,
            "neighbors_lift": float(lift),
            "qini_normalised": result.arms["Neighbors"].qini,
            "peak_rss_mib": _peak_mib(),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=None, help="model threads")
    parser.add_argument("--social-pressure", action="store_true")
    args = parser.parse_args()
    if args.social_pressure:
        results = _social(args.threads)
        print(
            f"social pressure ({results['rows']:,} people): import {results['import_s']:.1f} s,"
            f" measure {results['measure_s']:.1f} s, uplift (Neighbors)"
            f" {results['uplift_neighbors_s']:.1f} s, total {results['total_s']:.1f} s;"
            f" Neighbors lift {results['neighbors_lift']:+.4f}; peak RSS"
            f" {results['peak_rss_mib']:,.0f} MiB"
        )
        name = "uplift_social_pressure.json"
    else:
        results = _members(args.rows, args.threads)
        print(
            f"uplift on {results['rows']:,} members ({results['features']} features): fit +"
            f" held-out evaluation + scoring {results['uplift_fit_evaluate_score_s']:.1f} s"
            f" (import {results['import_s']:.1f} s apart); Qini {results['qini_normalised']:.4f},"
            f" AUUC {results['auuc_normalised']:.4f}; peak RSS"
            f" {results['peak_rss_mib']:,.0f} MiB"
        )
        name = f"uplift_{args.rows}.json"
    OUT.mkdir(exist_ok=True)
    (OUT / name).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
