"""Segments runs made on an engine read back into the workspace (`cvm runs import`).

No Spark here: the run is the workspace's own `cvm segment` on a small shop (ids with
leading zeros, refunds, $0 orders, prospects, a trained churn model), written as Parquet under
the contract's folders (``profile/``, ``segments/``, ``_runs/`` by run id) with pyarrow, then
imported into a second workspace holding the same customers. What comes in must equal what
the first workspace stored, and `cvm segments`, `cvm publish`, the profile's churn risk and
campaigns must read it. Malformed runs are refused as the CLV import refuses them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cli_run import cvm_ok
from cvm.cli import app
from cvm.datasets import simulate
from cvm.ingest import load_file
from cvm.workspace import Workspace

RULES = """
[segments.rules.big]
where = "revenue > 150"

[segments.rules.risky]
where = "churn_risk > 0.5"
"""
TEXT = ("rfm", "segment", "tier", "lifecycle")
NUMBERS = ("frequency", "recency", "t", "monetary", "expected_purchases", "p_alive", "clv",
           "revenue", "churn_risk")  # fmt: skip
PROSPECTS = ("090001", "090002", "090003")


def _shop(root: Path) -> None:
    """orders.csv and customers.csv: 300 simulated buyers with ids like 000042, refunds, a $0
    order every 29th row, and three prospects (in the CRM, no order)."""
    sim = simulate(300, events=False, seed=7)
    ids = {c: f"{i:06d}" for i, c in enumerate(sim.customers["customer_id"], start=1)}
    tx = sim.transactions.assign(customer_id=sim.transactions["customer_id"].map(ids))
    tx = tx[["transaction_id", "customer_id", "ts", "amount"]].copy()
    tx.loc[(tx["amount"] > 0).to_numpy() & (np.arange(len(tx)) % 29 == 0), "amount"] = 0.0
    assert (tx["amount"] == 0).any() and (tx["amount"] < 0).any()
    tx.assign(ts=tx["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(root / "orders.csv", index=False)
    people = [*sorted(ids.values()), *PROSPECTS]
    pd.DataFrame(
        {
            "customer_id": people,
            "email": [f"c{k}@example.org" for k in range(len(people))],
            "first_seen": "2023-01-01",
            "consent_email": "TRUE",
        }
    ).to_csv(root / "customers.csv", index=False)


def _loaded(path: Path, root: Path) -> Workspace:
    Workspace.create(path).close()
    toml = path / "cvm.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + RULES, encoding="utf-8")
    ws = Workspace.open(path)
    load_file(ws, "customers", root / "customers.csv")
    load_file(ws, "transactions", root / "orders.csv")
    return ws


def _write(table: pa.Table, folder: Path, name: str = "part-00000.parquet") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / name)


def _write_run(ws: Workspace, results: Path, run_id: str) -> None:
    """The run as an engine writes it under the contract: the segment table (with churn and
    as_of), the members, the record."""
    day = ws.engine.scalar(
        "SELECT CAST(cutoff AS DATE) FROM model_runs WHERE run_id = $r", {"r": run_id}
    )
    profile = ws.engine.frame(
        "SELECT * EXCLUDE (channel_shares, categories, attributes), $day AS as_of"
        " FROM customer_segments ORDER BY customer_id",
        {"day": day},
    )
    schema = pa.Schema.from_pandas(profile, preserve_index=False)
    schema = schema.set(schema.get_field_index("customer_id"), pa.field("customer_id", pa.string()))
    schema = schema.set(schema.get_field_index("as_of"), pa.field("as_of", pa.date32()))
    at = schema.get_field_index("churn_reasons")
    schema = schema.set(at, pa.field("churn_reasons", pa.list_(pa.string())))
    table = pa.Table.from_pandas(profile, schema=schema, preserve_index=False)
    _write(table, results / "profile" / f"run_id={run_id}")
    members = ws.engine.frame(
        "SELECT customer_id, segment, $day AS as_of FROM segment_members WHERE run_id = $r"
        " ORDER BY segment, customer_id",
        {"r": run_id, "day": day},
    )
    _write(
        pa.Table.from_pandas(members, preserve_index=False).cast(
            pa.schema(
                [("customer_id", pa.string()), ("segment", pa.string()), ("as_of", pa.date32())]
            )
        ),
        results / "segments" / f"run_id={run_id}",
    )
    params = json.loads(
        ws.engine.scalar("SELECT params FROM model_runs WHERE run_id = $r", {"r": run_id})
    )
    record = pd.DataFrame(
        {
            "run_id": [run_id],
            "kind": ["segments"],
            "model": ["rfm+lifecycle"],
            "params": [json.dumps({**params, "engine": "spark", "clv_model": None})],
            "metrics": [json.dumps({"notes": []})],
            "cutoff": [pd.Timestamp(day)],
            "engine": ["spark"],
        }
    )
    _write(
        pa.Table.from_pandas(record, preserve_index=False), results / "_runs" / f"run_id={run_id}"
    )


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The first workspace's segments run written as Parquet; a second workspace (template)
    with the same customers and no run."""
    from cvm.segments.churn import save_churn, train_churn
    from cvm.segments.runs import segment

    root = tmp_path_factory.mktemp("segments_import")
    _shop(root)
    ws = _loaded(root / "first", root)
    try:
        save_churn(ws, train_churn(ws))
        run = segment(ws)
        assert run.churn_run is not None and run.counts["rule"]["risky"] > 0
        _write_run(ws, root / "results", run.run_id)
        original = ws.engine.frame(
            "SELECT * FROM scores WHERE run_id = $r ORDER BY customer_id", {"r": run.run_id}
        ).set_index("customer_id")
        members = ws.engine.frame(
            "SELECT customer_id, segment FROM segment_members WHERE run_id = $r ORDER BY 2, 1",
            {"r": run.run_id},
        )
        metrics = json.loads(
            ws.engine.scalar("SELECT metrics FROM model_runs WHERE run_id = $r", {"r": run.run_id})
        )
    finally:
        ws.close()
    _loaded(root / "template", root).close()
    return root, run, original, members, metrics


