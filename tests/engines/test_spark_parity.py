"""The same data through DuckDB and Spark (local mode) gives the same summaries and scores.

Marked ``spark`` so it can be deselected (``-m "not spark"``); CI runs it.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from cvm.clv.on_engine import clv_on_engine, summarise
from cvm.datasets import simulate
from cvm.engines import DuckDBEngine
from cvm.engines.spark import SparkEngine
from cvm.features import rfm_summary

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

CUTOFF = "2025-06-30"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A few thousand simulated customers' orders (refunds included), as a Parquet folder."""
    folder = tmp_path_factory.mktemp("parity") / "transactions"
    folder.mkdir()
    orders = simulate(3000, events=False, seed=11).transactions
    assert orders["is_refund"].any() and orders["refund_of"].notna().any()
    half = len(orders) // 2
    orders.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    orders.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    return folder, orders


def _duckdb(folder) -> DuckDBEngine:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    engine = DuckDBEngine(con)
    engine.view("transactions", f"SELECT * FROM read_parquet('{folder}/*.parquet')")
    return engine


def test_summary_is_identical_and_matches_the_workspace_summary(source, spark):
    folder, orders = source
    duck, spk = _duckdb(folder), SparkEngine(spark, {"transactions": folder})
    summarise(duck, CUTOFF)
    summarise(spk, CUTOFF)
    order = "SELECT * FROM clv_summary ORDER BY customer_id"
    a, b = duck.frame(order), spk.frame(order)
    assert len(a) == len(b) > 1000
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    for column in ("frequency", "recency", "T"):
        assert a[column].tolist() == b[column].tolist()  # counts and days: exact
    assert (pd.to_datetime(a["first_purchase"]) == pd.to_datetime(b["first_purchase"])).all()
    np.testing.assert_allclose(a["monetary_value"], b["monetary_value"], rtol=0, atol=1e-9)
    # and both agree with the library's own summary of the same orders
    own = rfm_summary(orders, CUTOFF).sort_index()
    assert own.index.tolist() == a["customer_id"].tolist()
    np.testing.assert_array_equal(own["frequency"].to_numpy(), a["frequency"].to_numpy())
    np.testing.assert_allclose(own["monetary_value"], a["monetary_value"], atol=1e-9)


def test_scores_agree_to_1e9(source, spark, tmp_path):
    folder, _ = source
    duck, spk = _duckdb(folder), SparkEngine(spark, {"transactions": folder})
    _, fit_a = clv_on_engine(duck, tmp_path / "duck", CUTOFF)
    run_b, fit_b = clv_on_engine(spk, tmp_path / "spark", CUTOFF)
    assert fit_a.best == fit_b.best
    np.testing.assert_array_equal(fit_a.model.params_, fit_b.model.params_)
    a = pd.read_parquet(tmp_path / "duck").sort_values("customer_id").reset_index(drop=True)
    b = pd.read_parquet(tmp_path / "spark").sort_values("customer_id").reset_index(drop=True)
    assert (tmp_path / "spark" / f"run_id={run_b}").is_dir()
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    for column in ("expected_purchases", "p_alive", "expected_spend", "clv", "clv_lower"):
        np.testing.assert_allclose(a[column], b[column], rtol=0, atol=1e-9, err_msg=column)
    assert (a["spend_imputed"] == b["spend_imputed"]).all()
    assert a["clv"].notna().mean() > 0.9


def test_missing_source_folder_is_one_line(spark, tmp_path):
    from cvm._exceptions import ConfigError

    with pytest.raises(ConfigError, match="transactions: no such Parquet"):
        SparkEngine(spark, {"transactions": tmp_path / "nope"})


def test_cvm_score_on_spark_reads_a_parquet_folder(source, spark, tmp_path):
    """`cvm score --engine spark` end to end, then the same from cvm.toml's [spark] settings."""
    from typer.testing import CliRunner

    from cvm.cli import app

    folder, orders = source
    expected = len(rfm_summary(orders, orders["ts"].max()))
    out = CliRunner().invoke(
        app,
        [
            "score",
            "--engine",
            "spark",
            "--input",
            str(folder),
            "--scores-dir",
            str(tmp_path / "a"),
            "-w",
            str(tmp_path),
            "--no-intervals",
            "--top",
            "3",
        ],
    )
    assert out.exit_code == 0, out.output
    assert f"{expected:,} customers scored on spark" in out.output
    (run,) = [p for p in (tmp_path / "a").iterdir() if p.name.startswith("run_id=")]
    assert len(pd.read_parquet(run)) == expected

    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "cvm.toml").write_text(
        f'engine = "spark"\n[spark]\nmaster = "local[2]"\ntransactions = "{folder}"\n'
        f'output = "{tmp_path / "b"}"\n'
    )
    out = CliRunner().invoke(app, ["score", "-w", str(ws), "--no-intervals"])
    assert out.exit_code == 0, out.output
    assert any(p.name.startswith("run_id=") for p in (tmp_path / "b").iterdir())
    no_output = CliRunner().invoke(app, ["score", "--engine", "spark", "-w", str(tmp_path)])
    assert no_output.exit_code == 1 and "--scores-dir DIR" in no_output.output
    no_input = CliRunner().invoke(
        app, ["score", "--engine", "spark", "-w", str(tmp_path), "--scores-dir", str(tmp_path)]
    )
    assert no_input.exit_code == 1 and "--input DIR" in no_input.output
