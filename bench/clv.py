"""CLV benchmark: fit and score BG/NBD, Pareto/NBD and Gamma-Gamma at 100k, 1M and 10M customers,
the as-of summary of 10M transactions, and the same fits with lifetimes 0.11.3 in one run.

    python bench/clv.py [--sizes 100000 1000000 10000000] [--no-lifetimes] [--budget 600]
    python bench/clv.py --process [--repeats 7]

``--process`` (also the first step of a full run) times what an analyst's script does on the
CDNOW sample summary (2,357 customers, weeks): a fresh Python process that imports the library,
reads the CSV, fits BG/NBD, Pareto/NBD and Gamma-Gamma, and scores every customer (P(alive),
expected purchases over 52 weeks, 12-month CLV at 1% a month) with each purchase model; the
same script with lifetimes side by side, each run ``--repeats`` times alternately in fresh
processes; it prints the median wall times and their ratio. lifetimes runs in this interpreter
when it imports here (it does with numpy 2 and pandas 3), else in bench/.venv-lifetimes.

Data: per-customer summaries drawn from the BG/NBD with the CDNOW estimates (r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426, weeks), ages spread over 1-78 weeks and recorded to the day,
with Gamma-Gamma spend (p = 6.25, q = 3.74, gamma = 15.44). Every measurement runs in its own
process, so the peak RSS printed is that step's own. lifetimes needs older numpy/pandas: it is
installed into bench/.venv-lifetimes on first use and given a budget (default 10 minutes) per
fit; a size is skipped once the previous size's time suggests it cannot finish in the budget.
Targets at 1M: BG/NBD < 1 s, Gamma-Gamma < 0.5 s, Pareto/NBD < 10 s, scoring < 1 s; summary of
10M transactions < 5 s; peak memory < 2 GB at 10M customers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "out"
LIFETIMES_ENV = HERE / ".venv-lifetimes"
LIFETIMES_PINS = ["lifetimes==0.11.3", "numpy<2", "pandas<2", "scipy<1.13", "autograd"]
TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}

OURS = r"""
import json, resource, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
from cvm.models import BetaGeoModel, GammaGammaModel, ParetoNBDModel
d = np.load(sys.argv[1]); what = sys.argv[2]
f, r, T, m = d["frequency"], d["recency"], d["T"], d["monetary"]
out = {}
t0 = time.perf_counter()
if what == "bgnbd":
    model = BetaGeoModel().fit(f, r, T)
elif what == "paretonbd":
    model = ParetoNBDModel().fit(f, r, T)
elif what == "gamma_gamma":
    buyers = f > 0
    model = GammaGammaModel().fit(f[buyers], m[buyers])
