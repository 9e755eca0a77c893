"""Reads over HTTP under /v1 answer what the library and the CLI compute: campaigns (list and
measurement), segments, KPIs, plans; privacy export and erasure for admins only."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from report_workspace import full_workspace
from typer.testing import CliRunner

from cvm.api import Settings, create_app, schemas_reads
from cvm.api.deps import Caller, current_caller
from cvm.api.jobs_models import JobStatus
from cvm.cli import app as cli
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("reads") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), target)
    return target


@pytest.fixture
def client(ws_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as served:
        yield served


def as_role(ws_path: Path, role: str) -> TestClient:
    app = create_app(Settings(workspace=ws_path, open=True))
    app.dependency_overrides[current_caller] = lambda: Caller(key="k", roles=frozenset({role}))
    return TestClient(app)


def rows(ws_path: Path, sql: str, **params: object) -> list[tuple]:
    with Workspace.open(ws_path, read_only=True) as ws:
        return ws.con.execute(sql, params).fetchall()


def test_campaigns_list_counts_the_arms(client: TestClient, ws_path: Path) -> None:
    counted = dict(
        (cid, (treated, control))
        for cid, treated, control in rows(
            ws_path,
            "SELECT campaign_id, count(*) FILTER (WHERE arm <> 'control'),"
            " count(*) FILTER (WHERE arm = 'control') FROM assignments GROUP BY 1",
        )
    )
    body = client.get("/v1/campaigns").json()["campaigns"]
    assert counted
    assert {c["campaign_id"]: (c["treated"], c["control"]) for c in body} == counted


def test_measure_gives_the_numbers_the_command_prints(client: TestClient, ws_path: Path) -> None:
    (cid,) = rows(ws_path, "SELECT campaign_id FROM campaigns LIMIT 1")[0]
    conversions = dict(
        rows(
            ws_path,
            "SELECT arm, avg(CASE WHEN converted THEN 1.0 ELSE 0.0 END) FROM campaign_outcomes"
            " WHERE campaign_id = $c GROUP BY 1",
            c=cid,
        )
    )
    body = client.get(f"/v1/campaigns/{cid}/measure", params={"n_boot": 200}).json()
    client.close()
    arms = {a["arm"]: a for a in body["arms"]}
    assert arms["control"]["conversion_rate"] == pytest.approx(conversions["control"])
    assert arms["treatment"]["conversion_rate"] == pytest.approx(conversions["treatment"])
    effect = next(e for e in body["effects"] if e["metric"] == "conversion")
    assert effect["lift"] == pytest.approx(conversions["treatment"] - conversions["control"])
    # the command on the same workspace prints the same table (the server is stopped: the
    # command needs the file)
    printed = CliRunner().invoke(
        cli, ["campaign", "measure", cid, "-w", str(ws_path), "--n-boot", "200", "--format", "csv"]
    )
    assert printed.exit_code == 0, printed.output
    tables = {
        block.split("\n", 1)[0]: pd.read_csv(io.StringIO(block.split("\n", 1)[1]))
        for block in printed.stdout.split("# ")[1:]
    }
    lift = next(t for title, t in tables.items() if title.startswith("lift"))
    served = pd.DataFrame(body["effects"])[list(lift.columns)]
    pd.testing.assert_frame_equal(served, lift, check_exact=False, rtol=1e-9)
    assert body["run_id"] in {r for (r,) in rows(ws_path, "SELECT run_id FROM model_runs")}


def test_measure_of_an_unknown_campaign_is_404(client: TestClient) -> None:
    answer = client.get("/v1/campaigns/NOPE/measure")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "unknown campaign 'NOPE'"


def test_segments_count_the_stored_members(client: TestClient, ws_path: Path) -> None:
    run, *_ = rows(
        ws_path,
        "SELECT run_id FROM model_runs WHERE kind = 'segments' ORDER BY created_at DESC LIMIT 1",
    )[0]
    counted = dict(
        rows(ws_path, "SELECT lifecycle, count(*) FROM scores WHERE run_id = $r GROUP BY 1", r=run)
    )
    body = client.get("/v1/segments").json()
    assert body["run_id"] == run
    lifecycle = {r["segment"]: r["customers"] for r in body["segments"] if r["kind"] == "lifecycle"}
    assert lifecycle == counted


def test_kpis_count_the_buyers_of_the_period(client: TestClient, ws_path: Path) -> None:
    ((active, net),) = rows(
        ws_path,
        "SELECT count(DISTINCT customer_id) FILTER (WHERE NOT is_refund AND amount > 0),"
        " sum(amount) FROM transactions"
        " WHERE ts >= TIMESTAMP '2025-06-01' AND ts < TIMESTAMP '2025-07-01'",
    )
    body = client.get("/v1/kpis", params={"as_of": "2025-06-30"}).json()
    assert body["active"] == active > 0
    assert body["net_revenue"] == pytest.approx(net)


def test_plans_list_and_one_plan_count_the_chosen_actions(
    client: TestClient, ws_path: Path
) -> None:
    chosen = dict(
        rows(
            ws_path,
            "SELECT run_id, count(*) FILTER (WHERE status = 'chosen') FROM plan_decisions"
            " GROUP BY 1",
        )
    )
    listed = client.get("/v1/plans").json()["plans"]
    assert chosen and {p["run_id"]: p["chosen"] for p in listed} == chosen
    run_id = listed[0]["run_id"]
    by_offer = dict(
        rows(
            ws_path,
            "SELECT offer_id, count(*) FROM plan_decisions WHERE run_id = $r AND status = 'chosen'"
            " GROUP BY 1",
            r=run_id,
        )
    )
    one = client.get(f"/v1/plans/{run_id}").json()
    assert {a["offer_id"]: a["customers"] for a in one["actions"]} == by_offer
    assert one["chosen"] == sum(by_offer.values())
    assert one["spent"] == pytest.approx(sum(a["cost"] for a in one["actions"]))
    assert client.get("/v1/plans/plan-none").status_code == 404


def test_reads_need_a_role_that_reads(ws_path: Path) -> None:
    with as_role(ws_path, "writer") as client:  # (reader is another name for analyst)
        refused = [client.get(p).status_code for p in ("/v1/campaigns", "/v1/plans", "/v1/jobs")]
    with as_role(ws_path, "analyst") as client:
        allowed = [client.get(p).status_code for p in ("/v1/campaigns", "/v1/plans", "/v1/jobs")]
    assert refused == [403, 403, 403]
    assert allowed == [200, 200, 200]


def test_export_over_http_is_what_the_command_writes(ws_path: Path, tmp_path: Path) -> None:
    (cid,) = rows(ws_path, "SELECT customer_id FROM transactions ORDER BY 1 LIMIT 1")[0]
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as client:
        answer = client.post("/v1/privacy/export", json={"customer": cid})
    out = tmp_path / "export.json"
    done = CliRunner().invoke(cli, ["privacy", "export", cid, "-w", str(ws_path), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert answer.status_code == 200
    assert answer.json()["tables"] == json.loads(out.read_text())
    (orders,) = rows(ws_path, "SELECT count(*) FROM transactions WHERE customer_id = $c", c=cid)[0]
    assert len(answer.json()["tables"]["transactions"]) == orders > 0


def test_erase_needs_admin_and_removes_the_customer(ws_path: Path) -> None:
    cid, email = rows(
        ws_path,
        "SELECT c.customer_id, i.source_id FROM customers c JOIN identities i USING"
        " (customer_id) JOIN transactions t USING (customer_id) WHERE i.source = 'email'"
        " ORDER BY 1 DESC LIMIT 1",
    )[0]
    tables = [
        t
        for (t,) in rows(
            ws_path,
            "SELECT DISTINCT c.table_name FROM information_schema.columns AS c"
            " JOIN information_schema.tables AS t USING (table_schema, table_name)"
            " WHERE c.column_name = 'customer_id' AND t.table_type = 'BASE TABLE'",
        )
    ]

    def left() -> dict[str, int]:
        counts = {}
        for t in sorted(set(tables)):
            (n,) = rows(ws_path, f'SELECT count(*) FROM "{t}" WHERE customer_id = $c', c=cid)[0]
            if n:
                counts[t] = n
        return counts

    before = left()
    assert cid.encode() in (ws_path / "cvm.duckdb").read_bytes()
    assert before.get("customers") == 1 and before.get("transactions", 0) > 0
    with as_role(ws_path, "analyst") as analyst:
        refused = analyst.post("/v1/privacy/erase", json={"customer": email})
        refused_export = analyst.post("/v1/privacy/export", json={"customer": email})
    assert refused.status_code == refused_export.status_code == 403
    assert left() == before
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as admin:
        done = admin.post("/v1/privacy/erase", json={"customer": email})
        again = admin.post("/v1/privacy/export", json={"customer": cid})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["customer_id"] == cid
    assert {t: n for t, n in body["rows"].items() if t in before} == before
    assert left() == {}
    assert again.status_code == 404
    # the server rebuilt the file when it stopped: no byte of the id is left in it
    assert cid.encode() not in (ws_path / "cvm.duckdb").read_bytes()
    assert rows(ws_path, "SELECT count(*) FROM erasures WHERE compacted_at IS NULL") == [(0,)]


def test_an_unknown_subject_is_404_and_the_id_stays_out_of_the_url(client: TestClient) -> None:
    answer = client.post("/v1/privacy/erase", json={"customer": "nobody@example.com"})
    assert answer.status_code == 404
    assert client.get("/v1/privacy/erase").status_code == 405  # no id in a URL
    assert client.post("/v1/privacy/erase", json={"customer": ""}).status_code == 422


@pytest.mark.parametrize(
    "model",
    [
        schemas_reads.CampaignRow,
        schemas_reads.CampaignMeasurement,
        schemas_reads.PlanRow,
        schemas_reads.PlanDetail,
        schemas_reads.PrivacyExport,
        schemas_reads.PrivacyRequest,
        schemas_reads.ErasureResult,
        JobStatus,
    ],
    ids=lambda m: m.__name__,
)
def test_the_documented_examples_are_valid_answers(model: type[BaseModel]) -> None:
    examples = model.model_config["json_schema_extra"]["examples"]  # type: ignore[index]
    assert examples
    for example in examples:
        assert model.model_validate(example).model_dump(mode="json", exclude_unset=True)


def test_an_erasure_a_killed_server_left_uncompacted_is_compacted_by_the_next(
    ws_path: Path,
) -> None:
    from cvm.privacy import erase_customer

    (cid,) = rows(ws_path, "SELECT customer_id FROM transactions ORDER BY 1 LIMIT 1 OFFSET 3")[0]
    with Workspace.open(ws_path) as ws:  # what a server killed after the erase leaves
        erase_customer(ws, cid, compact=False)
    assert cid.encode() in (ws_path / "cvm.duckdb").read_bytes()
    with TestClient(create_app(Settings(workspace=ws_path, open=True))) as client:
        assert client.get("/v1/jobs").status_code == 200
    assert cid.encode() not in (ws_path / "cvm.duckdb").read_bytes()
    assert rows(ws_path, "SELECT count(*) FROM erasures WHERE compacted_at IS NULL") == [(0,)]
