"""Whitespace-delimited exports (the CDNOW log's layout) and files without a header."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tabular_helpers import rejected, rows
from typer.testing import CliRunner

from cvm.cli import app
from cvm.ingest import load_file
from cvm.workspace import Workspace

CDNOW = Path(__file__).parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"

# CDNOW's layout: master id, customer id, YYYYMMDD, CDs bought, dollars; fields padded with
# runs of spaces, a leading space, CRLF line ends, no header. Line 5 is blank; line 7 lacks
# its amount.
SAMPLE = (
    " 00001 0001 19970101  1   11.77\r\n"
    " 00002 0002 19970112  1   12.00\r\n"
    " 00002 0002 19970112  5   77.00\r\n"
    " 00003 0003 19970102  2   20.76\r\n"
    "\r\n"
    " 00003 0003 19970330  2   20.76\r\n"
    " 00004 0004 19970101  2\r\n"
    " 00010 0010 19970421  3   39.31\r\n"
)
COLUMNS = "master_id,customer_id,ts,cds,amount"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "cdnow_like.txt"
    path.write_bytes(SAMPLE.encode())
    return path


def _expected(path: Path) -> list[tuple[str, float]]:
    """(customer_id, amount) of the well-formed lines, read independently by pandas."""
    frame = pd.read_csv(path, sep=r"\s+", header=None, dtype=str, names=COLUMNS.split(","),
                        on_bad_lines="skip")  # fmt: skip
    frame = frame.dropna(subset=["amount"])
    return sorted((c, float(a)) for c, a in zip(frame["customer_id"], frame["amount"], strict=True))


def test_cli_loads_a_whitespace_file_without_header(
    sample: Path, tmp_path: Path, runner: CliRunner
) -> None:
    Workspace.create(tmp_path / "w").close()
    out = runner.invoke(app, ["ingest", "transactions", str(sample), "-w", str(tmp_path / "w"),
                              "--columns", COLUMNS, "--date-format", "%Y%m%d"])  # fmt: skip
    assert out.exit_code == 0, out.output
    with Workspace.open(tmp_path / "w") as ws:
        loaded = rows(ws, "SELECT customer_id, amount FROM transactions ORDER BY 1, 2")
        days = rows(ws, "SELECT DISTINCT CAST(ts AS DATE)::VARCHAR FROM transactions ORDER BY 1")
        refused = rejected(ws)
    assert sorted(loaded) == _expected(sample)  # ids keep their leading zeros
    assert days[0] == ("1997-01-01",) and days[-1] == ("1997-04-21",)
    assert refused == [(7, " 00004 0004 19970101  2", "wrong column count: expected 5, found 4")]


def test_columns_by_position_and_explicit_delimiter(sample: Path, workspace: Workspace) -> None:
    dat = sample.with_suffix(".dat")  # not sniffed: asked for
    dat.write_bytes(sample.read_bytes())
    result = load_file(workspace, "transactions", dat, delimiter="whitespace",
                       columns={"customer_id": "col2", "ts": "col3", "amount": "col5"},
                       date_format="%Y%m%d")  # fmt: skip
    assert (result.rows_read, result.loaded, result.rejected) == (7, 6, 1)
    got = rows(workspace, "SELECT customer_id, amount FROM transactions ORDER BY 1, 2")
    assert sorted(got) == _expected(sample)


def test_a_header_line_names_the_columns(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "orders.txt"
    path.write_text(
        "order_id   customer_id  order_date   amount\n"
        "A1         007          2024-01-05   10.50\n"
        "A2         008          2024-01-06   -3.00\n"
    )
    result = load_file(workspace, "transactions", path)
    assert (result.loaded, result.rejected) == (2, 0)
    assert rows(workspace, "SELECT transaction_id, customer_id, amount FROM transactions"
                           " ORDER BY 1") == [("A1", "007", 10.5), ("A2", "008", -3.0)]  # fmt: skip


def test_compact_dates_suggest_their_format(sample: Path, workspace: Workspace) -> None:
    result = load_file(workspace, "transactions", sample, names=COLUMNS.split(","))
    assert result.loaded == 0
    assert any('--date-format "%Y%m%d"' in h for h in result.hints)


def test_the_cdnow_sample_loads_whole(workspace: Workspace) -> None:
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype=str, names=COLUMNS.split(","))
    result = load_file(workspace, "transactions", CDNOW, names=COLUMNS.split(","),
                       date_format="%Y%m%d")  # fmt: skip
    assert result.rows_read == len(raw) and result.rejected == 0
    customers = rows(workspace, "SELECT count(DISTINCT customer_id) FROM transactions")
    assert customers == [(raw["customer_id"].nunique(),)] == [(2357,)]
    total = rows(workspace, "SELECT round(sum(amount), 2) FROM transactions")[0][0]
    # identical rows without an order id may merge (a separate matter); the total is what loaded
    assert total <= round(raw["amount"].astype(float).sum(), 2)


def test_a_csv_without_header_counts_lines_from_one(tmp_path: Path, workspace: Workspace) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("C1,2024-01-05,10\nC2,2024-01-06,abc\nC3,2024-01-07,5\n")
    result = load_file(workspace, "transactions", path, header=False,
                       columns={"customer_id": "col1", "ts": "col2", "amount": "col3"})  # fmt: skip
    assert (result.loaded, result.rejected) == (2, 1)
    assert rejected(workspace) == [(2, "C2,2024-01-06,abc", "non-numeric amount: abc")]


def test_a_headerless_file_without_names_says_how_to_name_columns(
    sample: Path, workspace: Workspace
) -> None:
    from cvm import IngestError

    with pytest.raises(IngestError, match=r"columns found: col1, col2, col3, col4, col5;") as err:
        load_file(workspace, "transactions", sample)
    assert "--columns a,b,c" in str(err.value) and "--map customer_id=col2" in str(err.value)
    assert rows(workspace, "SELECT count(*) FROM loads") == [(0,)]  # nothing recorded
