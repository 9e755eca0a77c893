"""Profile, KPIs, cohorts and segments: the same Parquet folders through DuckDB and Spark.

The Spark side runs the commands a user types (``cvm kpis`` and ``cvm segment`` with
``--engine spark`` and the folders in ``cvm.toml``, a churn model trained on an engine in the
workspace folder); the DuckDB side runs the same engine-level jobs on a DuckDB reading the
same folders, and a workspace holding the same rows runs its own ``cvm segment``. Each is
built once per module. Marked ``spark``.
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
from cvm.features.on_engine import bind_sources, profile_on_engine
from cvm.report.kpis_on_engine import kpis_on_engine
from cvm.segments.churn_on_engine import train_churn_on_engine
from cvm.segments.churn_on_spark import save_engine_churn
from cvm.segments.on_engine import segments_on_engine
from cvm.segments.settings import Rule, read_settings

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

AS_OF = "2025-06-30"
TABLES = ("transactions", "customers", "events", "order_items", "subscriptions")
RULES = {
    "big": Rule("big", "revenue > 150"),  # a numeric attribute
    "big_email": Rule("big_email", "consent_email", parent="big"),
    "recent": Rule("recent", "last_purchase >= DATE '2025-03-01'"),  # a date
    "web": Rule("web", "coalesce(channel_shares['web'], 0) >= 0.5"),
    "young": Rule("young", "attributes->>'age_band' = '18-24'"),
    # the segment table's own columns: tier, lifecycle, CLV and churn risk
    "valuable_at_risk": Rule(
        "valuable_at_risk", "tier IN ('Platinum', 'Gold') AND churn_risk > 0.5"
    ),
    "top_active": Rule("top_active", "lifecycle = 'active' AND clv > 100"),
}
CHURN_RULES = {"valuable_at_risk"}  # the workspace has no engine-trained churn model
DAYS = {"first_seen", "first_purchase", "last_purchase", "last_contract_end", "as_of"}
MORE_RULES = """
[segments.rules.big_email]
parent = "big"
where = "consent_email"
[segments.rules.web]
where = "coalesce(channel_shares['web'], 0) >= 0.5"
[segments.rules.young]
where = "attributes->>'age_band' = '18-24'"
[segments.rules.top_active]
where = "lifecycle = 'active' AND clv > 100"
[segments.rfm]
frequency_edges = [2, 4, 8]
[segments.rfm.map]
Champions = "r >= 4 AND fm >= 4"
Loyal = "f >= 3"
Sleeping = "r <= 2"
Others = "TRUE"
"""


def _business() -> dict[str, pd.DataFrame]:
    """2,000 simulated customers as a shop exports them: numeric ids with leading zeros,
    refunds, $0 orders, a CRM with attributes, events keyed by customer."""
    sim = simulate(2000, seed=5)
    ids = {c: f"{i:06d}" for i, c in enumerate(sim.customers["customer_id"], start=1)}
    tx = sim.transactions.assign(customer_id=sim.transactions["customer_id"].map(ids))
    free = (~tx["is_refund"]).to_numpy() & (np.arange(len(tx)) % 37 == 0)
    tx.loc[free, "amount"] = 0.0
    events = sim.events.rename(columns={"user_id": "customer_id"})
    events = events.assign(customer_id=events["customer_id"].map(ids)).dropna(
        subset=["customer_id"]
    )[["message_id", "type", "customer_id", "ts", "event"]]
    frames = {
        "transactions": tx,
        "customers": sim.customers.assign(customer_id=sim.customers["customer_id"].map(ids)),
        "events": events,
        "order_items": sim.order_items,
        "subscriptions": sim.subscriptions.assign(
            customer_id=sim.subscriptions["customer_id"].map(ids)
        ),
    }
    assert tx["is_refund"].any() and (tx["amount"] == 0).any() and len(events) > 1000
    assert tx["customer_id"].str.startswith("0").all()
    return frames


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The exports as Parquet folders (the transactions in two parts) and the frames."""
    root = tmp_path_factory.mktemp("readme") / "shop"
    root.mkdir()
    frames = _business()
    for name, frame in frames.items():
        (root / name).mkdir()
        if name == "transactions":
            half = len(frame) // 2
            frame.iloc[:half].to_parquet(root / name / "part-0.parquet", index=False)
            frame.iloc[half:].to_parquet(root / name / "part-1.parquet", index=False)
        else:
            frame.to_parquet(root / name / "part-0.parquet", index=False)
    return root, frames


