"""``write_files`` and ``cvm simulate`` write files that read back as the tables they came from."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cvm._exceptions import ConfigError
from cvm.cli import app
from cvm.datasets import SimulatedBusiness, simulate, write_files

EXPECTED = {
    "customers.csv",
    "transactions.csv",
    "order_items.parquet",
    "products.csv",
    "events.jsonl",
    "subscriptions.csv",
    "surveys.csv",
    "campaigns.csv",
    "assignments.csv",
    "truth.json",
    "truth_customers.csv",
}


@pytest.fixture(scope="module")
def business() -> SimulatedBusiness:
    return simulate(600, seed=21)


def test_round_trip(business: SimulatedBusiness, tmp_path: Path) -> None:
    paths = write_files(business, tmp_path / "out")
    assert {p.name for p in paths.values()} == EXPECTED
    assert {p.name for p in (tmp_path / "out").iterdir()} == EXPECTED

    tx = pd.read_csv(paths["transactions"], parse_dates=["ts"])
    assert list(tx.columns) == list(business.transactions.columns)
    assert tx["transaction_id"].tolist() == business.transactions["transaction_id"].tolist()
    assert (tx["amount"] == business.transactions["amount"]).all()
    assert (tx["ts"] == business.transactions["ts"]).all()
    assert tx["is_refund"].dtype == bool
    refunds = tx[tx["is_refund"]]
    assert refunds["refund_of"].isin(tx["transaction_id"]).all()

    customers = pd.read_csv(paths["customers"])
    assert customers["customer_id"].tolist() == business.customers["customer_id"].tolist()
    attributes = customers["attributes"].map(json.loads)
    assert attributes.map(lambda a: "age_band" in a).all()
    assert not attributes.map(lambda a: "customer_type" in a).any()  # the hidden truth stays hidden

    items = pd.read_parquet(paths["order_items"])
    assert len(items) == len(business.order_items)
    assert items["amount"].sum() == pytest.approx(business.order_items["amount"].sum())

    for name in ("subscriptions", "survey_responses", "campaigns", "assignments", "products"):
        assert len(pd.read_csv(paths[name])) == len(getattr(business, name))

    assert json.loads(paths["truth"].read_text()) == business.truth


def test_events_are_segment_messages(business: SimulatedBusiness, tmp_path: Path) -> None:
    path = write_files(business, tmp_path)["events"]
    messages = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(messages) == len(business.events)
    assert all({"messageId", "type", "timestamp"} <= m.keys() for m in messages)
    assert all("userId" in m or "anonymousId" in m for m in messages)
    identify = [m for m in messages if m["type"] == "identify"]
    assert all("email" in m["traits"] and m["userId"].startswith("C") for m in identify)
    orders = [m for m in messages if m.get("event") == "Order Completed"]
    ids = set(business.transactions["transaction_id"])
    assert orders and all(m["properties"]["order_id"] in ids for m in orders)
    assert messages[0]["timestamp"].endswith("Z")


def test_formats_choose_parquet_or_csv(business: SimulatedBusiness, tmp_path: Path) -> None:
    paths = write_files(
        business, tmp_path, formats={"transactions": "parquet", "order_items": "csv"}
    )
    assert paths["transactions"].name == "transactions.parquet"
    assert len(pd.read_parquet(paths["transactions"])) == len(business.transactions)
    assert len(pd.read_csv(paths["order_items"])) == len(business.order_items)
    with pytest.raises(ConfigError, match="xlsx"):
        write_files(business, tmp_path, formats={"transactions": "xlsx"})
    with pytest.raises(ConfigError, match="unknown table"):
        write_files(business, tmp_path, formats={"orders": "csv"})


def test_cli_writes_the_files(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sim"
    result = runner.invoke(app, ["simulate", str(out), "--customers", "300", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == EXPECTED
    assert "transactions.csv" in result.output and "r=0.75" in result.output
    truth = json.loads((out / "truth.json").read_text())
    assert truth["seed"] == 4 and truth["n_customers"] == 300
    assert len(pd.read_csv(out / "customers.csv")) == 300


def test_cli_subscription_kind(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", str(tmp_path), "-n", "200", "--kind", "subscription", "--no-events"]
    )
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "subscriptions.csv")) == 200
    assert (tmp_path / "events.jsonl").read_text() == ""


def test_cli_bad_date_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(tmp_path), "--start", "01/02/2023"])
    assert result.exit_code == 1
    assert "ISO dates" in result.output
    assert "Traceback" not in result.output
