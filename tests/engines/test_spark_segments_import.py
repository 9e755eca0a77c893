"""A segments run made on Spark, end to end: read into the workspace, then published and served.

The commands a user types: `cvm churn train --engine spark`, `cvm segment --engine spark`
(CLV, churn risk, RFM, tiers, lifecycle and rule segments on Spark), `cvm runs import`, then
`cvm segments`, `cvm publish` and the service's customer card. What the workspace stores must
be what Spark wrote, row for row. The shop: simulated customers whose ids have leading zeros,
with refunds and $0 orders, as Parquet folders and as CSV exports loaded into a workspace.
Marked ``spark``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli_run import cvm_ok
from cvm.datasets import simulate
from cvm.ingest import load_file
from cvm.workspace import Workspace

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

AS_OF = "2025-06-30"
SETTINGS = """
engine = "spark"
[spark]
master = "local[2]"
transactions = "{root}/transactions"
customers = "{root}/customers"
output = "{root}/results"
sample_rows = 1000

[segments.rules.big]
where = "revenue > 150"
[segments.rules.valuable_at_risk]
where = "tier IN ('Platinum', 'Gold') AND churn_risk > 0.3"
"""
NUMBERS = {"frequency": "frequency", "recency": "recency", "t": "T", "monetary": "monetary_value",
           "expected_purchases": "expected_purchases", "p_alive": "p_alive", "clv": "clv",
           "revenue": "revenue", "churn_risk": "churn_risk"}  # stored: written  # fmt: skip
TEXT = ("rfm", "tier", "lifecycle")


def _exports(root: Path) -> None:
    """Orders up to AS_OF and a CRM, as Parquet folders and as CSV files."""
    sim = simulate(600, events=False, seed=21)
    ids = {c: f"{i:06d}" for i, c in enumerate(sim.customers["customer_id"], start=1)}
    tx = sim.transactions.assign(customer_id=sim.transactions["customer_id"].map(ids))
    tx = tx[["transaction_id", "customer_id", "ts", "amount"]].copy()
    tx = tx[tx["ts"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)]
    tx.loc[(tx["amount"] > 0).to_numpy() & (np.arange(len(tx)) % 31 == 0), "amount"] = 0.0
    assert (tx["amount"] == 0).any() and (tx["amount"] < 0).any()
    people = sorted(tx["customer_id"].unique())
    crm = pd.DataFrame(
        {
            "customer_id": people,
            "email": [f"c{k}@example.org" for k in range(len(people))],
            "first_seen": pd.Timestamp("2023-01-01"),
            "consent_email": [k % 7 != 3 for k in range(len(people))],
        }
    )
    for name, frame in (("transactions", tx), ("customers", crm)):
        (root / name).mkdir()
        frame.to_parquet(root / name / "part-0.parquet", index=False)
    tx.assign(ts=tx["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(root / "orders.csv", index=False)
    flags = crm["consent_email"].map({True: "TRUE", False: "FALSE"})  # as a CRM writes them
    crm.assign(first_seen="2023-01-01", consent_email=flags).to_csv(
        root / "customers.csv", index=False
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory, spark):
    """Spark's segments run, and a workspace of the same customers that imported it."""
    root = tmp_path_factory.mktemp("segimport")
    _exports(root)
    (root / "cvm.toml").write_text(SETTINGS.format(root=root), encoding="utf-8")
    runner = CliRunner()
    cvm_ok(runner, "churn", "train", "-w", str(root), "--as-of", AS_OF)
    out = cvm_ok(runner, "segment", "-w", str(root))  # as of the last order's day
    assert "on spark" in out
    (run,) = [p for p in (root / "results" / "profile").iterdir() if p.name.startswith("run_id=")]
    run_id = run.name.removeprefix("run_id=")
    ws_path = root / "ws"
    ws = Workspace.create(ws_path)
    (ws_path / "cvm.toml").write_text(
        (ws_path / "cvm.toml").read_text(encoding="utf-8")
        + SETTINGS[SETTINGS.index("[segments") :],
        encoding="utf-8",
    )
    load_file(ws, "customers", root / "customers.csv")
    load_file(ws, "transactions", root / "orders.csv")
    ws.close()
    said = cvm_ok(runner, "runs", "import", str(root / "results"), "-w", str(ws_path))
    return root, ws_path, run_id, said