elif what == "score":
    model = BetaGeoModel().fit(f, r, T)
    spend_model = GammaGammaModel().fit(f[f > 0], m[f > 0])
    import datetime, pandas as pd
    from cvm.clv import ClvFit, score_clv
    summary = pd.DataFrame({"frequency": f, "recency": r, "T": T, "monetary_value": m})
    fit = ClvFit(cutoff=datetime.date(2025, 12, 31), unit="W", summary=summary,
                 models={"bgnbd": model}, spend=spend_model, comparison=pd.DataFrame(),
                 best="bgnbd")
    t0 = time.perf_counter()
    scores = score_clv(fit, intervals=False)  # what `cvm score --no-intervals` computes
    out["equity"] = float(scores["clv"].sum())
    if len(sys.argv) > 3:  # and with 95% intervals from 200 Laplace draws, as `cvm score`
        out["seconds"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        score_clv(fit, intervals=True)
        out["intervals"] = time.perf_counter() - t1
out.setdefault("seconds", time.perf_counter() - t0)
out["params"] = {k: float(v) for k, v in model.params_.items()}
out["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(out))
"""

LIFETIMES = r"""
import json, resource, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
d = np.load(sys.argv[1]); what = sys.argv[2]
f, r, T, m = d["frequency"], d["recency"], d["T"], d["monetary"]
t0 = time.perf_counter()
if what == "bgnbd":
    model = BetaGeoFitter().fit(f, r, T)
elif what == "paretonbd":
    model = ParetoNBDFitter().fit(f, r, T)
else:
    buyers = f > 0
    model = GammaGammaFitter().fit(f[buyers], m[buyers])
names = {"p": "p", "q": "q", "v": "gamma"}
params = {names.get(k, k): float(v) for k, v in model.params_.items()}
print(json.dumps({"seconds": time.perf_counter() - t0, "params": params,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

CDNOW = HERE.parent / "tests" / "data" / "cdnow" / "cdnow_sample_summary.csv"

OURS_PROCESS = r"""
import sys, warnings
warnings.simplefilter("ignore")
import pandas as pd
from cvm.models import BetaGeoModel, GammaGammaModel, ParetoNBDModel, customer_lifetime_value
d = pd.read_csv(sys.argv[1])
f, r, T, m = d["x"], d["t_x"], d["T"], d["zbar"]
bg = BetaGeoModel().fit(f, r, T)
pareto = ParetoNBDModel().fit(f, r, T)
buyers = d[d["x"] > 0]
gg = GammaGammaModel().fit(buyers["x"], buyers["zbar"])
spend = gg.conditional_expected_average_profit(f, m)
for model in (bg, pareto):
    model.conditional_probability_alive(f, r, T)
    model.conditional_expected_number_of_purchases_up_to_time(52, f, r, T)
    clv = customer_lifetime_value(model, f, r, T, spend, monthly_discount_rate=0.01,
                                  horizon_months=12, time_units_per_year=12 * 4.345)
print(round(float(clv.sum()), 2))
"""

LIFETIMES_PROCESS = r"""
import sys, warnings
warnings.simplefilter("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
d = pd.read_csv(sys.argv[1])
f, r, T, m = d["x"], d["t_x"], d["T"], d["zbar"]
bg = BetaGeoFitter().fit(f, r, T)
pareto = ParetoNBDFitter().fit(f, r, T)
buyers = d[d["x"] > 0]
gg = GammaGammaFitter().fit(buyers["x"], buyers["zbar"])
for model in (bg, pareto):
    model.conditional_probability_alive(f, r, T)
    model.conditional_expected_number_of_purchases_up_to_time(52, f, r, T)
    clv = gg.customer_lifetime_value(model, f, r, T, m, time=12, discount_rate=0.01, freq="W")
print(round(float(clv.sum()), 2))
"""

SUMMARY = r"""
import json, resource, sys, time
from cvm.features import rfm_summary
t0 = time.perf_counter()
s = rfm_summary(sys.argv[1], "2023-12-31", unit="W")
print(json.dumps({"seconds": time.perf_counter() - t0, "customers": len(s),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def make_data(n: int) -> Path:
    """Summaries of n customers (cached in bench/out)."""
    import numpy as np

    from cvm.datasets import simulate_bgnbd_summary, simulate_gamma_gamma_spend

    path = OUT / f"clv_{n}.npz"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(n)
    ages = np.round(rng.uniform(1, 78, n) * 7) / 7  # recorded to the day
    data = simulate_bgnbd_summary(n, **TRUE, T=ages, seed=rng)
    freq = data["frequency"].to_numpy()
    recency = np.minimum(np.round(data["recency"].to_numpy() * 7) / 7, ages)
    spend = simulate_gamma_gamma_spend(freq, **SPEND, seed=rng)["monetary_value"].to_numpy()
    np.savez(path, frequency=freq, recency=recency, T=ages, monetary=np.where(freq > 0, spend, 0.0))
    return path


def run(python: str, code: str, *args: str, timeout: float | None = None) -> dict | None:
    try:
        out = subprocess.run(
            [python, "-c", code, *args], capture_output=True, text=True, timeout=timeout, check=True
        )
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        print(exc.stderr[-2000:], file=sys.stderr)
        raise
    return json.loads(out.stdout.strip().splitlines()[-1])


def lifetimes_python() -> str:
    python = LIFETIMES_ENV / "bin" / "python"
    if not python.exists():
        print("installing lifetimes 0.11.3 into bench/.venv-lifetimes ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(LIFETIMES_ENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *LIFETIMES_PINS], check=True)
    return str(python)


def agree(ours: dict, theirs: dict) -> str:
    """Largest relative difference of the parameters; 3 significant digits means < 5e-3."""
    worst = max(abs(ours[k] - v) / abs(v) for k, v in theirs.items())
    return f"{worst:.1e} ({'same to 3 digits' if worst < 5e-3 else 'DIFFERENT'})"


def wall(python: str, code: str, *args: str) -> tuple[float, str]:
    """Wall time of a fresh process running ``code`` (start-up and imports included)."""
    t0 = time.perf_counter()
    out = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, out.stdout.strip()


def process_bench(repeats: int) -> None:
    """The whole analyst's script on the CDNOW sample summary, cvm against lifetimes."""
    import statistics

    try:
        subprocess.run([sys.executable, "-c", "import lifetimes"], check=True, capture_output=True)
        theirs_python = sys.executable
    except subprocess.CalledProcessError:
        theirs_python = lifetimes_python()
    ours, theirs = [], []
    for _ in range(repeats):  # alternate, so a busy moment costs both the same
        seconds, ours_equity = wall(sys.executable, OURS_PROCESS, str(CDNOW))
        ours.append(seconds)
        seconds, their_equity = wall(theirs_python, LIFETIMES_PROCESS, str(CDNOW))
        theirs.append(seconds)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(
        f"CDNOW sample (2,357 customers), whole process (import, read, fit BG/NBD, Pareto/NBD and"
        f" Gamma-Gamma, score), median of {repeats} fresh processes each:\n"
        f"  cvm {a:.2f} s (runs {', '.join(f'{v:.2f}' for v in ours)})\n"
        f"  lifetimes {b:.2f} s (runs {', '.join(f'{v:.2f}' for v in theirs)})\n"
        f"  lifetimes / cvm = {b / a:.2f}x; Pareto/NBD CLV equity: cvm {ours_equity},"
        f" lifetimes {their_equity}",
        flush=True,
    )


def summary_bench() -> None:
    sys.path.insert(0, str(HERE))
    from ingest import generate  # the ingest benchmark's 10M synthetic transactions

    parquet, _ = generate(10_000_000)
    res = run(sys.executable, SUMMARY, str(parquet))
    assert res is not None
    print(
        f"as-of summary of 10,000,000 transactions: {res['seconds']:.2f} s,"
        f" {res['customers']:,} customers, peak RSS {res['rss'] / 1e9:.2f} GB (target < 5 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--no-lifetimes", action="store_true")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per lifetimes fit")
    parser.add_argument("--process", action="store_true", help="only the CDNOW whole process")
    parser.add_argument("--repeats", type=int, default=7, help="fresh processes per library")
    args = parser.parse_args()
    if not args.no_lifetimes:
        process_bench(args.repeats)
    if args.process:
        return
    theirs_python = None if args.no_lifetimes else lifetimes_python()
    rows = []
    last: dict[str, float] = {}
    for n in args.sizes:
        t0 = time.perf_counter()
        path = make_data(n)
        print(f"\n{n:,} customers (data {time.perf_counter() - t0:.1f} s)", flush=True)
        for what in ("bgnbd", "gamma_gamma", "paretonbd", "score"):
            extra = ("intervals",) if what == "score" and n <= 1_000_000 else ()
            ours = run(sys.executable, OURS, str(path), what, *extra)
            assert ours is not None
            line = f"  {what:12s} cvm {ours['seconds']:8.2f} s  RSS {ours['rss'] / 1e9:5.2f} GB"
            if "intervals" in ours:
                line += f"  | with 95% CLV intervals +{ours['intervals']:.2f} s"
            theirs = None
            if theirs_python and what != "score":
                guess = last.get(what, 0.0) * 10
                if guess > args.budget:
                    line += f"  | lifetimes skipped (~{guess:.0f} s expected)"
                else:
                    theirs = run(theirs_python, LIFETIMES, str(path), what, timeout=args.budget)
                    if theirs is None:
                        line += f"  | lifetimes > {args.budget:.0f} s"
                        last[what] = args.budget
                    else:
                        last[what] = theirs["seconds"]
                        line += (
                            f"  | lifetimes {theirs['seconds']:8.2f} s"
                            f"  ratio {theirs['seconds'] / ours['seconds']:6.1f}x"
                            f"  params {agree(ours['params'], theirs['params'])}"
                        )
            print(line, flush=True)
            rows.append({"n": n, "step": what, "cvm": ours, "lifetimes": theirs})
    summary_bench()
    (OUT / "clv_results.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
