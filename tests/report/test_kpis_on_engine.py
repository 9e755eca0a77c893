"""Customer equity of a KPI run on an engine (DuckDB over a Parquet folder, as Spark reads it)."""

from __future__ import annotations

import pandas as pd

from cvm.datasets import simulate
from cvm.engines import scratch_engine
from cvm.features import rfm_summary
from cvm.report.kpis_on_engine import kpis_on_engine


def _run(tmp_path, orders: pd.DataFrame, end: str):
    (tmp_path / "transactions").mkdir()
    orders.to_parquet(tmp_path / "transactions" / "part-0.parquet", index=False)
    with scratch_engine() as engine:
        folder = tmp_path / "transactions"
        engine.view("transactions", f"SELECT * FROM read_parquet('{folder}/*.parquet')")
        return kpis_on_engine(engine, tmp_path / "out", end=end)


def test_equity_is_the_summed_clv_of_every_buyer(tmp_path):
    orders = simulate(400, events=False, seed=3).transactions
    orders = orders.assign(customer_id=orders["customer_id"].map(lambda c: f"0{c}"))
    end = "2025-06-30"
    run = _run(tmp_path, orders, end)
    assert run.equity is not None
    assert all(n.startswith("CLV as of") for n in run.notes)  # the fit's warnings only
    (folder,) = (tmp_path / "out" / "equity").iterdir()
    row = pd.read_parquet(folder).iloc[0]
    buyers = len(rfm_summary(orders, end))  # counted apart from the job
    assert row["customers"] == buyers and row["customer_equity"] > 0
    assert abs(row["mean_clv"] * buyers - row["customer_equity"]) < 1e-6
    assert str(row["as_of"]) == end and row["model"] in ("mbgnbd", "bgnbd")


def test_without_a_fit_there_is_no_equity_and_the_run_says_why(tmp_path):
    orders = pd.DataFrame(
        {"customer_id": ["007", "007"], "ts": pd.to_datetime(["2024-01-01", "2024-02-01"]),
         "amount": [20.0, 30.0]}
    )  # fmt: skip
    run = _run(tmp_path, orders, "2024-03-01")
    assert run.equity is None and "equity" not in run.written
    assert not (tmp_path / "out" / "equity").exists()
    assert any("CLV and P(alive) left empty as of 2024-03-01" in n for n in run.notes)
    assert len(run.periods) > 0  # the KPIs themselves are still there