def _duckdb(root) -> DuckDBEngine:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    engine = DuckDBEngine(con)
    for name in TABLES:
        engine.view(name, f"SELECT * FROM read_parquet('{root / name}/*.parquet')")
    return engine


def _settings():
    """The ``[segments]`` of the Spark run's cvm.toml (the README's, with the rules above)."""
    import tomllib

    return read_settings(tomllib.loads(_readme()[1] + MORE_RULES)["segments"])


@pytest.fixture(scope="module")
def churn_model(shop):
    """A churn model trained on an engine, kept in the shop's folder where `cvm segment
    --engine spark -w shop` finds it."""
    root, _ = shop
    trained = train_churn_on_engine(_duckdb(root), AS_OF, sample_rows=1000)
    return save_engine_churn(root, trained), trained


@pytest.fixture(scope="module")
def duck(shop, churn_model, tmp_path_factory):
    root, _ = shop
    out = tmp_path_factory.mktemp("duck")
    engine = _duckdb(root)
    kpis = kpis_on_engine(engine, out, end=AS_OF)
    path, trained = churn_model
    segments = segments_on_engine(
        engine, out, RULES, AS_OF, settings=_settings(), churn_model=trained, churn_run=path.name
    )
    return out, kpis, segments


def _readme() -> tuple[list[list[str]], str]:
    """The README's Spark commands for these jobs and the cvm.toml shown with them."""
    from readme_blocks import blocks, commands

    found = blocks()
    at = next(i for i, b in enumerate(found) if "cvm segment --engine spark -w shop" in b.text)
    toml = next(b for b in found[at:] if b.lang == "toml")
    return commands(found[at]), toml.text


@pytest.fixture(scope="module")
def on_spark(shop, spark, churn_model):
    """The README's `cvm kpis` and `cvm segment` on Spark, from the folder above ``shop/``."""
    root, _ = shop
    lines, toml = _readme()
    settings = toml + MORE_RULES
    for name, rule in RULES.items():  # the README's rules are those of the test
        assert rule.parent or f'[segments.rules.{name}]\nwhere = "{rule.where}"' in settings
    (root / "cvm.toml").write_text(settings)
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root.parent)
        results = [runner.invoke(app, line) for line in lines]
    assert [line[0] for line in lines] == ["kpis", "segment"]
    return root / "results", *results


def _read(folder) -> pd.DataFrame:
    """The one run under ``folder`` (the run id is in the folder's name, not in its rows)."""
    (run,) = [p for p in folder.iterdir() if p.name.startswith("run_id=")]
    return pd.read_parquet(run)


def _naive(values: pd.Series) -> pd.Series:
    days = pd.to_datetime(values)
    return days.dt.tz_convert(None) if days.dt.tz is not None else days


def _same_rows(a: pd.DataFrame, b: pd.DataFrame, key: list[str]) -> None:
    """Identical rows: counts, text and days exact, money within 1e-9."""
    assert sorted(a.columns) == sorted(b.columns)
    a = a.sort_values(key, ignore_index=True)
    b = b.sort_values(key, ignore_index=True)[list(a.columns)]
    assert len(a) == len(b) > 0
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            np.testing.assert_allclose(
                x.astype(float), y.astype(float), rtol=0, atol=1e-9, err_msg=column
            )
        elif pd.api.types.is_datetime64_any_dtype(x) or column in DAYS:
            assert (_naive(x).fillna(pd.Timestamp(0)) == _naive(y).fillna(pd.Timestamp(0))).all()
        else:
            assert [_plain(v) for v in x] == [_plain(v) for v in y], column


