"""Erasure leaves no trace: one regression test per defect found (issue: trust, item 3).

The workspace is built from real-shaped files (erasure_data.py): the customer to erase has
orders with lines and a refund, anonymous and identified events, a merged second account, a
subscription, survey answers and a refused row quoting their e-mail; a control customer has the
same, plus a referral event that mentions the erased customer's e-mail and phone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from erasure_data import (
    ANON,
    CONTROL,
    CONTROL_EMAIL,
    CONTROL_ORDERS,
    CONTROL_PHONE,
    EMAIL,
    LOAD_ORDER,
    OLD_ID,
    ORDERS,
    PHONE,
    VICTIM,
    write_inputs,
)

from cvm import DataError
from cvm.cli import app
from cvm.engines import DuckDBEngine
from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.ingest.identity import customer_tables
from cvm.privacy import erase_customer, export_customer
from cvm.privacy.tables import SPECIAL, WITHOUT_CUSTOMER_ROWS, uncovered
from cvm.workspace import Workspace, migrate
from cvm.workspace.connection import DB_NAME
from cvm.workspace.secret import KEY_NAME


def _count(ws: Workspace, sql: str, params: list[object] | None = None) -> int:
    return int(ws.con.execute(sql, params or []).fetchall()[0][0])


def _load_all(ws: Workspace, files: dict[str, Path]) -> dict[str, object]:
    results: dict[str, object] = {k: load_file(ws, k, files[k]) for k in LOAD_ORDER}
    results["events"] = load_events(ws, files["events"])
    return results


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_inputs(tmp_path_factory.mktemp("erasure") / "inbox", date(2024, 1, 5))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path]) -> Path:
    """The linked workspace, loaded once; each test works on its own copy."""
    root = tmp_path_factory.mktemp("erasure") / "ws"
    with Workspace.create(root) as ws:
        _load_all(ws, files)
        assert _count(ws, "SELECT count(*) FROM customer_merges WHERE from_customer_id = ?",
                      [OLD_ID]) == 1  # fmt: skip
    return root


@pytest.fixture
def linked(built: Path, tmp_path: Path) -> Iterator[Workspace]:
    shutil.copytree(built, tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    yield ws
    ws.close()


# 1. the customer's order lines stayed: order_items has no customer_id
def test_order_lines_of_the_customers_orders_are_erased(linked: Workspace) -> None:
    lines = "SELECT count(*) FROM order_items WHERE transaction_id IN (SELECT unnest(?))"
    assert _count(linked, lines, [list(ORDERS)]) == 3
    done = erase_customer(linked, VICTIM)
    assert _count(linked, lines, [list(ORDERS)]) == 0
    assert done["order_items"] == 3
    # the control's line stays
    assert _count(linked, lines, [list(CONTROL_ORDERS)]) == 1


# 2. campaign export files in the workspace still held the e-mail address
def test_campaign_export_file_loses_the_customers_row(linked: Workspace) -> None:
    exports = Path(linked.path) / "exports"
    exports.mkdir()
    target = exports / "SPRING_email.csv"
    target.write_text(
        "Email Address,First Name,Last Name,Tags\n"
        f'{EMAIL},Erin,Zqx,"SPRING,treatment"\n'
        f'{CONTROL_EMAIL},Carl,Ctl,"SPRING,treatment"\n'
    )
    push = exports / "SPRING_push.csv"
    push.write_text(f"Customer ID,Tags\n{VICTIM},SPRING\n{CONTROL},SPRING\n")
    report = Path(linked.path) / "report" / "customer.html"
    report.parent.mkdir()
    report.write_text(f"<html><td>{VICTIM}</td><td>{PHONE}</td><td>{CONTROL}</td></html>")
    done = erase_customer(linked, VICTIM)
    assert target.read_text().splitlines() == [
        "Email Address,First Name,Last Name,Tags",
        f'{CONTROL_EMAIL},Carl,Ctl,"SPRING,treatment"',
    ]
    assert push.read_text().splitlines() == ["Customer ID,Tags", f"{CONTROL},SPRING"]
    assert (
        report.read_text() == f"<html><td>[erased]</td><td>[erased]</td><td>{CONTROL}</td></html>"
    )
    assert sorted(done.files.redacted) == sorted([target, push, report])


def test_files_cvm_did_not_write_are_reported_not_changed(linked: Workspace) -> None:
    mine = Path(linked.path) / "data" / "crm_copy.csv"
    mine.parent.mkdir()
    mine.write_text(f"customer_id,email\n{VICTIM},{EMAIL}\n")
    done = erase_customer(linked, VICTIM)
    assert done.files.not_ours == [mine] and EMAIL in mine.read_text()


# 3. another customer's event whose properties held the e-mail or phone stayed
def test_other_customers_event_mentioning_email_or_phone_is_redacted(linked: Workspace) -> None:
    sql = "SELECT properties::VARCHAR FROM events WHERE message_id = 'ctl-ev-2'"
    assert EMAIL in linked.con.execute(sql).fetchall()[0][0]
    done = erase_customer(linked, VICTIM)
    props = linked.con.execute(sql).fetchall()[0][0]
    assert props == (
        '{"friend_email":"[erased]","note":"call [erased] or [erased]","sms":"[erased]"}'
    )
    assert done.redacted == {"events": 1}
    # the control's event is kept, with its owner and the rest of it
    assert _count(linked, "SELECT count(*) FROM events WHERE customer_id = ?", [CONTROL]) == 2


# 4. the database file still held the old values after CHECKPOINT (only a rebuild removed them)
def test_database_file_holds_no_byte_of_the_customer(linked: Workspace) -> None:
    db = Path(linked.path) / DB_NAME
    linked.con.execute("CHECKPOINT")
    assert EMAIL.encode() in db.read_bytes()  # the scan below can fail
    erase_customer(linked, VICTIM)
    linked.con.execute("CHECKPOINT")
    data = db.read_bytes()
    wal = db.with_name(DB_NAME + ".wal")
    data += wal.read_bytes() if wal.exists() else b""
    for needle in (VICTIM, EMAIL, PHONE, OLD_ID, ANON, *ORDERS):
        assert needle.encode() not in data, needle
    assert CONTROL_EMAIL.encode() in data
    assert _count(linked, "SELECT count(*) FROM erasures WHERE compacted_at IS NOT NULL") == 1


def test_without_compaction_the_erasure_stays_pending(linked: Workspace, runner) -> None:
    erase_customer(linked, VICTIM, compact=False)
    assert _count(linked, "SELECT count(*) FROM erasures WHERE compacted_at IS NULL") == 1
    path = linked.path
    linked.close()
    done = runner.invoke(app, ["privacy", "compact", "-w", str(path)])
    assert done.exit_code == 0, done.output
    assert "1 erasures were pending" in done.output
    assert EMAIL.encode() not in (Path(path) / DB_NAME).read_bytes()
    linked.con = duckdb.connect(str(Path(path) / DB_NAME))  # for the fixture's close


# 5. the log's sha256("cvm-erasure:" + id) was reversed by guessing
def test_erasure_log_is_keyed_with_a_secret_kept_outside_the_database(linked: Workspace) -> None:
    erase_customer(linked, VICTIM)
    key_file = Path(linked.path) / KEY_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = bytes.fromhex(key_file.read_text().strip())
    logged = linked.con.execute("SELECT id_hash, scheme FROM erasures").fetchall()
    assert logged == [
        (hmac.new(key, f"erasure:{VICTIM}".encode(), hashlib.sha256).hexdigest(), "hmac-sha256")
    ]
    # what a guesser holding only the database tries: no digest of any candidate matches
    stored = {r[0] for r in linked.con.execute("SELECT id_hash FROM erased_identifiers").fetchall()}
    stored |= {logged[0][0]}
    for guess in (VICTIM, EMAIL, PHONE, f"cvm-erasure:{VICTIM}", f"erasure:{VICTIM}"):
        for digest in (hashlib.sha256, hashlib.sha1, hashlib.md5):
            assert digest(guess.encode()).hexdigest() not in stored
    assert key.hex().encode() not in (Path(linked.path) / DB_NAME).read_bytes()


def test_old_log_rows_are_rekeyed_and_still_refused(tmp_path: Path, files) -> None:
    root = tmp_path / "old"
    Workspace.create(root).close()
    con = duckdb.connect(str(root / DB_NAME))
    con.execute("DROP TABLE erasures")
    con.execute("DELETE FROM schema_version WHERE version >= 20")
    con.execute("DROP TABLE erased_identifiers")
    migrate(con, target=7)  # the log as older versions wrote it
    con.execute(
        "CREATE TABLE IF NOT EXISTS erasures (erased_at TIMESTAMP NOT NULL DEFAULT"
        " current_timestamp, id_hash VARCHAR NOT NULL, rows_deleted BIGINT NOT NULL)"
    )
    old = hashlib.sha256(f"cvm-erasure:{VICTIM}".encode()).hexdigest()
    con.execute("INSERT INTO erasures (id_hash, rows_deleted) VALUES (?, 12)", [old])
    con.close()
    with Workspace.open(root) as ws:
        assert ws.con.execute("SELECT scheme FROM erasures").fetchall() == [("sha256",)]
        result = load_file(ws, "customers", files["customers"])
        assert (result.loaded, result.erased) == (1, 1)
        key = bytes.fromhex((root / KEY_NAME).read_text().strip())
        rekeyed = hmac.new(key, old.encode(), hashlib.sha256).hexdigest()
        assert ws.con.execute("SELECT id_hash, scheme FROM erasures").fetchall() == [
            (rekeyed, "hmac-sha256(sha256)")
        ]
        assert _count(ws, "SELECT count(*) FROM customers WHERE customer_id = ?", [VICTIM]) == 0


def test_a_lost_key_stops_ingest_instead_of_bringing_customers_back(
    linked: Workspace, files
) -> None:
    from cvm import IngestError

    erase_customer(linked, VICTIM)
    (Path(linked.path) / KEY_NAME).unlink()
    with pytest.raises(IngestError, match=r"erasure\.key is missing"):
        load_file(linked, "customers", files["customers"])
    assert _count(linked, "SELECT count(*) FROM customers WHERE customer_id = ?", [VICTIM]) == 0


# 6. the next routine import of the same files brought the customer back
def test_reimporting_the_same_files_refuses_the_customer(linked: Workspace, files) -> None:
    erase_customer(linked, EMAIL)
    again = _load_all(linked, files)
    erased = {kind: r.erased for kind, r in again.items()}  # type: ignore[attr-defined]
    # independent counts: the victim's rows in each file (orders.csv: 3 orders and the
    # refused row quoting the e-mail; events: 5 of theirs and the referral naming them)
    assert erased == {"customers": 1, "transactions": 4, "order_items": 3, "subscriptions": 1,
                      "surveys": 2, "events": 6}  # fmt: skip
    for kind, r in again.items():
        assert r.rows_read == r.loaded + r.duplicates + r.rejected + r.erased, kind  # type: ignore[attr-defined]
    for table in ("customers", *customer_tables(DuckDBEngine(linked.con))):
        assert not _count(linked, f'SELECT count(*) FROM "{table}" WHERE customer_id = ?',
                          [VICTIM]), table  # fmt: skip
    assert not _count(
        linked, "SELECT count(*) FROM order_items WHERE transaction_id LIKE 'ORD-ZQX%'"
    )
    assert not _count(linked, "SELECT count(*) FROM rejected_rows WHERE contains(raw, ?)", [EMAIL])
    assert _count(linked, "SELECT count(*) FROM customers WHERE customer_id = ?", [CONTROL]) == 1


def test_reimport_refuses_the_customer_under_other_ids_and_formats(
    linked: Workspace, tmp_path: Path
) -> None:
    erase_customer(linked, VICTIM)
    crm = tmp_path / "crm_next_month.csv"
    crm.write_text(
        "customer_id,email,phone,first_seen\n"
        f"NEW-1,{EMAIL.upper()},,2024-06-01\n"  # a new CRM id, the same e-mail
        "NEW-2,,+447700900777,2024-06-01\n"  # the phone, spaced differently
        f"NEW-3,someone.else@example.org,{CONTROL_PHONE},2024-06-01\n"
    )
    result = load_file(linked, "customers", crm)
    assert (result.loaded, result.erased) == (1, 2)
    orders = tmp_path / "orders_by_anon.csv"
    orders.write_text(f"order_id,customer_id,created_at,total\nX-9,{ANON},2024-06-02,5\n"
                      f"X-10,{OLD_ID},2024-06-02,5\nX-11,NEW-3,2024-06-02,5\n")  # fmt: skip
    result = load_file(linked, "transactions", orders)
    assert (result.loaded, result.erased) == (1, 2)


def test_cli_prints_the_erased_count(linked: Workspace, files, runner) -> None:
    erase_customer(linked, VICTIM)
    path = linked.path
    linked.close()
    out = runner.invoke(app, ["ingest", "customers", str(files["customers"]), "-w", str(path)])
    assert out.exit_code == 0, out.output
    assert "erased" in out.output and "1 rows of erased customers refused" in out.output
    linked.con = duckdb.connect(str(Path(path) / DB_NAME))


# 7. export and erase by e-mail or anonymous id answered "unknown customer"
@pytest.mark.parametrize(
    "identifier", [VICTIM, EMAIL, EMAIL.upper(), PHONE, "+447700900777", ANON, OLD_ID]
)
def test_export_and_erase_accept_any_identifier(linked: Workspace, identifier: str) -> None:
    data = export_customer(linked, identifier)
    assert data["customers"][0]["customer_id"] == VICTIM
    assert {r["transaction_id"] for r in data["transactions"]} == set(ORDERS)
    assert len(data["order_items"]) == 3 and len(data["rejected_rows"]) == 1
    done = erase_customer(linked, identifier)
    assert done.customer_id == VICTIM and done["customers"] == 1
    with pytest.raises(DataError, match=r"unknown customer .*erased before"):
        erase_customer(linked, identifier)
    with pytest.raises(DataError, match="unknown customer"):
        export_customer(linked, VICTIM)


def test_an_identifier_shared_by_two_customers_is_refused(linked: Workspace) -> None:
    linked.con.execute("UPDATE customers SET phone = ? WHERE customer_id = ?", [PHONE, CONTROL])
    with pytest.raises(DataError, match="names 2 customers"):
        erase_customer(linked, "+447700900777")
    assert _count(linked, "SELECT count(*) FROM customers") == 2


def test_cli_erases_by_email(linked: Workspace, runner) -> None:
    path = linked.path
    linked.close()
    done = runner.invoke(app, ["privacy", "erase", EMAIL, "-w", str(path), "--yes"])
    assert done.exit_code == 0, done.output
    assert f"erased {EMAIL}: 21 rows" in done.output and "mentions redacted" in done.output
    again = runner.invoke(app, ["privacy", "export", ANON, "-w", str(path)])
    assert again.exit_code == 1 and "unknown customer" in again.output
    linked.con = duckdb.connect(str(Path(path) / DB_NAME))


# the table list is derived from the schema, and a new table must be placed on purpose
def test_every_table_is_covered_by_erasure(linked: Workspace) -> None:
    assert uncovered(linked.engine) == []
    catalog = {
        r[0]
        for r in linked.con.execute(
            "SELECT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t"
            " USING (database_name, schema_name, table_name) WHERE NOT c.internal"
            " AND NOT t.temporary AND c.schema_name = 'main'"
            " AND c.database_name = current_database() AND c.column_name = 'customer_id'"
        ).fetchall()
    }
    assert set(customer_tables(DuckDBEngine(linked.con))) | {"customers"} == catalog
    assert "survey_responses" in catalog and not catalog & set(WITHOUT_CUSTOMER_ROWS)
    assert not set(SPECIAL) & set(WITHOUT_CUSTOMER_ROWS)


def test_a_new_table_with_customer_data_is_noticed(linked: Workspace) -> None:
    linked.con.execute("CREATE TABLE loyalty_cards (card_no VARCHAR, holder_email VARCHAR)")
    assert uncovered(linked.engine) == ["loyalty_cards"]
    linked.con.execute("CREATE TABLE loyalty_points (customer_id VARCHAR, points INTEGER)")
    linked.con.execute("INSERT INTO loyalty_points VALUES (?, 10), (?, 20)", [VICTIM, CONTROL])
    linked.con.execute(
        "INSERT INTO loyalty_cards VALUES ('L1', ?), ('L2', ?)", [EMAIL, CONTROL_EMAIL]
    )
    done = erase_customer(linked, VICTIM)
    assert done["loyalty_points"] == 1 and done.redacted["loyalty_cards"] == 1
    assert linked.con.execute("SELECT holder_email FROM loyalty_cards ORDER BY 1").fetchall() == [
        ("[erased]",),
        (CONTROL_EMAIL,),
    ]


def test_control_customer_is_untouched(linked: Workspace) -> None:
    before = export_customer(linked, CONTROL)
    erase_customer(linked, VICTIM)
    after = export_customer(linked, CONTROL)
    referral = next(e for e in before["events"] if e["message_id"] == "ctl-ev-2")
    referral["properties"] = (
        '{"friend_email":"[erased]","note":"call [erased] or [erased]","sms":"[erased]"}'
    )
    assert after == before
    assert os.path.exists(Path(linked.path) / KEY_NAME)


def test_wide_survey_export_refuses_the_customers_answers(
    linked: Workspace, tmp_path: Path
) -> None:
    erase_customer(linked, VICTIM)
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "respondent_id,customer_id,us: nps,us: quality\n"
        f"R-0777,{VICTIM},9,8\n"  # the erased customer: both answers refused
        f"R-9001,{EMAIL},7,\n"  # keyed by their e-mail: refused
        f"R-0888,{CONTROL},4,6\n"
    )
    result = load_file(linked, "surveys", wide, layout="wide")
    assert (result.rows_read, result.loaded, result.erased) == (5, 2, 3)
    assert _count(linked, "SELECT count(*) FROM survey_responses WHERE customer_id = ?",
                  [CONTROL]) == 3  # fmt: skip