def _workspace(shop, name: str) -> Path:
    root = shop[0]
    target = root / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root / "template", target)
    return target


def _import(shop, name: str, results: Path | None = None, *args: str) -> tuple[Path, str]:
    path = _workspace(shop, name)
    folder = results or shop[0] / "results"
    out = cvm_ok(CliRunner(), "runs", "import", str(folder), "-w", str(path), *args)
    return path, " ".join(out.split())


def _refused(shop, name: str, results: Path) -> str:
    path = _workspace(shop, name)
    out = CliRunner().invoke(app, ["runs", "import", str(results), "-w", str(path)])
    assert out.exit_code == 1 and "Traceback" not in out.output, out.output
    with Workspace.open(path, read_only=True) as ws:  # nothing stored
        assert ws.engine.scalar("SELECT count(*) FROM model_runs") == 0
        assert ws.engine.scalar("SELECT count(*) FROM scores") == 0
    return " ".join(out.output.split())


def _rows(path: Path, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Workspace.open(path, read_only=True) as ws:
        scores = ws.engine.frame(
            "SELECT * FROM scores WHERE run_id = $r ORDER BY customer_id", {"r": run_id}
        ).set_index("customer_id")
        members = ws.engine.frame(
            "SELECT customer_id, segment FROM segment_members WHERE run_id = $r ORDER BY 2, 1",
            {"r": run_id},
        )
    return scores, members


def _copy_run(shop, name: str) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    """A copy of the results folder to spoil, and its profile and members rows."""
    root, run = shop[0], shop[1]
    target = root / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root / "results", target)
    profile = pq.read_table(target / "profile" / f"run_id={run.run_id}").to_pandas()
    members = pq.read_table(target / "segments" / f"run_id={run.run_id}").to_pandas()
    return target, profile, members


def _replace(
    folder: Path, frame: pd.DataFrame, schema: pa.Schema | None = None, nan: str | None = None
) -> Path:
    """Write ``frame`` instead of the folder's file; ``nan``: a customer whose clv is NaN in
    the file (pandas' NaN is written as NULL otherwise)."""
    (old,) = list(folder.glob("*.parquet"))
    old.unlink()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if schema is not None:
        table = table.cast(schema)
    if nan is not None:
        values = frame["clv"].to_numpy(dtype=float)
        clv = pa.array(values, mask=np.isnan(values) & (frame["customer_id"] != nan).to_numpy())
        table = table.set_column(table.schema.get_field_index("clv"), "clv", clv)
    _write(table, folder, "part-00001.parquet")
    return folder / "part-00001.parquet"


