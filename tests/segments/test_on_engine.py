"""A segments run on an engine (DuckDB over Parquet folders, as Spark reads them): what it
writes when CLV cannot be fitted, without a churn model, and with a bad rule."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cvm._exceptions import ConfigError
from cvm.engines import scratch_engine
from cvm.segments.on_engine import segments_on_engine
from cvm.segments.settings import Rule

AS_OF = "2024-03-01"


def _folders(root, orders: pd.DataFrame):
    """Transactions and a CRM as Parquet folders, as an export lands (ids with zeros)."""
    for name, frame in {
        "transactions": orders,
        "customers": pd.DataFrame(
            {
                "customer_id": ["007", "042", "100"],
                "first_seen": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-20"]),
                "consent_email": [True, False, True],
            }
        ),
    }.items():
        (root / name).mkdir(parents=True)
        frame.to_parquet(root / name / "part-0.parquet", index=False)


def _engine(engine, root) -> None:
    for name in ("transactions", "customers"):
        engine.view(name, f"SELECT * FROM read_parquet('{root / name}/*.parquet')")


def _read(folder) -> pd.DataFrame:
    (run,) = [p for p in folder.iterdir() if p.name.startswith("run_id=")]
    return pd.read_parquet(run)


def test_two_buyers_leave_clv_empty_and_say_why(tmp_path):
    """Too few buyers to fit: CLV, P(alive) and tiers are NULL, never 0, and the run's record
    says why; RFM and lifecycle are still there, churn columns NULL but typed."""
    orders = pd.DataFrame(
        {
            "transaction_id": ["a", "b", "c", "d"],
            "customer_id": ["007", "007", "042", "042"],
            "ts": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-02-01"]),
            "amount": [50.0, 50.0, 50.0, 0.0],
        }
    )
    _folders(tmp_path / "in", orders)
    rules = {"big": Rule("big", "revenue >= 100"), "tiered": Rule("tiered", "tier IS NOT NULL")}
    with scratch_engine() as engine:
        _engine(engine, tmp_path / "in")
        run = segments_on_engine(engine, tmp_path / "out", rules, AS_OF)
    assert run.clv_model is None and run.churn_run is None
    assert any("CLV and P(alive) left empty as of 2024-03-01" in n for n in run.notes)
    table = _read(tmp_path / "out" / "profile").set_index("customer_id").sort_index()
    assert table.index.tolist() == ["007", "042", "100"]  # the prospect from the CRM too
    assert table[["clv", "p_alive", "expected_purchases", "churn_risk"]].isna().all().all()
    assert table["tier"].isna().all() and table["churn_reasons"].isna().all()
    assert table.loc["100", "lifecycle"] == "prospect" and pd.isna(table.loc["100", "rfm"])
    assert table.loc[["007", "042"], "rfm"].notna().all()
    schema = pq.read_schema(next((tmp_path / "out" / "profile").glob("run_id=*/*.parquet")))
    assert schema.field("churn_reasons").type == pa.list_(pa.string())
    assert schema.field("clv").type == pa.float64()
    members = _read(tmp_path / "out" / "segments")
    assert sorted(members.loc[members["segment"] == "big", "customer_id"]) == ["007"]
    assert run.sizes.to_dict() == {"big": 1, "tiered": 0}
    record = _read(tmp_path / "out" / "_runs").iloc[0]
    params, metrics = json.loads(record["params"]), json.loads(record["metrics"])
    assert params["clv_model"] is None and params["engine"] == "duckdb"
    assert any("left empty" in n for n in metrics["notes"])
    assert (
        metrics["lifecycle"] == run.counts["lifecycle"] and sum(metrics["lifecycle"].values()) == 3
    )


def test_a_rule_on_an_unknown_column_is_refused_before_anything_is_written(tmp_path):
    orders = pd.DataFrame(
        {
            "customer_id": ["007"],
            "ts": pd.to_datetime(["2024-01-01"]),
            "amount": [10.0],
        }
    )
    _folders(tmp_path / "in", orders)
    with scratch_engine() as engine:
        _engine(engine, tmp_path / "in")
        with pytest.raises(ConfigError, match="segment 'bad': unknown column 'teir'"):
            segments_on_engine(engine, tmp_path / "out", {"bad": Rule("bad", "teir = 'Gold'")})
    assert not (tmp_path / "out").exists()


def test_segments_sql_counts_lists_as_spark_counts_them():
    """DuckDB's ``len`` of a list would become Spark's string ``LENGTH``; ``array_length``
    becomes ``SIZE``, and the 1-based tier index becomes Spark's 0-based one."""
    from cvm.engines import sql_file
    from cvm.engines.spark import _transpiled

    (text,) = _transpiled(sql_file("cvm.segments", "segments.sql").text)
    assert "LENGTH(" not in text and text.count("SIZE(") == 8
    assert ":tier_names[0 + SIZE(FILTER(:tier_cuts, c -> k.rn > ROUND(c * k.n)))]" in text
    assert "MEDIAN(ipt_mean)" in text and "DATEDIFF(DAY, p.first_purchase, :as_of)" in text
