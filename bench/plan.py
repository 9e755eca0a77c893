"""Plan benchmark: 1M customers x 20 offers, a budget and 3 channel capacities.

    python bench/plan.py [--customers 1000000] [--offers 20] [--store]

Data: per-customer P(alive), expected purchases, CLV and expected order value drawn like a
BG/NBD + Gamma-Gamma book; offers of every kind on e-mail, SMS and push; per-pair lifts vary
by customer (as uplift scores do); about half the pairs are ineligible. Times the value model
(every factor of every pair), the Lagrangian solve with its optimality gap, the budget-value
curve, and with ``--store`` writing every pair's decision row to DuckDB. Target: plan under
60 s and peak memory under 4 GB (peak RSS of the process, printed).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from cvm.decide.catalog import DecideSettings, parse_offers
from cvm.decide.optimize import solve_lagrangian
from cvm.decide.plan import PlanResult, budget_curve, plan_problem
from cvm.decide.value import offer_factors

KINDS = ("retention", "win-back", "cross-sell", "up-sell", "referral")
CHANNELS = ("email", "sms", "push")


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--offers", type=int, default=20)
    parser.add_argument("--budget", type=float, default=150_000.0)
    parser.add_argument("--store", action="store_true")
    args = parser.parse_args()
    n, m = args.customers, args.offers
    rng = np.random.default_rng(0)
    p_alive = rng.beta(2.0, 1.0, n)
    purchases = rng.gamma(0.8, 2.5, n) * p_alive
    order_value = 15.44 * rng.gamma(6.25, 1.0, n) / rng.gamma(3.74, 1.0, n)
    clv = 0.3 * order_value * purchases * 2.5
    offers = parse_offers(
        [
            {
                "id": f"o{k:02d}",
                "kind": KINDS[k % len(KINDS)],
                "channel": CHANNELS[k % 3],
                "unit_cost": [0.05, 0.5, 0.02][k % 3] + 0.5 * rng.random(),
                "discount": 0.1 if k % 4 == 0 else 0.0,
                "lift": float(rng.uniform(0.01, 0.08)),
                "weight": float(rng.choice([1.0, 1.0, 1.2])),
            }
            for k in range(m)
        ]
    )
    lift = np.array([o.lift for o in offers]) * rng.lognormal(0.0, 0.6, (n, m))
    eligible = rng.random((n, m)) < 0.5
    capacity = {"email": n // 5, "sms": n // 50, "push": n // 10}
    print(f"{n:,} customers x {m} offers, budget {args.budget:,.0f}, capacities {capacity}")

    t0 = time.perf_counter()
    factors = offer_factors(
        offers,
        DecideSettings(),
        p_alive=p_alive,
        expected_purchases=purchases,
        clv=clv,
        order_value=order_value,
        lift=lift,
        lift_source=np.full((n, m), 2, dtype=np.int8),
        eligible=eligible,
    )
    del lift, eligible
    problem = plan_problem(offers, factors, args.budget, capacity)
    t1 = time.perf_counter()
    solution = solve_lagrangian(problem)
    t2 = time.perf_counter()
    curve = budget_curve(problem, args.budget, 12)
    t3 = time.perf_counter()
    print(f"value model (every factor of {n * m:,} pairs): {t1 - t0:6.1f} s")
    print(f"Lagrangian solve + repair + fill:           {t2 - t1:6.1f} s")
    print(f"budget-value curve (12 budgets):            {t3 - t2:6.1f} s")
    print(f"plan total:                                 {t3 - t0:6.1f} s")
    print(
        f"chosen {int((solution.choice >= 0).sum()):,}; spent {solution.spent:,.0f} of"
        f" {args.budget:,.0f}; channel use"
        f" {dict(zip(CHANNELS, solution.counts.tolist(), strict=True))}"
    )
    print(
        f"objective {solution.objective:,.1f}, upper bound {solution.bound:,.1f},"
        f" optimality gap {solution.gap:.4%}"
    )
    print(f"peak memory (RSS) of the plan: {peak_gb():.2f} GB")
    if args.store:
        import tempfile

        import duckdb

        from cvm.decide import plan as plan_module

        folder = tempfile.TemporaryDirectory()

        class _Ws:  # a bare workspace: a database file with the cvm schema
            def __init__(self) -> None:
                from cvm.workspace import migrate

                self.con = duckdb.connect(f"{folder.name}/bench.duckdb")
                migrate(self.con)

            def record_run(self, *a: object, **k: object) -> str:
                return "plan-bench"

        result = PlanResult(
            as_of=__import__("datetime").date(2025, 12, 31),
            budget=args.budget,
            offers=offers,
            customer_ids=np.char.add("C", np.arange(n).astype(str)).astype(object),
            factors=factors,
            reasons=np.full((n, m), None, dtype=object),
            solution=solution,
            problem=problem,
            curve=curve,
            capacities=capacity,
        )
        t4 = time.perf_counter()
        plan_module.save_plan(_Ws(), result)  # type: ignore[arg-type]
        print(f"store {n * m:,} decision rows in DuckDB:    {time.perf_counter() - t4:6.1f} s")
        print(f"peak memory (RSS) with the store: {peak_gb():.2f} GB")


if __name__ == "__main__":
    main()
