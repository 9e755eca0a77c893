"""The whole loop on a real public transaction log, every step through the command line.

CDNOW sample: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing
Science 24(2); 2,357 customers, 6,919 purchases, 1997-01-01 to 1998-06-30, distributed by
B. Hardie (also in lifetimes, MIT). Published BG/NBD on the 39-week calibration period, in weeks
(lifetimes' BetaGeoFitter on the same summary, to four decimals): r 0.2426, alpha 4.4135,
a 0.7929, b 2.4258.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli_run import cvm_ok
from cvm.workspace import Workspace

CDNOW_RAW = Path(__file__).parent.parent / "data" / "cdnow" / "CDNOW_sample.txt"

BGNBD = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}
# Gamma-Gamma on the calibration period (lifetimes' GammaGammaFitter, FHL 2005 note): p 6.25,
# q 3.74, gamma 15.44. The raw log holds 21 rows identical to another (same customer, day,
# CDs and dollars); each is a purchase and loads as one (merged, they moved p by 0.4%).
GAMMA_GAMMA = {"p": 6.2502, "q": 3.7444, "gamma": 15.4495}

OFFERS = """
[decide]
budget = 500

[[offers]]
id = "winback-10"
name = "10% off to come back"
kind = "win-back"
channel = "email"
unit_cost = 0.05
discount = 0.10
eligible = "lifecycle IN ('lapsed', 'at_risk')"
lift = 0.03
"""


def test_cdnow_from_raw_file_to_report(tmp_path: Path, runner: CliRunner) -> None:
    ws = str(tmp_path / "ws")
    cvm_ok(runner, "init", ws)
    with (Path(ws) / "cvm.toml").open("a") as fh:
        fh.write(OFFERS)
    # the raw file as distributed: whitespace separated, no header, dates as YYYYMMDD
    out = cvm_ok(runner, "ingest", "transactions", str(CDNOW_RAW), "-w", ws, "--columns",
              "master_id,customer_id,ts,cds,amount", "--date-format", "%Y%m%d")  # fmt: skip
    assert "6,919" in out  # every purchase, the 21 repeated identical rows included
    with Workspace.open(ws) as w:
        counts = w.con.execute(
            "SELECT count(DISTINCT customer_id), min(customer_id), CAST(max(ts) AS DATE)"
            " FROM transactions"
        ).fetchall()[0]
    assert counts[0] == 2357 and counts[1] == "0001" and str(counts[2]) == "1998-06-30"

    out = cvm_ok(runner, "evaluate", "-w", ws, "--calibration-end", "1997-09-30",
              "--holdout-end", "1998-06-30", "--unit", "W", "-m", "bgnbd", "-m", "paretonbd",
              "-m", "mbgnbd", "--out", str(tmp_path / "charts"))  # fmt: skip
    assert "best on the holdout" in out
    # the calibration fit, stored as a run, reproduces the published parameters
    cvm_ok(runner, "fit", "-w", ws, "--cutoff", "1997-09-30", "--unit", "W", "-m", "bgnbd")
    with Workspace.open(ws) as w:
        params = json.loads(
            w.con.execute(
                "SELECT params FROM model_runs WHERE kind = 'clv' ORDER BY created_at DESC"
            ).fetchall()[0][0]
        )
    for name, value in BGNBD.items():
        assert params["models"]["bgnbd"][name] == pytest.approx(value, abs=5e-4), name
    for name, value in GAMMA_GAMMA.items():
        assert params["spend"][name] == pytest.approx(value, rel=1e-3), name

    out = cvm_ok(runner, "score", "-w", ws)
    assert "2,357 customers scored" in " ".join(out.split())
    cvm_ok(runner, "churn", "train", "-w", ws)
    out = cvm_ok(runner, "segment", "-w", ws)
    assert "2,357 customers segmented" in " ".join(out.split())
    cvm_ok(runner, "plan", "-w", ws)
    cvm_ok(runner, "report", "-w", ws)
    assert (Path(ws) / "report" / "report.html").stat().st_size > 0
    with Workspace.open(ws) as w:
        kinds = {r[0] for r in w.con.execute("SELECT kind FROM model_runs").fetchall()}
        scored = w.con.execute(
            "SELECT count(*), count(clv), count(churn_risk), count(lifecycle) FROM scores"
            " WHERE run_id = (SELECT run_id FROM model_runs WHERE kind = 'segments'"
            " ORDER BY created_at DESC LIMIT 1)"
        ).fetchall()[0]
    assert {"clv", "churn", "segments", "plan"} <= kinds
    assert scored == (2357, 2357, 2357, 2357)
