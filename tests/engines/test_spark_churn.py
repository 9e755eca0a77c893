"""Churn on Spark (local mode) against the same job on DuckDB: the same sample, the same model,
every buyer scored within 1e-9, through ``cvm churn train|score --engine spark``.

Marked ``spark`` so it can be deselected (``-m "not spark"``); CI runs it. The data and the
Spark training are built once for the module: Spark plans each query in seconds.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cvm.cli import app
from cvm.datasets import simulate
from cvm.engines import DuckDBEngine
from cvm.features import rfm_summary
from cvm.segments.churn_on_engine import (
    score_churn_on_engine,
    train_churn_on_engine,
)
from cvm.segments.churn_on_spark import latest_engine_churn

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

TABLES = ("transactions", "customers", "events")
SAMPLE = 400
HORIZON = 90


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Simulated orders, CRM rows (attributes with numbers stored as text) and events."""
    root = tmp_path_factory.mktemp("churn")
    business = simulate(2500, seed=23)
    customers = business.customers.copy()
    rng = np.random.default_rng(5)
    # a CRM export: a score kept as text with leading zeros, a vendor boolean, a category
    customers["attributes"] = [
        json.dumps({"score": f"{int(s):04d}", "vip": v, "age_band": json.loads(a)["age_band"]})
        for s, v, a in zip(
            rng.integers(0, 500, len(customers)),
            rng.choice(["Yes", "no"], len(customers)),
            customers["attributes"],
            strict=True,
        )
    ]
    events = business.events.rename(columns={"user_id": "customer_id"})
    frames = {"transactions": business.transactions, "customers": customers, "events": events}
    for name, frame in frames.items():
        (root / name).mkdir()
        half = len(frame) // 2
        frame.iloc[:half].to_parquet(root / name / "part-0.parquet", index=False)
        frame.iloc[half:].to_parquet(root / name / "part-1.parquet", index=False)
    return root, business.transactions


def _duckdb(root) -> DuckDBEngine:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    engine = DuckDBEngine(con)
    for table in TABLES:
        engine.view(table, f"SELECT * FROM read_parquet('{root / table}/*.parquet')")
    return engine


def _buyers(orders: pd.DataFrame, day) -> set[str]:
    """Customers with a purchase on or before ``day`` (not refunded in full): the library's
    own summary of the same orders."""
    return set(rfm_summary(orders, day).index)


@pytest.fixture(scope="module")
def trained(data, spark, tmp_path_factory):
    """The model `cvm churn train --engine spark` keeps, and the DuckDB job's on the same data."""
    root, _ = data
    ws = tmp_path_factory.mktemp("ws")
    args = ["churn", "train", "--engine", "spark", "--input", str(root / "transactions")]
    (ws / "cvm.toml").write_text(
        f'[spark]\nmaster = "local[2]"\ncustomers = "{root / "customers"}"\n'
        f'events = "{root / "events"}"\n'
    )
    out = CliRunner().invoke(app, [*args, "-w", str(ws), "--sample-rows", str(SAMPLE)])
    assert out.exit_code == 0, out.output
    assert "fitted on 400 of" in out.output
    _, on_spark = latest_engine_churn(ws)
    on_duckdb = train_churn_on_engine(_duckdb(root), horizon_days=HORIZON, sample_rows=SAMPLE)
    return ws, on_spark, on_duckdb


def test_the_spark_fit_uses_a_bounded_sample_drawn_as_on_duckdb(data, trained):
    _, orders = data
    _, on_spark, on_duckdb = trained
    buyers = _buyers(orders, on_spark.train_cutoff)
    assert on_spark.train_customers == len(buyers) > 3 * SAMPLE  # every buyer was labelled
    assert on_spark.n_train <= SAMPLE and on_spark.n_train >= SAMPLE - 1
    assert on_spark.n_train == on_duckdb.n_train
    assert on_spark.model.feature_names_ == on_duckdb.model.feature_names_
    assert on_spark.metrics == pytest.approx(on_duckdb.metrics, abs=1e-12)
    # numbers stored as text are numbers on Spark too; the vendor boolean is a boolean
    assert on_spark.attributes is not None
    assert on_spark.attributes.kinds_ == {
        "score": "numeric",
        "vip": "boolean",
        "age_band": "categorical",
    }


def test_every_buyer_is_scored_within_1e9_on_both_engines(data, trained, spark, tmp_path):
    root, orders = data
    ws, _, on_duckdb = trained
    out = CliRunner().invoke(
        app,
        ["churn", "score", "--engine", "spark", "--input", str(root / "transactions"),
         "-w", str(ws), "--scores-dir", str(tmp_path / "spark"), "--top", "3"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    (run,) = [p for p in (tmp_path / "spark").iterdir() if p.name.startswith("run_id=")]
    b = pd.read_parquet(run).sort_values("customer_id").reset_index(drop=True)
    duck = _duckdb(root)
    _, day = score_churn_on_engine(duck, on_duckdb, tmp_path / "duck")
    a = pd.read_parquet(tmp_path / "duck").sort_values("customer_id").reset_index(drop=True)
    assert f"{len(b):,} buyers scored on spark as of {day}" in out.output
    assert set(b["customer_id"]) == _buyers(orders, day)  # every buyer, none other
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    np.testing.assert_allclose(a["churn_risk"], b["churn_risk"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(a["contribution_1"], b["contribution_1"], rtol=0, atol=1e-9)
    assert a["reason_1"].fillna("-").tolist() == b["reason_1"].fillna("-").tolist()
    assert b["churn_risk"].between(0, 1).all() and b["churn_risk"].nunique() > 5


def test_a_missing_folder_or_no_model_is_one_line(data, spark, tmp_path):
    root, _ = data
    base = ["churn", "score", "--engine", "spark", "-w", str(tmp_path)]
    no_model = CliRunner().invoke(app, [*base, "--input", str(root), "--scores-dir", "x"])
    assert no_model.exit_code == 1 and "cvm churn train --engine spark" in no_model.output
    assert "Traceback" not in no_model.output
    missing = CliRunner().invoke(
        app, ["churn", "train", "--engine", "spark", "-w", str(tmp_path), "--input", "nope"]
    )
    assert missing.exit_code == 1 and "transactions: no such Parquet folder" in missing.output
    assert len(missing.output.strip().splitlines()) == 1


def test_no_java_is_one_line(monkeypatch, tmp_path):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    out = CliRunner().invoke(
        app, ["churn", "train", "--engine", "spark", "-w", str(tmp_path), "--input", "x"]
    )
    assert out.exit_code == 1 and "Spark needs Java 17" in out.output
    assert "Traceback" not in out.output


def test_one_class_only_is_one_line(data):
    """Past the last order every buyer churned: the sample cannot teach anything."""
    from cvm._exceptions import DataError

    root, orders = data
    late = orders["ts"].max().date() + pd.Timedelta(days=400)
    with pytest.raises(DataError, match="the sample has one class only"):
        train_churn_on_engine(_duckdb(root), late, horizon_days=HORIZON, sample_rows=SAMPLE)