def _plain(value):
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return dict(value)  # a map read from Parquet
    if isinstance(value, np.ndarray | list):
        return [_plain(v) for v in value]
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def test_commands_ran_on_spark(on_spark):
    _, kpis, segment = on_spark
    assert kpis.exit_code == 0, kpis.output
    assert segment.exit_code == 0, segment.output
    assert "on spark" in kpis.output and "rule segment(s) on spark" in segment.output
    # the lifecycle stages, the churn model it used (the newest in the workspace folder) and
    # the note of the CLV fit are shown
    text = " ".join(segment.output.split())
    assert "lifecycle as of 2025-06-30" in text and "churn model churn-spark-" in text
    assert "repeat buyer(s) whose repeat orders net to $0" in text


def test_profile_rows_are_identical(duck, on_spark, shop):
    _same_rows(_read(duck[0] / "profile"), _read(on_spark[0] / "profile"), ["customer_id"])
    profile = _read(duck[0] / "profile")
    # every customer in the CRM, with the leading zeros of their ids kept
    crm = shop[1]["customers"]
    assert set(crm.loc[crm["first_seen"] <= AS_OF, "customer_id"]) <= set(profile["customer_id"])
    assert profile["events_90d"].sum() > 0 and profile["refunds"].sum() > 0


def test_kpis_and_cohorts_are_identical(duck, on_spark, shop):
    out = on_spark[0]
    periods, cohorts = _read(duck[0] / "kpis"), _read(duck[0] / "cohorts")
    spark_periods, spark_cohorts = _read(out / "kpis"), _read(out / "cohorts")
    for frame in (periods, spark_periods):
        frame["period_start"], frame["period_end"] = (
            _naive(frame["period_start"]),
            _naive(frame["period_end"]),
        )
    for frame in (cohorts, spark_cohorts):
        frame["cohort"] = _naive(frame["cohort"])
    _same_rows(periods, spark_periods, ["period_start"])
    _same_rows(cohorts, spark_cohorts, ["cohort", "age"])
    # independent count: customers with a purchase (not a refund, amount > 0) in June 2025
    tx = shop[1]["transactions"]
    june = tx[
        (~tx["is_refund"]) & (tx["amount"] > 0) & (tx["ts"].dt.strftime("%Y-%m") == "2025-06")
    ]
    row = periods.loc[periods["period_start"] == pd.Timestamp("2025-06-01")].iloc[0]
    assert row["active"] == june["customer_id"].nunique()
    assert row["orders"] == len(june)


def test_rule_segments_have_the_same_members(duck, on_spark, shop):
    a, b = _read(duck[0] / "segments"), _read(on_spark[0] / "segments")
    for name in RULES:
        assert set(a.loc[a["segment"] == name, "customer_id"]) == set(
            b.loc[b["segment"] == name, "customer_id"]
        ), name
    # against the shop's own orders, counted in pandas
    tx = shop[1]["transactions"]
    seen = tx[tx["ts"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)]
    revenue = seen.groupby("customer_id")["amount"].sum()
    assert set(b.loc[b["segment"] == "big", "customer_id"]) == set(revenue.index[revenue > 150])
    # a purchase: an order not refunded in full by the refunds that name it
    refunded = seen[seen["is_refund"]].groupby("refund_of")["amount"].sum()
    orders = seen[~seen["is_refund"]]
    back = orders["transaction_id"].map(refunded)
    orders = orders[back.isna() | (orders["amount"] + back.fillna(0) > 0)]
    bought = orders.groupby("customer_id")["ts"].max()
    recent = set(bought.index[bought >= pd.Timestamp("2025-03-01")])
    assert set(b.loc[b["segment"] == "recent", "customer_id"]) == recent
    emails = set(shop[1]["customers"].query("consent_email")["customer_id"])
    big = set(b.loc[b["segment"] == "big", "customer_id"])
    assert set(b.loc[b["segment"] == "big_email", "customer_id"]) == big & emails
    assert all((b["segment"] == n).sum() > 10 for n in RULES)


