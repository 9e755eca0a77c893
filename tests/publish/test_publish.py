"""The published folder and table exports: read back by DuckDB and pyarrow as documented, and
never in the way of cvm writing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from cvm.cli import app
from cvm.ingest import load_file
from cvm.publish import PUBLISHED, export_table, publish
from cvm.workspace import Workspace

VENDORS = Path(__file__).parents[1] / "data" / "vendors"


def _seed(ws: Workspace) -> None:
    """Contacts and charges, a scored CLV run, a newer fit-only run, a segments run."""
    load_file(ws, "customers", VENDORS / "salesforce_contacts.csv", profile="salesforce-contacts")
    load_file(ws, "transactions", VENDORS / "stripe_charges.csv", profile="stripe-charges")
    ws.con.execute(
        "INSERT INTO model_runs (run_id, kind, model, created_at) VALUES"
        " ('clv-1', 'clv', 'bgnbd', TIMESTAMP '2025-02-01'),"
        " ('clv-2', 'clv', 'bgnbd', TIMESTAMP '2025-02-10'),"
        " ('seg-1', 'segments', 'rfm', TIMESTAMP '2025-02-11')"
    )
    ws.con.execute(
        "INSERT INTO scores (run_id, customer_id, clv) SELECT 'clv-1', customer_id, 10.0"
        " FROM customers"
    )
    ws.con.execute(
        "INSERT INTO scores (run_id, customer_id, segment, tier, churn_reasons) SELECT 'seg-1',"
        " customer_id, 'loyal', 'gold', ['no purchase in 90 days'] FROM customers"
    )


@pytest.fixture
def seeded(workspace: Workspace) -> Workspace:
    _seed(workspace)
    return workspace


def test_latest_scores_follow_the_newest_run_that_has_scores(seeded: Workspace) -> None:
    """Defect: the newest clv run (a fit) has no scores, so a naive "latest run" query gave 0
    rows."""
    got = seeded.con.execute("SELECT DISTINCT run_id, count(*) OVER () FROM latest_scores")
    assert got.fetchall() == [("clv-1", 4)]
    seg = seeded.con.execute("SELECT DISTINCT run_id, tier FROM latest_segments").fetchall()
    assert seg == [("seg-1", "gold")]


def test_publish_is_read_back_by_duckdb_and_pyarrow_as_documented(
    seeded: Workspace, tmp_path: Path
) -> None:
    result = publish(seeded, tmp_path / "published")
    folder = tmp_path / "published"
    schema = json.loads((folder / "schema.json").read_text())
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{t}.parquet" for t in PUBLISHED] + ["schema.json"]
    )
    assert not list(tmp_path.glob(".published*"))  # no temporary folder left behind
    reader = duckdb.connect()
    for name, entry in schema["tables"].items():
        path = folder / entry["file"]
        arrow = pq.read_schema(path)
        assert [(f.name, str(f.type)) for f in arrow] == [
            (c["name"], c["type"]) for c in entry["columns"]
        ], name
        rows = reader.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
        assert rows is not None
        expected = seeded.con.execute(f'SELECT count(*) FROM "{name}"'
                                      if name != "latest_segment_members" else
                                      "SELECT 0").fetchone()  # fmt: skip
        assert rows[0] == entry["rows"] == result.tables[name].rows, name
        if name != "latest_segment_members":
            assert expected is not None and rows[0] == expected[0], name
    assert schema["tables"]["latest_scores"]["rows"] == 4
    assert schema["tables"]["transactions"]["rows"] == 4
    customers = pq.read_table(folder / "customers.parquet")
    assert customers.schema.field("attributes").type == "string"  # JSON as text for BI tools
    assert customers.schema.field("consent_email").type == "bool"


def test_a_reader_holding_published_files_does_not_block_ingest(
    seeded: Workspace, tmp_path: Path, runner
) -> None:
    folder = tmp_path / "published"
    publish(seeded, folder)
    ws_path = seeded.path
    seeded.close()
    holder = textwrap.dedent(
        f"""
        import sys, duckdb
        con = duckdb.connect()
        con.execute("CREATE VIEW t AS SELECT * FROM read_parquet('{folder}/transactions.parquet')")
        fh = open('{folder}/customers.parquet', 'rb')
        print(con.execute('SELECT count(*) FROM t').fetchone()[0], flush=True)
        sys.stdin.readline()
        print(con.execute('SELECT count(*) FROM t').fetchone()[0], flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "4"
        extra = tmp_path / "more.csv"
        extra.write_text("customer_id,ts,amount\nX1,2024-05-01,12.5\n")
        ws = ["-w", str(ws_path)]
        loaded = runner.invoke(app, ["ingest", "transactions", str(extra), *ws])
        assert loaded.exit_code == 0, loaded.output
        again = runner.invoke(app, ["publish", str(folder), *ws])
        assert again.exit_code == 0, again.output
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() in ("4", "5")  # still reading, no error
    finally:
        proc.kill()
        proc.wait()
    fresh = duckdb.connect().execute(
        "SELECT count(*) FROM read_parquet(?)", [str(folder / "transactions.parquet")]
    )
    assert fresh.fetchone() == (5,)


def test_export_table_or_view_as_csv_and_parquet(seeded: Workspace, tmp_path: Path) -> None:
    out = export_table(seeded, "latest_segments", tmp_path / "x", format="csv")
    text = out.path.read_text()
    assert out.path.name == "latest_segments.csv" and out.rows == 4
    assert '["no purchase in 90 days"]' in text.replace('""', '"')  # a list as JSON text
    pq_out = export_table(seeded, "transactions", tmp_path / "x")
    assert pq.read_table(pq_out.path).num_rows == 4


def test_export_of_an_unknown_table_is_one_line(seeded: Workspace, runner, tmp_path) -> None:
    ws = ["-w", str(seeded.path)]
    seeded.close()
    bad = runner.invoke(app, ["export", "nope", "--out", str(tmp_path), *ws])
    assert bad.exit_code == 1
    assert "no table or view 'nope'" in bad.output and "Traceback" not in bad.output