def _reasons(frame: pd.DataFrame) -> list[list[str] | None]:
    return [None if np.ndim(v) == 0 else list(v) for v in frame["churn_reasons"]]


def test_the_imported_run_equals_the_workspace_run(shop):
    root, run, original, members, metrics = shop
    path, out = _import(shop, "equal")
    assert (
        f"run {run.run_id} (segments, as of {run.as_of}) stored: {len(original):,} customers"
        f" and {len(members):,} rule-segment memberships" in out
    )
    scores, stored_members = _rows(path, run.run_id)
    assert scores.index.tolist() == original.index.tolist()  # text ids, zeros kept
    assert set(PROSPECTS) <= set(scores.index) and scores.index.str.startswith("0").all()
    for column in TEXT:
        assert scores[column].tolist() == original[column].tolist(), column
    for column in NUMBERS:
        np.testing.assert_allclose(scores[column].to_numpy(float), original[column].to_numpy(float),
                                   rtol=0, atol=1e-9, err_msg=column)  # fmt: skip
    assert _reasons(scores) == _reasons(original)
    assert sum(r is not None for r in _reasons(original)) > 100  # churn was scored
    assert (scores["cutoff"] == original["cutoff"]).all()
    pd.testing.assert_frame_equal(stored_members, members)
    with Workspace.open(path, read_only=True) as ws:
        kind, model, day, params, stored = ws.engine.one(
            "SELECT kind, model, CAST(cutoff AS DATE), params, metrics FROM model_runs"
            " WHERE run_id = $r", {"r": run.run_id},
        )  # fmt: skip
    params, stored = json.loads(params), json.loads(stored)
    assert (kind, model, day) == ("segments", "rfm+lifecycle", run.as_of)
    assert params["engine"] == "spark" and params["churn_run"] == run.churn_run
    assert params["imported_from"] == str(root / "results" / "profile" / f"run_id={run.run_id}")
    for key in ("rfm", "tier", "lifecycle", "rule"):
        assert stored[key] == metrics[key], key  # the counts the workspace's own run keeps


def test_segments_publish_profile_and_campaigns_read_the_imported_run(shop, monkeypatch):
    from cvm.campaigns import Campaign, build_campaign, create_campaign
    from cvm.cli._common import console
    from cvm.clv.profile import profile_frame
    from cvm.segments.runs import segment_summary

    root, run, original, members, _ = shop
    path, _ = _import(shop, "readers")
    monkeypatch.setattr(console, "width", 200)
    listed = cvm_ok(CliRunner(), "segments", "-w", str(path))
    assert f"segments of {run.run_id}" in listed
    cvm_ok(CliRunner(), "publish", str(root / "published"), "-w", str(path))
    latest = pd.read_parquet(root / "published" / "latest_segments.parquet")
    assert set(latest["run_id"]) == {run.run_id}
    latest = latest.set_index("customer_id").sort_index()
    assert latest["tier"].tolist() == original["tier"].tolist()
    assert latest["lifecycle"].tolist() == original["lifecycle"].tolist()
    published = pd.read_parquet(root / "published" / "latest_segment_members.parquet")
    assert sorted(zip(published["customer_id"], published["segment"], strict=True)) == sorted(
        zip(members["customer_id"], members["segment"], strict=True)
    )
    risky = set(members.loc[members["segment"] == "risky", "customer_id"])
    with Workspace.open(path) as ws:
        summary = segment_summary(ws)
        for kind in ("rfm", "tier", "lifecycle", "rule"):
            column = {"rfm": "segment", "rule": None}.get(kind, kind)
            if column is None:
                expected = members["segment"].value_counts()
            else:
                expected = original[column].dropna().value_counts()
            counts = summary.xs(kind, level="kind")["customers"]
            assert counts.sort_index().to_dict() == expected.sort_index().to_dict(), kind
        # the profile as of the run's day takes its churn risk from the imported run
        profile = profile_frame(ws, run.as_of, fit_clv=False)
        risk = profile["churn_risk"].dropna().sort_index()
        expected_risk = original["churn_risk"].dropna().sort_index()
        assert risk.index.tolist() == expected_risk.index.tolist()
        np.testing.assert_allclose(risk.to_numpy(), expected_risk.to_numpy(), rtol=0, atol=1e-12)
        # a campaign on the rule segment finds its members; its strata are the imported tiers
        starts = pd.Timestamp(run.as_of)
        create_campaign(ws, Campaign("RISKY", "email", starts, starts + pd.Timedelta(days=7),
                                     audience={"kind": "segment", "segment": "risky"},
                                     stratify_by="value_tier"))  # fmt: skip
        built = build_campaign(ws, "RISKY")
        arms = ws.engine.frame("SELECT customer_id, stratum FROM assignments").set_index(
            "customer_id"
        )
    assert built.audience == len(risky) and set(arms.index) == risky and not built.excluded
    # stratified by the imported run's value tiers (the newest segments run's)
    assert arms["stratum"].sort_index().tolist() == original.loc[sorted(risky), "tier"].tolist()