def test_engine_profile_on_duckdb_matches_the_workspace_profile(shop, workspace):
    """The engine-level profile on DuckDB gives the workspace job's rows for the same data."""
    from cvm.features.profile import profile_frame

    root, frames = shop
    for name, frame in frames.items():
        with workspace.engine.register("rows", frame):
            workspace.engine.run(f"INSERT INTO {name} BY NAME SELECT * FROM rows")
    own = profile_frame(workspace, AS_OF).reset_index()
    engine = _duckdb(root)
    bind_sources(engine)
    profile_on_engine(engine, AS_OF)
    got = engine.frame("SELECT * FROM customer_profile")
    _same_rows(own, got, ["customer_id"])


def test_a_missing_folder_or_output_is_one_line(spark, tmp_path, shop):
    root, _ = shop
    runner = CliRunner()
    gone = runner.invoke(
        app,
        ["segment", "--engine", "spark", "-w", str(tmp_path), "--input", str(tmp_path / "nope"),
         "--results-dir", str(tmp_path / "out")],
    )  # fmt: skip
    assert gone.exit_code == 1 and "transactions: no such Parquet folder" in gone.output
    assert "Traceback" not in gone.output and len(gone.output.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(
        app,
        ["kpis", "--engine", "spark", "-w", str(tmp_path), "--input", str(tmp_path / "empty"),
         "--results-dir", str(tmp_path / "out")],
    )  # fmt: skip
    assert empty.exit_code == 1 and "transactions: cannot read 'empty' as parquet" in empty.output
    assert "Traceback" not in empty.output
    no_out = runner.invoke(
        app,
        ["kpis", "--engine", "spark", "-w", str(tmp_path), "--input", str(root / "transactions")],
    )
    assert no_out.exit_code == 1 and "--results-dir DIR" in no_out.output


def test_a_new_run_keeps_the_earlier_runs(spark, tmp_path):
    from datetime import date

    from cvm.engines.spark import SparkEngine
    from cvm.features.on_engine import write_run

    engine = SparkEngine(spark)
    with engine.register("tiny", pd.DataFrame({"customer_id": ["001"], "x": [1.5]})):
        first = write_run(engine, "tiny", tmp_path / "out", "run-a", date(2025, 6, 30))
        second = write_run(engine, "tiny", tmp_path / "out", "run-b", date(2025, 6, 30))
    assert sorted(p.name for p in (tmp_path / "out").glob("run_id=*")) == [
        "run_id=run-a",
        "run_id=run-b",
    ]
    assert pd.read_parquet(first)["customer_id"].tolist() == ["001"]
    assert pd.read_parquet(second)["x"].tolist() == [1.5]


@pytest.fixture(scope="module")
def own_run(shop, tmp_path_factory):
    """The workspace's own `cvm segment` on the same rows, with the same [segments]."""
    from cvm.segments.runs import segment
    from cvm.workspace import Workspace

    _, frames = shop
    path = tmp_path_factory.mktemp("own") / "ws"
    Workspace.create(path).close()
    toml = _readme()[1] + MORE_RULES
    with (path / "cvm.toml").open("a") as fh:
        fh.write("\n" + toml[toml.index("[segments") :])
    ws = Workspace.open(path)
    for name, frame in frames.items():
        with ws.engine.register("rows", frame):
            ws.engine.run(f"INSERT INTO {name} BY NAME SELECT * FROM rows")
    run = segment(ws, AS_OF)
    table = ws.engine.frame("SELECT * FROM customer_segments")
    members = ws.engine.frame(
        "SELECT customer_id, segment FROM segment_members WHERE run_id = $run",
        {"run": run.run_id},
    )
    params = ws.engine.scalar("SELECT params FROM model_runs WHERE run_id = $run",
                              {"run": run.run_id})  # fmt: skip
    ws.close()
    return run, table, members, json.loads(params)


def _cells(values: pd.Series) -> list:
    """Scores and names as plain values (None for a customer without one), so that the
    engine's integers read back as floats equal the workspace's nullable integers."""
    return [None if pd.isna(v) else v if isinstance(v, str) else int(v) for v in values]


SCORES = ["r_score", "f_score", "m_score", "rfm", "rfm_segment", "tier", "lifecycle"]
CLV = ["clv", "p_alive", "expected_purchases"]


def test_the_segment_table_on_spark_is_the_workspace_segment_table(own_run, on_spark, duck):
    """RFM scores, named RFM segment, tier and lifecycle exact; CLV within 1e-9."""
    run, table, _, _ = own_run
    assert run.churn_run is None  # the workspace holds no churn model of its own
    spark = _read(on_spark[0] / "profile").set_index("customer_id").sort_index()
    own = table.set_index("customer_id").sort_index()
    assert spark.index.tolist() == own.index.tolist()
    for column in SCORES:
        assert _cells(spark[column]) == _cells(own[column]), column
    for column in CLV:
        np.testing.assert_allclose(
            spark[column].astype(float), own[column].astype(float), rtol=0, atol=1e-9,
            err_msg=column,
        )  # fmt: skip
    buyers = ~own["is_prospect"]
    assert own.loc[buyers, "clv"].notna().all() and own.loc[~buyers, "clv"].isna().all()
    # the edges of frequency and the quantiles of recency and money both ran: f has 4 scores
    assert sorted(spark["f_score"].dropna().unique()) == [1, 2, 3, 4]
    assert sorted(spark["r_score"].dropna().unique()) == [1, 2, 3, 4, 5]
    # every tier and stage is used, and the tiers follow the CLV ranking
    assert set(spark["tier"].dropna()) == {"Platinum", "Gold", "Silver", "Bronze"}
    assert {"new", "active", "at_risk", "lapsed", "churned", "prospect"} <= set(spark["lifecycle"])
    top = spark.loc[buyers].sort_values("clv", ascending=False)
    assert top["tier"].iloc[0] == "Platinum" and top["tier"].iloc[-1] == "Bronze"
    # the run's counts agree with the workspace run's
    for kind in ("rfm", "tier", "lifecycle"):
        assert duck[2].counts[kind] == run.counts[kind], kind


def test_rules_on_tier_lifecycle_clv_and_churn_have_the_same_members(own_run, on_spark):
    _, _, members, _ = own_run
    spark = _read(on_spark[0] / "segments")
    for name in set(RULES) - CHURN_RULES:
        assert set(spark.loc[spark["segment"] == name, "customer_id"]) == set(
            members.loc[members["segment"] == name, "customer_id"]
        ), name
    # against the segment table itself, in pandas
    profile = _read(on_spark[0] / "profile")
    top = profile[(profile["lifecycle"] == "active") & (profile["clv"] > 100)]
    risky = profile[profile["tier"].isin(["Platinum", "Gold"]) & (profile["churn_risk"] > 0.5)]
    assert set(spark.loc[spark["segment"] == "top_active", "customer_id"]) == set(
        top["customer_id"]
    )
    assert set(spark.loc[spark["segment"] == "valuable_at_risk", "customer_id"]) == set(
        risky["customer_id"]
    )
    assert len(top) > 10 and len(risky) > 5


def test_churn_risk_on_spark_is_the_duckdb_engine_risk(duck, on_spark, churn_model):
    """The engine-trained model scores every buyer the same on both engines (1e-9)."""
    a = _read(duck[0] / "profile").set_index("customer_id").sort_index()
    b = _read(on_spark[0] / "profile").set_index("customer_id").sort_index()
    buyers = ~b["is_prospect"]
    assert b.loc[buyers, "churn_risk"].notna().all() and b.loc[~buyers, "churn_risk"].isna().all()
    np.testing.assert_allclose(b["churn_risk"], a["churn_risk"], rtol=0, atol=1e-9)
    assert b.loc[buyers, "churn_risk"].between(0, 1).all() and b["churn_risk"].std() > 0.05
    reasons = b.loc[buyers, "churn_reasons"]
    assert all(len(r) <= 3 for r in reasons) and np.mean([len(r) > 0 for r in reasons]) > 0.9
    assert [list(r) for r in reasons] == [list(r) for r in a.loc[buyers, "churn_reasons"]]
    assert b.loc[~buyers, "churn_reasons"].isna().all()
    assert duck[2].churn_run == churn_model[0].name


def test_the_folders_keep_the_contract(on_spark, churn_model, own_run):
    """profile/, segments/ and _runs/ of a run, with the names and types `cvm runs import`
    reads (one run id across the three folders), and the workspace run's params."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = on_spark[0]
    (folder,) = [p for p in (out / "profile").iterdir() if p.name.startswith("run_id=")]
    run_id = folder.name.removeprefix("run_id=")
    assert run_id.startswith("segments-")
    assert (out / "segments" / folder.name).is_dir() and (out / "_runs" / folder.name).is_dir()
    schema = pq.read_schema(next(folder.glob("*.parquet")))
    wanted = {
        "customer_id": pa.string(), "frequency": pa.float64(), "recency": pa.float64(),
        "T": pa.float64(), "monetary_value": pa.float64(), "expected_purchases": pa.float64(),
        "p_alive": pa.float64(), "clv": pa.float64(), "revenue": pa.float64(),
        "rfm": pa.string(), "rfm_segment": pa.string(), "tier": pa.string(),
        "lifecycle": pa.string(), "churn_risk": pa.float64(),
        "churn_reasons": pa.list_(pa.string()), "as_of": pa.date32(),
    }  # fmt: skip
    for name, kind in wanted.items():
        assert schema.field(name).type == kind, name
    record = pd.read_parquet(out / "_runs" / folder.name)
    assert len(record) == 1
    row = record.iloc[0]
    assert (row["kind"], row["model"], row["engine"]) == ("segments", "rfm+lifecycle", "spark")
    assert pd.Timestamp(row["cutoff"]) == pd.Timestamp(AS_OF)
    params, metrics = json.loads(row["params"]), json.loads(row["metrics"])
    own = own_run[3]
    assert set(params) == set(own) | {"engine", "clv_model"}
    assert params["churn_run"] == churn_model[0].name and params["clv_model"] == "mbgnbd"
    for key in set(own) - {"churn_run"}:
        assert params[key] == own[key], key
    assert params["rules"]["big_email"] == (
        "coalesce((revenue > 150), false) AND coalesce((consent_email), false)"
    )
    assert metrics["notes"] and "repeat buyer(s) whose repeat orders net to $0" in str(
        metrics["notes"]
    )
    assert sum(metrics["lifecycle"].values()) == len(_read(out / "profile"))


def test_customer_equity_on_spark_is_the_workspace_clv_summed(duck, on_spark, own_run):
    """The KPI run's equity comes from CLV fitted in the job: the same on both engines, and
    the sum of the workspace segment table's CLV (the same fit) as of the same day."""
    a, b = _read(duck[0] / "equity"), _read(on_spark[0] / "equity")
    assert len(a) == len(b) == 1
    own = own_run[1]["clv"].dropna()
    assert b["customers"].iloc[0] == a["customers"].iloc[0] == len(own)
    for column in ("customer_equity", "mean_clv", "median_clv"):
        assert abs(b[column].iloc[0] - a[column].iloc[0]) < 1e-9 * max(1.0, abs(a[column].iloc[0]))
    np.testing.assert_allclose(b["customer_equity"].iloc[0], own.sum(), rtol=1e-12)
    np.testing.assert_allclose(b["median_clv"].iloc[0], own.median(), rtol=1e-12)
    assert b["model"].iloc[0] == "mbgnbd" and str(b["as_of"].iloc[0]) == AS_OF
    assert "customer equity as of 2025-06-30" in " ".join(on_spark[1].output.split())
