"""Time the CLV models on simulated customers (days, continuous recency and T).

    .venv/bin/python bench/bench_models.py              # 1,000,000 customers, every model
    .venv/bin/python bench/bench_models.py --n 10000000 --only bgnbd   # memory at 10M

Prints seconds per step and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from cvm.models import (
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    customer_lifetime_value,
    sample_bgnbd,
    sample_gamma_gamma,
    sample_paretonbd,
)


def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    out = fn()
    print(f"{label:<42} {time.perf_counter() - start:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["bgnbd", "gg", "pnbd"], default=None)
    args = parser.parse_args()
    n = args.n
    rng = np.random.default_rng(0)
    T = rng.uniform(30, 730, n)  # days since the first purchase
    print(f"{n:,} customers")
    if args.only in (None, "bgnbd", "gg"):
        d = sample_bgnbd(n, 0.5, 30.0, 0.8, 2.5, T, random_state=1)
        x, t_x, t = (d[c].to_numpy() for c in ("frequency", "recency", "T"))
        del d
        bg = timed("BG/NBD fit", lambda: BetaGeoModel().fit(x, t_x, t))
        print("   ", bg)
    if args.only in (None, "gg"):
        spend = sample_gamma_gamma(x, 6.0, 4.0, 15.0, random_state=2)["monetary"].to_numpy()
        rep = x > 0
        gg = timed(
            "Gamma-Gamma fit (repeat buyers)", lambda: GammaGammaModel().fit(x[rep], spend[rep])
        )
        print("   ", gg)
    if args.only is None:
        timed(
            "BG/NBD expected purchases, 90 days",
            lambda: bg.conditional_expected_number_of_purchases_up_to_time(90, x, t_x, t),
        )
        timed("BG/NBD P(alive)", lambda: bg.conditional_probability_alive(x, t_x, t))
        value = timed(
            "Gamma-Gamma expected spend", lambda: gg.conditional_expected_average_profit(x, spend)
        )
        timed(
            "CLV point, 1 year, monthly steps",
            lambda: customer_lifetime_value(bg, x, t_x, t, value, margin=0.3),
        )
        timed(
            "CLV point, 1 year, continuous discounting",
            lambda: customer_lifetime_value(bg, x, t_x, t, value, margin=0.3, continuous=True),
        )
    if args.only in (None, "pnbd"):
        d = sample_paretonbd(n, 0.6, 20.0, 0.8, 60.0, T, random_state=3)
        px, pt_x, pt = (d[c].to_numpy() for c in ("frequency", "recency", "T"))
        pn = timed("Pareto/NBD fit", lambda: ParetoNBDModel().fit(px, pt_x, pt))
        print("   ", pn)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
