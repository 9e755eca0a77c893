"""The parts of erasure on their own, on small hand-written inputs: how identifiers are matched
in text, which rows of another table are redacted, what happens to each kind of file in the
workspace. Fast (no workspace is loaded), so mutation testing runs them first.

Every expectation is written out by hand: the expected text after redaction, the rows left, the
files listed.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from cvm import DataError
from cvm.engines import DuckDBEngine
from cvm.ingest import load_file
from cvm.privacy import (
    compact_workspace,
    compaction_pending,
    erase_customer,
    erase_customers,
    export_customer,
)
from cvm.privacy.redact import redact_files, redact_rows
from cvm.privacy.subject import Subject, collect, drop, phone_digits
from cvm.workspace import Workspace

EMAIL = "Pat.Doe@Example.com"
PHONE = "+44 7700 900777"
CID = "C0042"
OLD = "C0042.OLD"  # a merged-away id that starts with the customer id


@pytest.fixture
def pat() -> Subject:
    return Subject(
        CID,
        ids=[CID, OLD, "anon-9f", EMAIL, EMAIL.lower(), PHONE],
        emails=[EMAIL, EMAIL.lower()],
        phones=[PHONE],
        orders=["ORD-7", "ORD-77"],
    )


def _erase(pattern: str | None, text: str) -> str:
    """What redaction writes: every whole-word match replaced, until none is left."""
    assert pattern is not None
    for _ in range(4):
        text = re.sub(pattern, r"\g<1>[erased]\g<3>", text)
    return text


# ------------------------------------------------------------------ identifiers in text


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("+44 7700 900777", "447700900777"),
        ("  +1 (555) 000-1234 ", "15550001234"),
        ("0044.7700.900777", "00447700900777"),
        ("123456", "123456"),
        ("12345", None),  # too short to be a phone number
        ("pat@example.com", None),
        ("C0042", None),
        ("7700 900777x", None),
    ],
)
def test_phone_digits(value: str, digits: str | None) -> None:
    assert phone_digits(value) == digits


def test_emails_and_phones_are_matched_as_written_anywhere(pat: Subject) -> None:
    text = pat.quoting(ids=False)
    assert _erase(text, "mail PAT.DOE@EXAMPLE.COM or call +44 (7700) 900-777.") == (
        "mail [erased] or call [erased]."
    )
    assert _erase(text, "sms 447700900777, again 447700900777") == "sms [erased], again [erased]"
    # ids are not looked for in text unless asked: C0042 may be anyone's text
    assert _erase(text, "C0042 anon-9f") == "C0042 anon-9f"
    # part of a longer word or address is not a mention
    for other in ("xpat.doe@example.com", "pat.doe@example.community", "1447700900777"):
        assert _erase(text, f"see {other}") == f"see {other}", other


def test_ids_are_matched_as_whole_words_the_longest_first(pat: Subject) -> None:
    ids = pat.quoting(ids=True)
    assert _erase(ids, f"{OLD} merged") == "[erased] merged"  # not "[erased].OLD merged"
    assert _erase(ids, f"{CID},{CID};anon-9f") == "[erased],[erased];[erased]"
    assert _erase(ids, "C00421 XC0042 c0042") == "C00421 XC0042 c0042"
    assert _erase(ids, f"<b>{CID}</b>") == "<b>[erased]</b>"


def test_short_phone_numbers_and_an_empty_subject_match_nothing() -> None:
    assert Subject("C1", phones=["12-34"]).quoting(ids=False) is None
    assert Subject("C1").quoting(ids=True) is None
    assert Subject("C1").orders_quoting() is None
    assert Subject("C1").json_ids() is None
    six = Subject("C1", phones=["12-34-56"]).quoting(ids=False)
    assert _erase(six, "call 123456") == "call [erased]"


def test_order_ids_are_matched_as_whole_words(pat: Subject) -> None:
    orders = pat.orders_quoting()
    assert _erase(orders, "ORD-77,ORD-7,ORD-777,XORD-7") == "[erased],[erased],ORD-777,XORD-7"
    assert _erase(orders, "ORD-77.") == "[erased]."
    # a split shipment: the longer id extends the shorter one past a dot, so it is tried first
    split = Subject(CID, orders=["1001", "1001.2"]).orders_quoting()
    assert _erase(split, "1001.2,1001.") == "[erased],[erased]."


def test_json_ids_match_whole_strings_only(pat: Subject) -> None:
    ids = pat.json_ids()
    assert ids is not None
    doc = f'{{"a":"{OLD}","b":"{CID}","c":"{CID}x","d":"anon-9f"}}'
    assert re.sub(ids, '"[erased]"', doc) == (
        '{"a":"[erased]","b":"[erased]","c":"C0042x","d":"[erased]"}'
    )


# ------------------------------------------------------------------ rows of other tables


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE notes (id INTEGER, body VARCHAR, doc JSON, n INTEGER)")
    con.execute(
        "INSERT INTO notes VALUES"
        " (1, 'from pat.doe@example.com and PAT.DOE@EXAMPLE.COM', NULL, 1),"
        ' (2, \'"C0042" called\', \'{"ref":"C0042"}\', 2),'
        " (3, 'someone else', '{\"ref\":\"C00420\"}', 3),"
        " (4, 'pat.doe@example.com pat.doe@example.com pat.doe@example.com', NULL, 4),"
        " (5, 'a referral', '{\"phone\":\"+447700900777\"}', 5)"
    )
    # the erasure log and the schema version are never rewritten
    con.execute("CREATE TABLE erasures (id_hash VARCHAR)")
    con.execute("INSERT INTO erasures VALUES ('pat.doe@example.com')")
    con.execute("CREATE TABLE schema_version (note VARCHAR)")
    con.execute("INSERT INTO schema_version VALUES ('pat.doe@example.com')")
    # a view is not a table: it cannot be updated and repeats the rows of its table
    con.execute("CREATE VIEW note_bodies AS SELECT body FROM notes")
    con.execute('CREATE TABLE "odd name" (v VARCHAR)')
    con.execute("INSERT INTO \"odd name\" VALUES ('pat.doe@example.com')")
    return con


def test_mentions_in_other_rows_are_redacted(con, pat: Subject) -> None:
    changed = redact_rows(DuckDBEngine(con), pat)
    assert changed == {"notes": 4}  # rows 1 and 4 (text), 2 (an id in JSON), 5 (phone in JSON)
    rows = con.execute("SELECT id, body, doc::VARCHAR FROM notes ORDER BY id").fetchall()
    assert rows == [
        (1, "from [erased] and [erased]", None),
        (2, '"C0042" called', '{"ref":"[erased]"}'),  # ids only in JSON columns
        (3, "someone else", '{"ref":"C00420"}'),
        (4, "[erased] [erased] [erased]", None),
        (5, "a referral", '{"phone":"[erased]"}'),
    ]
    assert con.execute("SELECT typeof(doc) FROM notes WHERE id = 2").fetchall() == [("JSON",)]
    assert con.execute("SELECT * FROM erasures").fetchall() == [("pat.doe@example.com",)]
    assert con.execute("SELECT * FROM schema_version").fetchall() == [("pat.doe@example.com",)]
    assert con.execute('SELECT * FROM "odd name"').fetchall() == [("pat.doe@example.com",)]


def test_a_subject_with_ids_only_touches_json(con) -> None:
    changed = redact_rows(DuckDBEngine(con), Subject("C0042", ids=["C0042"]))
    assert changed == {"notes": 1}
    assert con.execute("SELECT body FROM notes WHERE id = 2").fetchall() == [('"C0042" called',)]


def test_nothing_to_look_for_changes_nothing(con) -> None:
    before = con.execute("SELECT * FROM notes ORDER BY id").fetchall()
    assert redact_rows(DuckDBEngine(con), Subject("C0042")) == {}
    assert con.execute("SELECT * FROM notes ORDER BY id").fetchall() == before


# ------------------------------------------------------------------ files of the workspace


def _rows(path: Path, delimiter: str, encoding: str = "utf-8") -> list[list[str]]:
    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _parquet(path: Path, rows: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (customer_id VARCHAR, email VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", rows)
    con.execute("COPY t TO $p (FORMAT parquet)", {"p": str(path)})
    con.close()


def _read_parquet(path: Path) -> list[tuple[str, str]]:
    con = duckdb.connect()
    try:
        return con.execute("SELECT * FROM read_parquet($p) ORDER BY 1", {"p": str(path)}).fetchall()
    finally:
        con.close()


def test_each_kind_of_file(tmp_path: Path, pat: Subject, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # nothing is read or written relative to the current folder
    root = tmp_path / "ws"
    (root / "exports").mkdir(parents=True)
    (root / "report").mkdir()
    (root / "models").mkdir()
    (root / "data").mkdir()
    # cvm's own files at the top are left alone (the database is rebuilt instead)
    for own in ("cvm.duckdb", "cvm.duckdb.wal", "erasure.key", "cvm.toml", "cvm.duckdb.compact"):
        (root / own).write_text(f"owner = '{EMAIL}'\n")
    # a campaign export as a spreadsheet saved it: Latin-1, CRLF, the customer's row first, an
    # address over two lines
    latin = root / "exports" / "SPRING.CSV"
    latin.write_bytes(
        f"Email,Name,Address\r\n{EMAIL},Pat,1 Main St\r\n"
        '"kim@example.com",Zoë Müller,"Flat 2\r\n3 High St"\r\n'.encode("latin-1")
    )
    tsv = root / "exports" / "push.tsv"
    tsv.write_text(f'Name\tCustomer\n"Doe, Pat"\t{CID}\n"Smith, Kim"\tC0099\n')
    page = root / "report" / "index.html"
    page.write_text(f"<td>{CID}</td><td>{EMAIL},{EMAIL.upper()}</td><td>C0099</td>")
    blob = root / "models" / "scores.bin"
    blob.write_bytes(b"\x00\x01" + CID.encode() + b"\x00")
    quiet = root / "report" / "other.html"
    quiet.write_text("<td>C0099</td>")
    _parquet(root / "models" / "scores.parquet", [(CID, EMAIL), ("C0099", "kim@example.com")])
    _parquet(root / "models" / "others.parquet", [("C0099", "kim@example.com")])
    _parquet(root / "data" / "mine.parquet", [(CID, EMAIL)])
    mine = root / "data" / "crm.csv"
    mine.write_text(f"id,email\n{CID},{EMAIL}\n")
    loose = root / "report.txt"  # at the top, not in a folder cvm writes
    loose.write_text(f"about {EMAIL}")
    named = root / "published"  # a file, not the folder of that name
    named.write_text(f"{CID}\n")

    done = redact_files(root, pat)

    assert done.redacted == sorted([latin, tsv, page, root / "models" / "scores.parquet"])
    assert done.removed == [blob]
    assert done.not_ours == sorted([mine, root / "data" / "mine.parquet", named, loose])
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert files == {
        "cvm.duckdb", "cvm.duckdb.wal", "erasure.key", "cvm.toml", "cvm.duckdb.compact",
        "exports/SPRING.CSV", "exports/push.tsv", "report/index.html", "report/other.html",
        "models/scores.parquet", "models/others.parquet", "data/mine.parquet", "data/crm.csv",
        "report.txt", "published",
    }  # fmt: skip
    for own in ("cvm.duckdb", "cvm.toml", "erasure.key"):
        assert (root / own).read_text() == f"owner = '{EMAIL}'\n"
    assert _rows(latin, ",", "latin-1") == [
        ["Email", "Name", "Address"],
        ["kim@example.com", "Zoë Müller", "Flat 2\r\n3 High St"],
    ]
    assert _rows(tsv, "\t") == [["Name", "Customer"], ["Smith, Kim", "C0099"]]
    assert page.read_text() == "<td>[erased]</td><td>[erased],[erased]</td><td>C0099</td>"
    assert quiet.read_text() == "<td>C0099</td>"
    assert _read_parquet(root / "models" / "scores.parquet") == [("C0099", "kim@example.com")]
    assert _read_parquet(root / "models" / "others.parquet") == [("C0099", "kim@example.com")]
    assert _read_parquet(root / "data" / "mine.parquet") == [(CID, EMAIL)]
    assert mine.read_text() == f"id,email\n{CID},{EMAIL}\n"
    assert loose.read_text() == f"about {EMAIL}"


def test_a_text_file_in_another_encoding_keeps_its_other_bytes(
    tmp_path: Path, pat: Subject
) -> None:
    page = tmp_path / "report" / "index.html"
    page.parent.mkdir()
    page.write_bytes(f"<td>Zoë</td><td>{EMAIL}</td>".encode("latin-1"))
    assert redact_files(tmp_path, pat).redacted == [page]
    assert page.read_bytes() == "<td>Zoë</td><td>[erased]</td>".encode("latin-1")


def test_a_header_naming_the_customer_stays(tmp_path: Path, pat: Subject) -> None:
    export = tmp_path / "exports" / "list.csv"
    export.parent.mkdir()
    export.write_text(f"{CID},C0099\n{CID},x\ny,C0099\n")
    redact_files(tmp_path, pat)
    assert _rows(export, ",") == [[CID, "C0099"], ["y", "C0099"]]
    assert export.read_bytes() == b"C0042,C0099\ny,C0099\n"  # lines end as they did: LF


def test_a_subject_without_identifiers_touches_no_file(tmp_path: Path) -> None:
    page = tmp_path / "report" / "index.html"
    page.parent.mkdir()
    page.write_text("<td></td>")
    done = redact_files(tmp_path, Subject("C0042", ids=[]))
    assert (done.redacted, done.removed, done.not_ours) == ([], [], [])
    assert page.read_text() == "<td></td>"


# ------------------------------------------------------------------ a small shop, end to end


@pytest.fixture(scope="module")
def shop_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two customers, their orders, and refused order rows: one naming the customer by id.

    Loaded once per module; each test erases in its own copy (``shop``).
    """
    tmp_path = tmp_path_factory.mktemp("shop")
    ws = Workspace.create(tmp_path / "Pat's shop")  # a folder name with an apostrophe
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "customer_id,email,phone,first_seen\n"
        f'{CID},{EMAIL},"{PHONE}",2024-01-02\n'
        'C0099,kim@example.com,"+44 7700 900999",2024-01-03\n'
    )
    load_file(ws, "customers", crm)
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,created_at,total,note\n"
        f"O-1,{CID},2024-02-01 10:00:00,20.00,\n"
        f"O-6,{CID},2024-02-06 10:00:00,12.00,\n"
        "O-2,C0099,2024-02-02 10:00:00,30.00,\n"
        f"O-3,{CID},2024-02-03 10:00:00,abc,\n"  # refused: the amount
        f"O-4,,2024-02-04 10:00:00,5.00,for {CID}\n"  # refused: no customer id
        "O-5,C0099,2024-02-05 10:00:00,abc,\n"
    )
    assert load_file(ws, "transactions", orders).rejected == 3
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "order_id,line_no,sku,quantity,amount\n"
        "O-1,1,SKU-1,1,20.00\n"
        "O-1,2,SKU-2,x,0.00\n"  # refused: the quantity
        "O-6,1,SKU-3,y,12.00\n"  # refused: the quantity
        "O-2,1,SKU-1,z,30.00\n"  # refused, someone else's order
    )
    assert load_file(ws, "order_items", lines).rejected == 3
    ws.close()
    return Path(ws.path)


