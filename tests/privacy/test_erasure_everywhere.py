"""Erasing a customer with every kind of link leaves no trace anywhere: not in any column of any
table (cast to text), not in the bytes of the database file or its WAL, not in any file of the
workspace folder; and the control customer's data is untouched.

A simulated business gets one more customer, loaded from real-shaped
files (erasure_data.py), then valued, segmented, planned, targeted by a campaign whose export
file is written, and reported on, before the customer is erased by their anonymous id.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from erasure_data import (
    ANON,
    CONTROL,
    CONTROL_EMAIL,
    EMAIL,
    LOAD_ORDER,
    NEEDLES,
    ORDERS,
    VICTIM,
    write_inputs,
)

from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.privacy import erase_customer, export_customer
from cvm.workspace import Workspace
from cvm.workspace.connection import DB_NAME


@pytest.fixture(scope="module")
def every_link(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cvm.campaigns import Campaign, build_campaign, create_campaign, export_campaign
    from cvm.clv import fit_clv, save_run, score_clv
    from cvm.clv.scoring import last_transaction_day
    from cvm.datasets import simulate, write_files
    from cvm.decide import make_plan, save_plan
    from cvm.demo import DEMO_OFFERS
    from cvm.report import write_report
    from cvm.segments.runs import segment

    base = tmp_path_factory.mktemp("everywhere")
    root = base / "ws"
    business = simulate(250, seed=11, events=False)
    sources = write_files(business, base / "business")
    Workspace.create(root).close()
    with open(root / "cvm.toml", "a", encoding="utf-8") as config:
        config.write(DEMO_OFFERS)
    with Workspace.open(root) as ws:
        load_file(ws, "customers", sources["customers"])
        load_file(ws, "transactions", sources["transactions"])
        end = last_transaction_day(ws)
        files = write_inputs(base / "inbox", end - timedelta(days=200))
        for kind in LOAD_ORDER:
            load_file(ws, kind, files[kind])
        assert load_events(ws, files["events"]).customers_merged == 1
        fit = fit_clv(ws, end, models=("bgnbd",))  # Pareto/NBD is slow to settle on 250
        save_run(ws, fit, score_clv(fit), {"cutoff": str(end)})
        segment(ws, end, churn=False)
        save_plan(ws, make_plan(ws, as_of=end))
        others = [
            str(r[0])
            for r in ws.con.execute(
                "SELECT customer_id FROM customers WHERE email IS NOT NULL AND consent_email"
                " AND customer_id NOT IN (?, ?) ORDER BY customer_id LIMIT 30",
                [VICTIM, CONTROL],
            ).fetchall()
        ]
        starts = end + timedelta(days=1)
        campaign = Campaign(
            campaign_id="ZQX-SPRING", channel="email", starts=starts,
            ends=starts + timedelta(days=7), control_fraction=0.1,
        )  # fmt: skip
        create_campaign(ws, campaign, customers=[VICTIM, CONTROL, *others])
        build_campaign(ws, "ZQX-SPRING")
        exported = export_campaign(ws, "ZQX-SPRING")
        write_report(ws, root / "report" / "report.html")
        ws.con.execute("CHECKPOINT")
    # the fixture links what it says: the scans below can fail
    assert EMAIL in exported.path.read_text()
    assert EMAIL.encode() in (root / DB_NAME).read_bytes()
    with Workspace.open(root) as ws:
        naming = _rows_naming(ws, VICTIM)
        for table in ("scores", "plan_decisions", "assignments", "contacts", "survey_responses"):
            assert naming.get(table), table
        assert _rows_naming(ws, ORDERS[0]).get("order_items") == 2
    return root


@pytest.fixture(scope="module")
def erased(
    every_link: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, dict, dict]]:
    """The workspace after erasing the customer by their anonymous id (the tests only read)."""
    root = tmp_path_factory.mktemp("erased") / "ws"
    shutil.copytree(every_link, root)
    ws = Workspace.open(root)
    control_before = export_customer(ws, CONTROL)
    counts_before = ws.table_counts()
    done = erase_customer(ws, ANON)
    assert done.customer_id == VICTIM
    ws.con.execute("CHECKPOINT")
    yield ws, control_before, {"counts": counts_before, "done": done}
    ws.close()


def _text_columns(ws: Workspace) -> list[tuple[str, str]]:
    rows = ws.con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal"
        " AND database_name = current_database() AND schema_name = 'main'"
        " ORDER BY table_name, column_index"
    ).fetchall()
    return [(str(t), str(c)) for t, c in rows]


def _rows_naming(ws: Workspace, needle: str) -> dict[str, int]:
    """Rows of each table in which any column, cast to text, contains the needle (any case)."""
    found: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    for table, column in _text_columns(ws):
        columns.setdefault(table, []).append(column)
    for table, cols in columns.items():
        test = " OR ".join(f'contains(lower(CAST("{c}" AS VARCHAR)), lower($n))' for c in cols)
        n = ws.con.execute(f'SELECT count(*) FROM "{table}" WHERE {test}', {"n": needle})
        count = int(n.fetchall()[0][0])
        if count:
            found[table] = count
    return found


def test_no_table_holds_the_customer(erased) -> None:
    ws, _, _ = erased
    for needle in NEEDLES:
        assert _rows_naming(ws, needle) == {}, needle


def test_no_file_of_the_workspace_holds_the_customer(erased) -> None:
    ws, _, facts = erased
    root = Path(ws.path)
    files = [p for p in root.rglob("*") if p.is_file()]
    assert root / DB_NAME in files and any(p.parent.name == "exports" for p in files)
    for path in files:  # the database, its WAL if any, exports, reports, models, inputs
        data = path.read_bytes().lower()
        for needle in NEEDLES:
            assert needle.lower().encode() not in data, (path, needle)
    assert root / "exports" / "ZQX-SPRING_email.csv" in facts["done"].files.redacted


def test_the_control_customer_is_untouched(erased) -> None:
    ws, before, _ = erased
    after = export_customer(ws, CONTROL)
    # the referral the control sent names the erased customer: only that mention changed
    sent = next(e for e in before["events"] if e["message_id"] == "ctl-ev-2")
    sent["properties"] = (
        '{"friend_email":"[erased]","note":"call [erased] or [erased]","sms":"[erased]"}'
    )
    assert after == before
    assert CONTROL_EMAIL in (Path(ws.path) / "exports" / "ZQX-SPRING_email.csv").read_text()


def test_only_the_customers_rows_went(erased) -> None:
    ws, _, facts = erased
    before, done, after = facts["counts"], facts["done"], ws.table_counts()
    for table in before:
        if table in ("erasures", "erased_identifiers"):
            continue
        assert before[table] - after.get(table, 0) == done.get(table, 0), table
    assert after["erasures"] == before["erasures"] + 1
    assert {"order_items", "events", "scores", "plan_decisions", "assignments", "contacts",
            "customer_merges", "identities", "rejected_rows", "survey_responses",
            "subscriptions", "transactions", "customers"} <= set(done)  # fmt: skip
