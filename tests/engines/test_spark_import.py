"""Runs scored on Spark read back into the workspace (`cvm runs import`, `cvm plan --engine
spark`): the same scores as DuckDB's, then used by the plan, `cvm publish` and the service.

The shop: simulated customers whose ids have leading zeros, with refunds and $0 orders, as
a Parquet folder (what Spark reads) and as a CSV export loaded into a workspace. Spark runs
the command a user types; DuckDB runs the same engine job on the same folder. Marked ``spark``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli_run import cvm_ok
from cvm.cli import app
from cvm.clv.on_spark import score_on
from cvm.datasets import simulate
from cvm.engines import DuckDBEngine
from cvm.ingest import load_file
from cvm.workspace import Workspace

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

AS_OF = "2025-06-30"
MODELS = ("mbgnbd",)  # one model: each fit is a Spark job, slow on a loaded machine
OPTIONS = {"horizon_years": 1.0, "annual_discount_rate": 0.10, "margin": 0.30}
SCORES = ("frequency", "recency", "t", "monetary", "expected_purchases", "p_alive",
          "expected_spend", "clv")  # fmt: skip
CATALOG = """
[decide]
budget = 40.0

[[offers]]
id = "mail-a"
kind = "cross-sell"
channel = "email"
unit_cost = 0.5
lift = 0.1
margin = 0.4