@pytest.fixture
def shop(shop_built: Path, tmp_path: Path) -> Iterator[Workspace]:
    shutil.copytree(shop_built, tmp_path / shop_built.name)
    ws = Workspace.open(tmp_path / shop_built.name)
    yield ws
    ws.close()


def _refused(ws: Workspace, kind: str) -> list[str]:
    rows = ws.con.execute(
        "SELECT raw FROM rejected_rows WHERE kind = ? ORDER BY raw", [kind]
    ).fetchall()
    return [str(r[0]) for r in rows]


def test_refused_rows_naming_the_customer_id_are_theirs(shop: Workspace) -> None:
    orders = _refused(shop, "transactions")
    assert len(orders) == 3
    data = export_customer(shop, CID)
    assert sorted(r["raw"] for r in data["rejected_rows"] if r["kind"] == "transactions") == [
        r for r in orders if CID in r
    ]
    assert len(data["rejected_rows"]) == 4  # and two lines of their orders
    assert next(iter(data)) == "customers"
    done = erase_customer(shop, CID)
    assert done["customers"] == 1 and done["transactions"] == 2
    assert _refused(shop, "transactions") == ["O-5,C0099,2024-02-05 10:00:00,abc,"]


def test_refused_lines_of_each_of_the_customers_orders_are_theirs(shop: Workspace) -> None:
    lines = _refused(shop, "order_items")
    assert len(lines) == 3
    data = export_customer(shop, EMAIL)
    assert sorted(r["raw"] for r in data["rejected_rows"] if r["kind"] == "order_items") == [
        r for r in lines if r.startswith(("O-1,", "O-6,"))
    ]
    assert len(data["order_items"]) == 1 and len(data["transactions"]) == 2
    done = erase_customer(shop, PHONE)
    assert done["rejected_rows"] == 4  # two order rows and two lines
    assert _refused(shop, "order_items") == ["O-2,1,SKU-1,z,30.00"]