def test_reimport_changes_nothing(shop):
    root, run, original, members, _ = shop
    path, _ = _import(shop, "again")
    again = cvm_ok(CliRunner(), "runs", "import", str(root / "results"), "-w", str(path),
                   "--run", run.run_id)  # fmt: skip
    assert f"run {run.run_id} is already in the workspace: nothing to do" in again
    with Workspace.open(path, read_only=True) as ws:
        counts = ws.engine.one(
            "SELECT (SELECT count(*) FROM model_runs), (SELECT count(*) FROM scores),"
            " (SELECT count(*) FROM segment_members), (SELECT count(*) FROM rejected_rows)"
        )
    assert counts == (1, len(original), len(members), 0)


def test_out_of_range_and_unknown_rows_are_refused_with_their_members(shop):
    run = shop[1]
    results, profile, members = _copy_run(shop, "spoilt")
    ids = profile["customer_id"].tolist()
    high, risk, inf, nan, empty = ids[3], ids[4], ids[5], ids[6], ids[7]
    refused = {high, risk, inf, nan, "0999999"}
    assert high in set(members["customer_id"])
    profile.loc[profile["customer_id"] == high, "p_alive"] = 1.5
    profile.loc[profile["customer_id"] == risk, "churn_risk"] = 1.25
    profile.loc[profile["customer_id"] == inf, "clv"] = np.inf
    profile.loc[profile["customer_id"] == nan, "clv"] = np.nan  # its tier was ranked on NaN
    profile.loc[profile["customer_id"] == empty, "clv"] = None  # an empty score: stored NULL
    stranger = profile.iloc[[0]].assign(customer_id="0999999")
    profile = pd.concat([profile, stranger], ignore_index=True)
    schema = pq.read_schema(next((results / "profile" / f"run_id={run.run_id}").glob("*.parquet")))
    file = _replace(results / "profile" / f"run_id={run.run_id}", profile, schema, nan=nan)
    members = pd.concat([members, members.iloc[[0]].assign(customer_id="0999999")])
    _replace(results / "segments" / f"run_id={run.run_id}", members)
    refused_members = int(members["customer_id"].isin(refused).sum())
    path, out = _import(shop, "spoilt_ws", results)
    assert "1 customers unknown to the workspace not stored (cvm rejects)" in out
    assert (
        f"{4 + refused_members} rows refused: 2 a score is not finite or out of range;"
        f" 1 churn_risk not in [0, 1]; 1 p_alive not in [0, 1]; {refused_members} member whose"
        " customer is not stored (cvm rejects)" in out
    )
    scores, stored = _rows(path, run.run_id)
    assert len(scores) == len(profile) - 5 and not refused & set(scores.index)
    assert not refused & set(stored["customer_id"])
    assert np.isnan(scores.loc[empty, "clv"]) and scores.loc[empty, "tier"] is not None
    with Workspace.open(path, read_only=True) as ws:
        rejected = ws.engine.frame("SELECT kind, source, line, reason, raw FROM rejected_rows")
    line = {c: i + 1 for i, c in enumerate(profile["customer_id"])}
    by_reason = rejected[rejected["kind"] == "scores"].set_index("reason")
    assert by_reason.loc["p_alive not in [0, 1]", "line"] == line[high]
    assert by_reason.loc["customer unknown to the workspace", "line"] == len(profile)
    assert (by_reason["source"] == str(file)).all()
    assert '"0999999"' in by_reason.loc["customer unknown to the workspace", "raw"]
    assert (rejected["kind"] == "segment_members").sum() == refused_members