[[offers]]
id = "sms-b"
kind = "retention"
channel = "sms"
unit_cost = 0.8
lift = 0.15
margin = 0.3
"""


def _orders() -> pd.DataFrame:
    """400 customers' orders up to AS_OF as a shop exports them: ids with leading zeros,
    refunds (negative amounts), a $0 order every 29th row."""
    sim = simulate(400, events=False, seed=13)
    ids = {c: f"{i:06d}" for i, c in enumerate(sim.customers["customer_id"], start=1)}
    tx = sim.transactions.assign(customer_id=sim.transactions["customer_id"].map(ids))
    tx = tx[["transaction_id", "customer_id", "ts", "amount"]].copy()
    tx = tx[tx["ts"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)]  # the data ends on AS_OF
    tx.loc[(tx["amount"] > 0).to_numpy() & (np.arange(len(tx)) % 29 == 0), "amount"] = 0.0
    assert (tx["amount"] == 0).any() and (tx["amount"] < 0).any()
    assert tx["customer_id"].str.startswith("0").all()
    return tx


@pytest.fixture(scope="module")
def shop(tmp_path_factory, spark):
    """The Parquet folder; a Spark run and a DuckDB run of it; a loaded workspace (template)."""
    root = tmp_path_factory.mktemp("import")
    orders = _orders()
    (root / "transactions").mkdir()
    orders.to_parquet(root / "transactions" / "part-0.parquet", index=False)
    out = cvm_ok(
        CliRunner(), "score", "--engine", "spark", "--input", str(root / "transactions"),
        "--scores-dir", str(root / "spark"), "--cutoff", AS_OF, "--no-intervals",
        "-m", "mbgnbd", "-w", str(root),
    )  # fmt: skip
    assert "customers scored on spark" in out
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    duck = DuckDBEngine(con)
    duck.view("transactions", f"SELECT * FROM read_parquet('{root}/transactions/*.parquet')")
    duck_run = score_on(
        duck, root / "duck", cutoff=AS_OF, models=MODELS, intervals=False, **OPTIONS
    )
    template = root / "template"
    ws = Workspace.create(template)
    (template / "cvm.toml").write_text(
        (template / "cvm.toml").read_text(encoding="utf-8") + CATALOG, encoding="utf-8"
    )
    orders.assign(ts=orders["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(
        root / "orders.csv", index=False
    )
    people = sorted(orders["customer_id"].unique())
    pd.DataFrame(
        {
            "customer_id": people,
            "email": [f"c{k}@example.org" for k in range(len(people))],
            "phone": [f"+1555{k:07d}" for k in range(len(people))],
            "first_seen": "2023-01-01",
            "consent_email": ["FALSE" if k % 10 == 9 else "TRUE" for k in range(len(people))],
            "consent_sms": ["TRUE" if k % 3 == 0 else "FALSE" for k in range(len(people))],
        }
    ).to_csv(root / "customers.csv", index=False)
    load_file(ws, "customers", root / "customers.csv")
    load_file(ws, "transactions", root / "orders.csv")
    ws.close()
    return root, orders, duck_run.run_id


def _workspace(shop, name: str) -> Path:
    root = shop[0]
    target = root / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root / "template", target)
    return target


def _run_id(folder: Path) -> str:
    (run,) = [p.name for p in folder.iterdir() if p.name.startswith("run_id=")]
    return run.removeprefix("run_id=")


def _stored(path: Path, run_id: str) -> pd.DataFrame:
    with Workspace.open(path, read_only=True) as ws:
        frame = ws.engine.frame(
            "SELECT * FROM scores WHERE run_id = $run_id ORDER BY customer_id", {"run_id": run_id}
        )
    return frame.set_index("customer_id")


def test_imported_spark_scores_equal_duckdb_scores(shop):
    root, orders, duck_id = shop
    spark_id = _run_id(root / "spark")
    a, b = _workspace(shop, "ws_a"), _workspace(shop, "ws_b")
    out = cvm_ok(CliRunner(), "runs", "import", str(root / "spark"), "-w", str(a))
    assert f"run {spark_id} (clv, as of {AS_OF}) stored" in out
    cvm_ok(CliRunner(), "runs", "import", str(root / "duck"), "-w", str(b))
    on_spark, on_duck = _stored(a, spark_id), _stored(b, duck_id)
    assert on_spark.index.tolist() == on_duck.index.tolist()
    assert set(on_spark.index) == set(orders["customer_id"])  # every customer, zeros kept
    for column in SCORES:
        np.testing.assert_allclose(on_spark[column], on_duck[column], rtol=0, atol=1e-9,
                                   err_msg=column)  # fmt: skip
    # the stored rows are the Spark files' rows, and the run says where it came from
    files = pd.read_parquet(root / "spark" / f"run_id={spark_id}").set_index("customer_id")
    np.testing.assert_allclose(on_spark["clv"], files.loc[on_spark.index, "clv"], atol=0)
    with Workspace.open(a, read_only=True) as ws:
        kind, model, cutoff, engine = ws.engine.one(
            "SELECT kind, model, CAST(cutoff AS DATE)::VARCHAR, params->>'engine'"
            " FROM model_runs WHERE run_id = $r", {"r": spark_id},
        )  # fmt: skip
    assert (kind, cutoff, engine) == ("clv", AS_OF, "spark") and model == "mbgnbd"


def test_reimport_changes_nothing_and_unknown_customers_are_counted(shop):
    root, _, _ = shop
    run = root / "spark"
    spark_id = _run_id(run)
    copy = root / "with_stranger"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(run, copy)
    part = next((copy / f"run_id={spark_id}").glob("*.parquet"))
    rows = pd.read_parquet(part)
    stranger = rows.iloc[[0]].assign(customer_id="0999999")
    stranger.to_parquet(part.with_name("part-stranger.parquet"), index=False)
    path = _workspace(shop, "ws_c")
    out = cvm_ok(CliRunner(), "runs", "import", str(copy), "-w", str(path))
    assert "1 customers unknown to the workspace not stored (cvm rejects)" in out
    again = cvm_ok(CliRunner(), "runs", "import", str(copy), "-w", str(path), "--run", spark_id)
    assert f"run {spark_id} is already in the workspace: nothing to do" in again
    with Workspace.open(path, read_only=True) as ws:
        assert ws.engine.scalar("SELECT count(*) FROM model_runs") == 1
        stored = ws.engine.scalar("SELECT count(*) FROM scores")
        rejected = ws.engine.rows("SELECT source, line, reason, raw FROM rejected_rows")
    assert stored == len(pd.read_parquet(run / f"run_id={spark_id}"))
    ((source, line, reason, raw),) = rejected
    assert source.endswith("part-stranger.parquet") and line == 1
    assert reason == "customer unknown to the workspace" and '"0999999"' in raw


def test_a_malformed_run_is_refused_in_one_line(shop, tmp_path):
    root, _, _ = shop
    spark_id = _run_id(root / "spark")
    path = _workspace(shop, "ws_d")
    bad = tmp_path / "bad" / f"run_id={spark_id}"
    bad.mkdir(parents=True)
    rows = pd.read_parquet(root / "spark" / f"run_id={spark_id}")
    rows.drop(columns=["p_alive"]).to_parquet(bad / "part-0.parquet", index=False)
    out = CliRunner().invoke(app, ["runs", "import", str(tmp_path / "bad"), "-w", str(path)])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert f"{bad / 'part-0.parquet'}: no column 'p_alive'" in " ".join(out.output.split())
    numbers = tmp_path / "numbers" / f"run_id={spark_id}"
    numbers.mkdir(parents=True)
    rows.assign(customer_id=rows["customer_id"].astype(int)).to_parquet(numbers / "p.parquet")
    out = CliRunner().invoke(app, ["runs", "import", str(tmp_path / "numbers"), "-w", str(path)])
    assert out.exit_code == 1 and "leading zeros" in out.output
    (tmp_path / "junk" / f"run_id={spark_id}").mkdir(parents=True)
    (tmp_path / "junk" / f"run_id={spark_id}" / "x.parquet").write_text("not parquet")
    out = CliRunner().invoke(app, ["runs", "import", str(tmp_path / "junk"), "-w", str(path)])
    assert out.exit_code == 1 and "cannot read the run's Parquet files" in out.output
    inf = tmp_path / "inf" / f"run_id={spark_id}"
    inf.mkdir(parents=True)
    rows.assign(p_alive=np.where(np.arange(len(rows)) == 3, 1.5, rows["p_alive"]),
                clv=np.where(np.arange(len(rows)) == 4, np.inf, rows["clv"])).to_parquet(
        inf / "p.parquet", index=False)  # fmt: skip
    out = cvm_ok(CliRunner(), "runs", "import", str(tmp_path / "inf"), "-w", str(path))
    assert "2 rows refused: 1 a score is not finite or out of range; 1 p_alive not in [0, 1]" in (
        " ".join(out.split())
    )
    with Workspace.open(path, read_only=True) as ws:
        assert ws.engine.scalar("SELECT count(*) FROM scores") == len(rows) - 2
        assert sorted(r[0] for r in ws.engine.rows("SELECT line FROM rejected_rows")) == [4, 5]


def _plan_rows(folder: Path) -> pd.DataFrame:
    (run,) = list((folder / "plans").iterdir())
    rows = pd.read_parquet(run)
    return rows.sort_values(["customer_id", "offer_id"]).reset_index(drop=True)


def test_plan_from_spark_scores_equals_plan_from_duckdb_scores(shop):
    """`cvm plan --engine spark` on the Spark run; `cvm runs import` of the DuckDB run, then
    `cvm plan --results-dir`: the same plan rows, written as Parquet and into the workspace."""
    root, _, duck_id = shop
    a, b = _workspace(shop, "plan_a"), _workspace(shop, "plan_b")
    out_a = root / "plan_out_a"
    shutil.copytree(root / "spark", out_a, dirs_exist_ok=True)
    said = cvm_ok(CliRunner(), "plan", "--engine", "spark", "--results-dir", str(out_a),
                  "-w", str(a))  # fmt: skip
    assert f"as of {AS_OF}" in said and "plan rows in" in said
    cvm_ok(CliRunner(), "runs", "import", str(root / "duck"), "-w", str(b))
    out_b = root / "plan_out_b"
    cvm_ok(CliRunner(), "plan", "--as-of", AS_OF, "--results-dir", str(out_b), "-w", str(b))
    x, y = _plan_rows(out_a), _plan_rows(out_b)
    assert len(x) == len(y) > 0 and (x["status"] == "chosen").sum() > 10
    for column in ("customer_id", "offer_id", "channel", "status", "reason", "lift_source"):
        assert x[column].tolist() == y[column].tolist(), column
    for column in ("propensity", "lift", "value", "cost", "weight", "context", "ev", "score"):
        np.testing.assert_allclose(x[column], y[column], rtol=0, atol=1e-9, err_msg=column)
    assert (x["as_of"].astype(str) == AS_OF).all()
    with Workspace.open(a, read_only=True) as ws:
        stored = ws.engine.frame(
            "SELECT customer_id, offer_id, status, ev FROM latest_plan ORDER BY 1, 2"
        )
        clv_run = ws.engine.scalar("SELECT max(run_id) FROM model_runs WHERE kind = 'clv'")
    assert stored["customer_id"].tolist() == x["customer_id"].tolist()
    np.testing.assert_allclose(stored["ev"], x["ev"], rtol=0, atol=0)
    assert clv_run == _run_id(root / "spark")
    assert duck_id != clv_run


def test_publish_and_the_service_show_the_imported_run(shop):
    from fastapi.testclient import TestClient

    from cvm.api import Settings, create_app

    root, _, _ = shop
    spark_id = _run_id(root / "spark")
    path = _workspace(shop, "served")
    cvm_ok(CliRunner(), "score", "-w", str(path), "--cutoff", "2025-03-31", "--no-intervals",
           "-m", "bgnbd")  # an earlier run of the workspace's own: the import is newer  # fmt: skip
    cvm_ok(CliRunner(), "runs", "import", str(root / "spark"), "-w", str(path))
    cvm_ok(CliRunner(), "publish", str(root / "published"), "-w", str(path))
    published = pd.read_parquet(root / "published" / "latest_scores.parquet")
    stored = _stored(path, spark_id)
    assert set(published["run_id"]) == {spark_id}
    assert sorted(published["customer_id"]) == stored.index.tolist()
    published = published.set_index("customer_id").loc[stored.index]
    np.testing.assert_allclose(published["clv"], stored["clv"], rtol=0, atol=0)
    customer = stored["clv"].idxmax()
    assert customer.startswith("0")
    with TestClient(create_app(Settings(workspace=path, open=True))) as served:
        answer = served.get(f"/v1/profiles/{customer}")
    assert answer.status_code == 200, answer.text
    scores = answer.json()["scores"]
    assert scores["run_id"] == spark_id and scores["model"] == "mbgnbd"
    # live profiles are scored with the imported run's fit, as of the data's last day (AS_OF)
    assert scores["clv"] == pytest.approx(stored.loc[customer, "clv"], abs=1e-6)


def test_an_erased_customer_is_not_brought_back(shop):
    """A customer erased from the workspace but still in the Spark run is dropped, counted,
    and leaves no row in the scores nor among the refused rows."""
    root, _, _ = shop
    spark_id = _run_id(root / "spark")
    path = _workspace(shop, "erased")
    gone = "000005"
    assert gone in set(pd.read_parquet(root / "spark" / f"run_id={spark_id}")["customer_id"])
    cvm_ok(CliRunner(), "privacy", "erase", gone, "-w", str(path), "--yes")
    out = cvm_ok(CliRunner(), "runs", "import", str(root / "spark"), "-w", str(path))
    assert "1 rows of erased customers dropped" in out
    assert "unknown to the workspace" not in out
    with Workspace.open(path, read_only=True) as ws:
        assert (
            ws.engine.scalar("SELECT count(*) FROM scores WHERE customer_id = $c", {"c": gone}) == 0
        )
        assert (
            ws.engine.scalar(
                "SELECT count(*) FROM rejected_rows WHERE raw LIKE $p", {"p": f"%{gone}%"}
            )
            == 0
        )
        stored = ws.engine.scalar("SELECT count(*) FROM scores")
    assert stored == len(pd.read_parquet(root / "spark" / f"run_id={spark_id}")) - 1