def _temporary_tables(ws: Workspace) -> list[str]:
    rows = ws.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return sorted(str(r[0]) for r in rows)


def test_a_request_collects_every_identifier_and_order_of_the_customer(shop: Workspace) -> None:
    who = collect(shop.engine, CID)
    # the id, the phone and the e-mail as loaded, and the e-mail in lower case; their two
    # stored orders (O-3 was refused), never C0099's
    assert who.customer_id == CID
    assert sorted(who.ids) == sorted([CID, PHONE, EMAIL, EMAIL.lower()])
    assert sorted(who.emails) == sorted([EMAIL, EMAIL.lower()])
    assert who.phones == [PHONE]
    assert sorted(who.orders) == ["O-1", "O-6"]
    assert _temporary_tables(shop) == ["_pv_identifiers", "_pv_respondents"]
    drop(shop.engine)
    assert _temporary_tables(shop) == []


def test_no_identifier_stays_in_a_temporary_table(shop: Workspace) -> None:
    export_customer(shop, EMAIL)
    assert _temporary_tables(shop) == []
    erase_customer(shop, EMAIL, compact=False)  # the connection stays open
    assert _temporary_tables(shop) == []


def test_what_a_request_that_names_nobody_is_told(shop: Workspace) -> None:
    with pytest.raises(DataError) as blank:
        export_customer(shop, "  ")
    assert str(blank.value) == (
        "unknown customer '': give a customer id, e-mail, phone or other id"
    )
    # no erasure yet (no key): the plain answer, not "erased before"
    with pytest.raises(DataError) as nobody:
        export_customer(shop, "C0100")
    assert str(nobody.value) == "unknown customer 'C0100': no row in any table"
    # after an erasure, with the key lost: no way to tell, so the plain answer too
    erase_customer(shop, "C0099", compact=False)
    (Path(shop.path) / "erasure.key").unlink()
    with pytest.raises(DataError) as keyless:
        export_customer(shop, "C0099")
    assert str(keyless.value) == "unknown customer 'C0099': no row in any table"
    shop.con.execute(
        "INSERT INTO customers (customer_id, phone) SELECT 'C01' || i, ? FROM range(10, 16) t(i)",
        [PHONE],
    )
    with pytest.raises(DataError) as many:
        erase_customer(shop, "+447700900777")
    assert str(many.value) == (
        "'+447700900777' names 7 customers (C0042, C0110, C0111, C0112, C0113):"
        " ask again with one customer id"
    )