def test_an_erased_customer_is_stored_nowhere(shop):
    root, run, original, members, _ = shop
    gone = members["customer_id"].iloc[0]
    path = _workspace(shop, "erased")
    cvm_ok(CliRunner(), "privacy", "erase", gone, "-w", str(path), "--yes")
    out = cvm_ok(CliRunner(), "runs", "import", str(root / "results"), "-w", str(path))
    out = " ".join(out.split())
    assert "1 rows of erased customers dropped" in out
    assert "unknown to the workspace" not in out and "refused" not in out
    scores, stored = _rows(path, run.run_id)
    assert len(scores) == len(original) - 1 and gone not in scores.index
    assert len(stored) == int((members["customer_id"] != gone).sum())
    with Workspace.open(path, read_only=True) as ws:
        assert ws.engine.scalar("SELECT count(*) FROM rejected_rows") == 0


def test_numeric_ids_two_days_and_runs_before_the_contract_are_refused_in_one_line(shop):
    run = shop[1]
    part = f"run_id={run.run_id}"
    results, profile, _ = _copy_run(shop, "numbers")
    _replace(
        results / "profile" / part, profile.assign(customer_id=profile["customer_id"].astype(int))
    )
    out = _refused(shop, "numbers_ws", results)
    assert f"{results / 'profile' / part}: customer_id is BIGINT, not text" in out
    assert "leading zeros" in out

    results, profile, _ = _copy_run(shop, "two_days")
    profile["as_of"] = profile["as_of"].where(np.arange(len(profile)) % 2 == 0,
                                              pd.Timestamp("2025-01-01").date())  # fmt: skip
    _replace(results / "profile" / part, profile)
    out = _refused(shop, "two_days_ws", results)
    assert f"a run has one cutoff day; found 2025-01-01, {run.as_of}" in out

    results, profile, _ = _copy_run(shop, "old")
    old = profile.drop(columns=["rfm", "rfm_segment", "tier", "lifecycle", "churn_reasons"])
    _replace(results / "profile" / part, old)
    out = _refused(shop, "old_ws", results)
    assert (
        f"{results / 'profile' / part}: a segments run written before segment tables held RFM,"
        " tiers and lifecycle (no column 'rfm'): run `cvm segment --engine spark` again" in out
    )

    results, profile, _ = _copy_run(shop, "text_reasons")
    _replace(results / "profile" / part, profile.assign(churn_reasons="days_since_last"))
    out = _refused(shop, "text_reasons_ws", results)
    assert (
        f"{results / 'profile' / part}: a column does not have the type a segments run gives it:"
        in out
    )

    results, _, _ = _copy_run(shop, "members_only")
    shutil.rmtree(results / "profile")
    out = _refused(shop, "members_only_ws", results)
    assert (
        f"{results / 'segments' / part}: members of run {run.run_id} without its profile" in out
        and "run `cvm segment --engine spark` again" in out
    )


def test_a_run_without_members_and_a_churn_run_beside_it(shop):
    """A run whose rules have no member has no members folder; a churn run is named with where
    its risk enters the workspace."""
    run = shop[1]
    results, _, _ = _copy_run(shop, "no_members")
    shutil.rmtree(results / "segments")
    record = results / "_runs" / f"run_id={run.run_id}"
    said = "CLV and P(alive) left empty as of 2025-12-31: too few customers"
    rows = pq.read_table(record).to_pandas().assign(metrics=json.dumps({"notes": [said]}))
    _replace(record, rows.drop(columns=["run_id"], errors="ignore").assign(run_id=run.run_id))
    churn = results / "churn" / "run_id=churn-20990101T000000-abcdef"
    _write(pa.table({"customer_id": ["000001"], "churn_risk": [0.5]}), churn)
    path, out = _import(shop, "no_members_ws", results)
    assert f"run {run.run_id} (segments, as of {run.as_of}) stored:" in out
    assert "and 0 rule-segment memberships" in out
    assert (
        "run churn-20990101T000000-abcdef: churn risk enters the workspace with a segments run"
        " (`cvm segment --engine spark` scores churn with the same newest model); this run's"
        f" Parquet stays in {churn}" in out
    )
    assert f"warning: {said}" in out  # the engine's notes are shown as the workspace's are
    scores, members = _rows(path, run.run_id)
    assert len(scores) == len(shop[2]) and members.empty
