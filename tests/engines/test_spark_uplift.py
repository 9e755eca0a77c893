"""Uplift on Spark (local mode) against the same job on DuckDB: the same seeded sample of a
randomized test's members, the same model, every customer scored within 1e-9.

Marked ``spark`` so it can be deselected (``-m "not spark"``); CI runs it.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from cvm.campaigns.uplift_on_engine import score_uplift_on_engine, train_uplift_on_engine
from cvm.datasets import simulate
from cvm.engines import DuckDBEngine

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

SAMPLE = 300


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Orders, CRM rows (a number stored as text) and a test's members with their outcome."""
    root = tmp_path_factory.mktemp("uplift")
    business = simulate(2500, seed=31)
    campaign = business.campaigns.iloc[0]
    start, days = campaign["starts"], int(campaign["response_days"])
    orders = business.transactions
    window = orders[(orders["ts"] >= start) & (orders["ts"] < start + pd.Timedelta(days=days))]
    members = business.assignments[["customer_id", "arm"]].copy()
    members["outcome"] = members["customer_id"].isin(window["customer_id"]).astype(int)
    customers = business.customers.copy()
    customers["attributes"] = [
        json.dumps({"score": f"{i % 97:03d}"}) for i in range(len(customers))
    ]
    frames = {"transactions": orders, "customers": customers, "uplift_members": members}
    for name, frame in frames.items():
        (root / name).mkdir()
        frame.to_parquet(root / name / "part-0.parquet", index=False)
    as_of = (start - pd.Timedelta(days=1)).date()
    return root, members, as_of


def _duckdb(root) -> DuckDBEngine:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    engine = DuckDBEngine(con)
    for table in ("transactions", "customers", "uplift_members"):
        engine.view(table, f"SELECT * FROM read_parquet('{root / table}/*.parquet')")
    return engine


def test_uplift_on_spark_matches_duckdb_for_every_customer(data, spark, tmp_path):
    """`cvm campaign uplift --engine spark` against the same job on DuckDB."""
    from typer.testing import CliRunner

    from cvm.cli import app

    root, members, as_of = data
    assert len(members) > SAMPLE and members["outcome"].nunique() == 2
    (tmp_path / "cvm.toml").write_text(f'[spark]\ncustomers = "{root / "customers"}"\n')
    out = CliRunner().invoke(
        app,
        ["campaign", "uplift", "CMP0001", "--engine", "spark", "-w", str(tmp_path),
         "--members", str(root / "uplift_members"), "--as-of", str(as_of),
         "--input", str(root / "transactions"), "--scores-dir", str(tmp_path / "spark"),
         "--sample-rows", str(SAMPLE)],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert f"fitted on {SAMPLE} of {len(members):,} members" in out.output
    duck = _duckdb(root)
    a_fit = train_uplift_on_engine(duck, as_of, sample_rows=SAMPLE)
    assert a_fit.n_train == SAMPLE < a_fit.members == len(members)
    assert "attr_score" in a_fit.features
    assert a_fit.attributes is not None and a_fit.attributes.kinds_ == {"score": "numeric"}
    score_uplift_on_engine(duck, a_fit, tmp_path / "duck")
    a = pd.read_parquet(tmp_path / "duck").sort_values("customer_id").reset_index(drop=True)
    (run,) = [p for p in (tmp_path / "spark").iterdir() if p.name.startswith("run_id=")]
    b = pd.read_parquet(run).sort_values("customer_id").reset_index(drop=True)
    crm = pd.read_parquet(root / "customers")
    known = crm.loc[crm["first_seen"].dt.date <= as_of, "customer_id"]
    assert set(known) <= set(b["customer_id"])  # every customer known by then is scored
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    for column in ("uplift", "p_control", "p_treated"):
        np.testing.assert_allclose(a[column], b[column], rtol=0, atol=1e-9, err_msg=column)
    assert b["uplift"].nunique() > 5


def test_spark_uplift_without_members_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from cvm.cli import app

    out = CliRunner().invoke(
        app, ["campaign", "uplift", "CMP0001", "--engine", "spark", "-w", str(tmp_path)]
    )
    assert out.exit_code == 1 and "--members DIR" in out.output
    assert "Traceback" not in out.output


def test_a_sample_without_a_control_arm_is_one_line(data, tmp_path):
    from cvm._exceptions import DataError

    root, members, as_of = data
    treated = members[members["arm"] != "control"]
    (tmp_path / "m").mkdir()
    treated.to_parquet(tmp_path / "m" / "part-0.parquet", index=False)
    duck = _duckdb(root)
    duck.view("uplift_members", f"SELECT * FROM read_parquet('{tmp_path}/m/*.parquet')")
    with pytest.raises(DataError, match="needs the control arm 'control'"):
        train_uplift_on_engine(duck, as_of, sample_rows=SAMPLE)


def test_a_new_engine_does_not_see_an_earlier_engines_sources(data, spark):
    """The session is shared: events another engine registered must not join this profile."""
    from cvm.engines.spark import SparkEngine

    root, _, _ = data
    stale = pd.DataFrame({"customer_id": ["X1"], "ts": [pd.Timestamp("2025-01-01")]})
    spark.createDataFrame(stale).createOrReplaceTempView("events")
    engine = SparkEngine(spark, {"transactions": root / "transactions"})
    assert not spark.catalog.tableExists("events")
    assert engine.scalar("SELECT count(*) FROM transactions") > 0