def test_several_erasures_are_compacted_once(shop: Workspace) -> None:
    root = Path(shop.path)
    # leftovers of a compaction that was interrupted
    (root / "cvm.duckdb.compact").write_bytes(b"not a database")
    (root / "cvm.duckdb.compact.wal").write_bytes(b"not a log")
    start = time.perf_counter()
    done = erase_customers(shop, [CID, "C0099"])
    elapsed = time.perf_counter() - start
    assert [d.customer_id for d in done] == [CID, "C0099"]
    seconds = done[0].compact_seconds
    assert seconds is not None and 0 < seconds < elapsed
    assert done[1].compact_seconds == seconds
    assert compaction_pending(shop) == 0
    assert shop.con.execute("SELECT count(*) FROM customers").fetchall() == [(0,)]
    data = (root / "cvm.duckdb").read_bytes()
    assert EMAIL.encode() not in data and b"kim@example.com" not in data
    assert sorted(p.name for p in root.iterdir() if "compact" in p.name) == []


def test_an_erasure_left_uncompacted_says_so(shop: Workspace) -> None:
    done = erase_customer(shop, EMAIL, compact=False)
    assert done.customer_id == CID and done.compact_seconds is None
    assert compaction_pending(shop) == 1
    assert compact_workspace(shop) > 0
    assert compaction_pending(shop) == 0