def test_the_workspace_holds_what_spark_wrote(imported):
    root, ws_path, run_id, said = imported
    last = pd.read_csv(root / "orders.csv", parse_dates=["ts"])["ts"].max().date()
    assert f"run {run_id} (segments, as of {last}) stored" in " ".join(said.split())
    spark = pd.read_parquet(root / "results" / "profile" / f"run_id={run_id}")
    spark = spark.set_index("customer_id").sort_index()
    members = pd.read_parquet(root / "results" / "segments" / f"run_id={run_id}")
    with Workspace.open(ws_path, read_only=True) as ws:
        stored = ws.engine.frame(
            "SELECT * FROM scores WHERE run_id = $r ORDER BY customer_id", {"r": run_id}
        ).set_index("customer_id")
        kept = ws.engine.frame(
            "SELECT customer_id, segment FROM segment_members WHERE run_id = $r", {"r": run_id}
        )
        kind = ws.engine.scalar("SELECT kind FROM model_runs WHERE run_id = $r", {"r": run_id})
    assert kind == "segments"
    assert stored.index.tolist() == spark.index.tolist()
    assert all(c.startswith("0") for c in stored.index)
    for column, written in NUMBERS.items():
        np.testing.assert_allclose(
            stored[column].astype(float), spark[written].astype(float), rtol=0, atol=1e-9,
            err_msg=column,
        )  # fmt: skip
    for column in TEXT:
        assert stored[column].tolist() == spark[column].tolist(), column
    assert stored["segment"].tolist() == spark["rfm_segment"].tolist()
    # Spark computed every part: CLV for buyers, churn risk from the model trained there (on
    # orders without a channel column: one channel, 'unknown')
    assert stored["clv"].notna().all() and stored["churn_risk"].between(0, 1).all()
    model = next((root / "models").glob("churn-spark-*.pkl"))
    assert spark_model_channels(model) == ["unknown"]
    assert set(stored["tier"]) == {"Platinum", "Gold", "Silver", "Bronze"}
    pairs = lambda f: sorted(zip(f["customer_id"], f["segment"], strict=True))  # noqa: E731
    assert pairs(kept) == pairs(members)
    # the rule on tier and churn risk, checked against the stored table in pandas
    risky = stored[stored["tier"].isin(["Platinum", "Gold"]) & (stored["churn_risk"] > 0.3)]
    assert set(kept.loc[kept["segment"] == "valuable_at_risk", "customer_id"]) == set(risky.index)
    assert len(risky) > 0


def spark_model_channels(path: Path) -> list[str]:
    import pickle

    with path.open("rb") as fh:
        return list(pickle.load(fh).channels)


def test_a_step_spark_refuses_is_one_line(spark):
    """A statement Spark refuses reaches the user as one line: its error, not its plan."""
    from cvm.cli._common import spark_failure

    try:
        spark.sql("SELECT channel FROM range(1)").collect()
    except Exception as exc:  # the exception Spark raises is what is tested
        line = spark_failure(exc)
    assert line is not None and "`channel` cannot be resolved" in line
    assert "\n" not in line and "Project" not in line and "at org.apache" not in line
    assert spark_failure(ValueError("x")) is None


def test_segments_publish_and_the_service_read_the_spark_run(imported):
    from fastapi.testclient import TestClient

    from cvm.api import Settings, create_app

    root, ws_path, run_id, _ = imported
    runner = CliRunner()
    shown = cvm_ok(runner, "segments", "-w", str(ws_path))
    assert run_id in shown
    cvm_ok(runner, "publish", str(root / "published"), "-w", str(ws_path))
    published = pd.read_parquet(root / "published" / "latest_segments.parquet")
    spark = pd.read_parquet(root / "results" / "profile" / f"run_id={run_id}")
    assert set(published["run_id"]) == {run_id}
    assert sorted(published["customer_id"]) == sorted(spark["customer_id"])
    members = pd.read_parquet(root / "published" / "latest_segment_members.parquet")
    assert set(members["run_id"]) == {run_id} and len(members) > 0
    customer = spark.sort_values("clv", ascending=False)["customer_id"].iloc[0]
    expected = spark.set_index("customer_id").loc[customer]
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as served:
        card = served.get(f"/api/customers/{customer}")
        live = served.get(f"/v1/profiles/{customer}")
    assert card.status_code == 200, card.text
    assert live.status_code == 200, live.text
    # the live profile, as of the data's last day (the run's), takes its churn risk from the run
    profile = live.json()
    assert profile["lifecycle"] == expected["lifecycle"]
    assert profile["profile"]["churn_risk"] == pytest.approx(expected["churn_risk"], abs=1e-9)
    segments = card.json()["scores"]["segments"]
    assert segments["tier"] == expected["tier"] == "Platinum"
    assert segments["lifecycle"] == expected["lifecycle"]
    assert segments["churn_risk"] == pytest.approx(expected["churn_risk"], abs=1e-9)
