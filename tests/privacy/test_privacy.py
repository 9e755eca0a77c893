"""Right of access and erasure across every table, on a demo workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvm import DataError
from cvm.cli import app
from cvm.demo import run_demo
from cvm.ingest import load_file
from cvm.privacy import erase_customer, export_customer
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("privacy") / "ws"
    run_demo(path, n_customers=400, seed=5)
    return path


def _rows_about(ws: Workspace, cid: str) -> dict[str, int]:
    # the tables are read from the catalog here, not from the code under test
    tables = [
        r[0]
        for r in ws.con.execute(
            "SELECT DISTINCT c.table_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)"
            " WHERE c.table_schema = 'main' AND c.column_name = 'customer_id'"
            " AND t.table_type = 'BASE TABLE'"  # views (latest_scores, ...) repeat stored rows
        ).fetchall()
    ]
    assert {"customers", "transactions", "survey_responses", "identities"} <= set(tables)
    counts = {}
    for table in tables:
        n = ws.con.execute(f'SELECT count(*) FROM "{table}" WHERE customer_id = ?', [cid])
        counts[table] = int(n.fetchall()[0][0])
    return {t: n for t, n in counts.items() if n}


def _busiest(ws: Workspace) -> str:
    """The customer with most purchases among those with an e-mail address on record."""
    return str(
        ws.con.execute(
            "SELECT customer_id FROM transactions JOIN customers USING (customer_id)"
            " WHERE nullif(trim(email), '') IS NOT NULL"
            " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchall()[0][0]
    )


def test_export_has_every_row_about_the_customer(demo: Path) -> None:
    with Workspace.open(demo) as ws:
        cid = _busiest(ws)
        expected = _rows_about(ws, cid)
        data = export_customer(ws, cid)
    assert {t: len(data[t]) for t in expected} == expected
    assert {"customers", "transactions", "scores"} <= set(data)
    json.dumps(data, default=str)  # serialisable as it is
    with Workspace.open(demo) as ws, pytest.raises(DataError, match="unknown customer"):
        export_customer(ws, "NOBODY")


def test_erase_removes_the_customer_everywhere_and_nobody_else(demo: Path, tmp_path: Path) -> None:
    with Workspace.open(demo) as ws:
        cid = _busiest(ws)
        email = ws.con.execute(
            "SELECT email FROM customers WHERE customer_id = ?", [cid]
        ).fetchall()[0][0]
        assert email, "the check on the e-mail below needs a customer with one"
        # the e-mail is also a known identity of the customer (as an identify call records it)
        ws.con.execute(
            "INSERT INTO identities (source, source_id, customer_id) VALUES ('email', ?, ?)",
            [email, cid],
        )
        # refused input rows that quote the customer (by id, by e-mail), and one that does not
        bad = tmp_path / "bad.csv"
        bad.write_text(
            "transaction_id,customer_id,ts,amount,note\n"
            f"X1,{cid},2024-01-01,abc,\nX2,C9,2024-01-01,abc,\nX3,,2024-01-01,5,{email}\n"
        )
        load_file(ws, "transactions", bad)
        before = ws.table_counts()
        own = _rows_about(ws, cid)
        deleted = erase_customer(ws, cid)
        after = ws.table_counts()
        assert _rows_about(ws, cid) == {}
        for table, n in own.items():
            assert deleted[table] == n and before[table] - after[table] == n
        assert deleted["rejected_rows"] == 2 and after["erasures"] == before["erasures"] + 1
        stored = ws.con.execute("SELECT id_hash FROM erasures").fetchall()
        assert all(cid not in row[0] for row in stored)
        assert not ws.con.execute(
            "SELECT count(*) FROM rejected_rows WHERE contains(raw, ?)", [cid]
        ).fetchall()[0][0]
        for table, column in (("identities", "source_id"), ("customers", "email")):
            n = ws.con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [email])
            assert n.fetchall()[0][0] == 0, table
        assert not ws.con.execute(
            "SELECT count(*) FROM rejected_rows WHERE contains(raw, ?)", [email]
        ).fetchall()[0][0]
        assert (
            ws.con.execute(
                "SELECT count(*) FROM rejected_rows WHERE contains(raw, 'C9')"
            ).fetchall()[0][0]
            == 1
        )
        with pytest.raises(DataError, match="unknown customer"):
            erase_customer(ws, cid)


def test_cli_export_and_erase(demo: Path, runner, tmp_path: Path) -> None:
    with Workspace.open(demo) as ws:
        cid = _busiest(ws)
    out = tmp_path / "me.json"
    result = runner.invoke(app, ["privacy", "export", cid, "-w", str(demo), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["customers"][0]["customer_id"] == cid
    refused = runner.invoke(app, ["privacy", "erase", cid, "-w", str(demo)])
    assert refused.exit_code == 1 and "--yes" in refused.output
    done = runner.invoke(app, ["privacy", "erase", cid, "-w", str(demo), "--yes"])
    assert done.exit_code == 0 and "erased" in done.output
