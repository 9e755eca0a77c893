"""The engine-level jobs' plumbing, checked on DuckDB (no Spark needed, fast).

Source folders with a vendor's columns, missing folders, the profile's tie-breaks, the guard
on the engine path, and how the Spark engine keeps a ``CREATE TEMP TABLE``.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import sqlglot

from cvm._exceptions import ConfigError, DataError
from cvm.engines import DuckDBEngine
from cvm.engines.spark import _created
from cvm.features.on_engine import bind_sources, on_sources, profile_on_engine
from cvm.report.kpis_on_engine import kpi_timeseries_on_engine
from cvm.segments.on_engine import rule_members_on_engine
from cvm.segments.settings import Rule


def _engine(tmp_path, **frames: pd.DataFrame) -> DuckDBEngine:
    """A DuckDB engine reading each frame from its own Parquet folder, as Spark would."""
    engine = DuckDBEngine(duckdb.connect())
    for name, frame in frames.items():
        (tmp_path / name).mkdir()
        frame.to_parquet(tmp_path / name / "part-0.parquet", index=False)
        engine.view(name, f"SELECT * FROM read_parquet('{tmp_path / name}/*.parquet')")
    return engine


# an export without order ids, refund flags or channels: a refund is a negative amount
ORDERS = pd.DataFrame(
    {
        "customer_id": ["007", "007", "007", "042", "042", "042"],
        "ts": pd.to_datetime(
            ["2024-01-05", "2024-02-05", "2024-02-06", "2024-01-10", "2024-01-11", "2024-03-01"]
        ),
        "amount": [20.0, 30.0, -30.0, 0.0, 15.0, 25.0],
    }
)


def test_a_folder_without_optional_columns_and_no_other_folders(tmp_path):
    engine = _engine(tmp_path, transactions=ORDERS)
    bind_sources(engine)
    profile_on_engine(engine, "2024-03-31")
    got = engine.frame("SELECT * FROM customer_profile ORDER BY customer_id").set_index(
        "customer_id"
    )
    assert got.index.tolist() == ["007", "042"]  # leading zeros kept
    assert got.loc["007", "refunds"] == 1 and got.loc["007", "refund_amount"] == 30.0
    assert got.loc["007", "orders"] == 2 and got.loc["042", "orders"] == 3  # a $0 order counts
    assert got.loc["007", "revenue"] == 20.0
    assert got.loc["042", "main_channel"] == "unknown"
    assert got["events_90d"].tolist() == [0, 0] and got["country"].isna().all()
    periods = kpi_timeseries_on_engine(engine, "2024-01-01", "2024-03-31")
    # January: both buy (the $0 order is not a purchase); February: 007; March: 042
    assert periods["active"].tolist() == [2, 1, 1]
    assert periods["refunds"].tolist() == [0.0, 30.0, 0.0]


def test_a_folder_without_a_required_column_is_named(tmp_path):
    engine = _engine(tmp_path, transactions=ORDERS.drop(columns=["amount"]))
    with pytest.raises(DataError, match=r"transactions need columns .*missing amount"):
        bind_sources(engine)


def test_ties_go_to_the_first_name_and_categories_are_sorted(tmp_path):
    orders = pd.DataFrame(
        {
            "transaction_id": ["t1", "t2"],
            "customer_id": ["001", "001"],
            "ts": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "amount": [10.0, 10.0],
            "channel": ["web", "app"],
        }
    )
    items = pd.DataFrame({"transaction_id": ["t1", "t2"], "category": ["toys", "books"]})
    engine = _engine(tmp_path, transactions=orders, order_items=items)
    bind_sources(engine)
    profile_on_engine(engine, "2024-01-31")
    row = engine.frame("SELECT * FROM customer_profile").iloc[0]
    assert row["main_channel"] == "app" and row["main_category"] == "books"
    assert list(row["categories"]) == ["books", "toys"]


def test_rules_on_the_engine_pass_the_guard(tmp_path):
    engine = _engine(tmp_path, transactions=ORDERS)
    bind_sources(engine)
    profile_on_engine(engine, "2024-03-31")
    with pytest.raises(ConfigError, match="segment 'x': read_csv\\(\\) is not allowed"):
        rule_members_on_engine(engine, {"x": Rule("x", "read_csv('/etc/passwd') IS NULL")})
    with pytest.raises(ConfigError, match="unknown column 'revenu'"):
        rule_members_on_engine(engine, {"x": Rule("x", "revenu > 1")})
    rules = {"big": Rule("big", "revenue > 30"), "late": Rule("late", "orders > 2", "big")}
    members = engine.frame(f"SELECT * FROM {rule_members_on_engine(engine, rules)}")
    assert sorted(map(tuple, members.to_numpy())) == [("042", "big"), ("042", "late")]


def test_on_sources_points_tables_at_the_views_but_not_ctes():
    tree = sqlglot.parse_one(
        "WITH events AS (SELECT * FROM transactions) SELECT * FROM events JOIN customers USING (x)"
    )
    sql = on_sources(tree).sql()
    assert "FROM source_transactions" in sql and "JOIN source_customers" in sql
    assert "FROM events" in sql


def test_spark_keeps_a_temp_table_as_its_query():
    (made,) = _created([sqlglot.parse_one("CREATE OR REPLACE TEMP TABLE t AS SELECT 1 AS a")])
    assert made == ("SELECT 1 AS a", ("t", True))
    (empty,) = _created(
        [sqlglot.parse_one("CREATE OR REPLACE TEMP TABLE e (k VARCHAR, v DOUBLE)", read="duckdb")]
    )
    assert empty == (
        "SELECT CAST(NULL AS STRING) AS k, CAST(NULL AS DOUBLE) AS v WHERE FALSE",
        ("e", True),
    )
    (view,) = _created([sqlglot.parse_one("CREATE TEMP VIEW w AS SELECT 2 AS b")])
    assert view == ("SELECT 2 AS b", ("w", False))
    (plain,) = _created([sqlglot.parse_one("SELECT 3")])
    assert plain == ("SELECT 3", None)
