"""`cvm rejects` lists what loads refused; a load names every reason and how to fix dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from tabular_helpers import DATA, rejected
from typer.testing import CliRunner

from cvm.cli import app
from cvm.ingest import load_file
from cvm.ingest.date_hints import guess_date_format
from cvm.ingest.rejects import list_rejects, reject_summary
from cvm.workspace import Workspace


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    from cvm.cli._common import console

    monkeypatch.setattr(console, "width", 300)  # long reasons and raw rows in full


def _bad_load(tmp_path: Path) -> tuple[str, str, list[tuple[int, str, str]]]:
    with Workspace.create(tmp_path / "w") as ws:
        result = load_file(ws, "transactions", DATA / "transactions_bad.csv")
        refused = rejected(ws, result.load_id)
    return str(tmp_path / "w"), result.load_id, refused


def _table_rows(output: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_rejects_lists_file_line_reason_and_raw(tmp_path: Path, runner: CliRunner, wide) -> None:
    ws, load_id, refused = _bad_load(tmp_path)
    assert len(refused) == 8
    out = runner.invoke(app, ["rejects", "-w", ws, "--load", load_id, "--limit", "100"])
    assert out.exit_code == 0, out.output
    cells = _table_rows(out.output)
    listed = [(int(r[1]), r[3], r[2]) for r in cells if r[0].endswith("transactions_bad.csv")]
    assert listed == refused  # every refused row: line, raw, reason
    summary = [r for r in cells if len(r) == 4 and not r[0].endswith(".csv")]
    by_reason = {r[0]: int(r[1]) for r in summary}
    expected: dict[str, int] = {}
    for _, _, reason in refused:
        key = reason.split(":")[0]
        expected[key] = expected.get(key, 0) + 1
    assert by_reason == expected
    assert "8 refused rows; 8 listed" in out.output


def test_rejects_filters_by_reason_kind_and_limit(tmp_path: Path, runner: CliRunner, wide) -> None:
    ws, _, refused = _bad_load(tmp_path)
    currency = runner.invoke(app, ["rejects", "-w", ws, "--load", "last", "--reason", "CURRENCY"])
    assert currency.exit_code == 0, currency.output
    lines = sorted(int(r[1]) for r in _table_rows(currency.output) if r[0].endswith(".csv"))
    assert lines == [line for line, _, reason in refused if "currency" in reason]
    other = runner.invoke(app, ["rejects", "-w", ws, "--kind", "customers"])
    assert other.exit_code == 0 and "no refused rows match" in other.output
    summary_only = runner.invoke(app, ["rejects", "-w", ws, "--limit", "0"])
    assert "8 refused rows; 0 listed (--limit 8 to list them all)" in summary_only.output
    out = tmp_path / "all.csv"
    written = runner.invoke(app, ["rejects", "-w", ws, "--limit", "1", "--out", str(out)])
    assert written.exit_code == 0 and "8 rows written" in written.output
    assert len(out.read_text().strip().splitlines()) == 1 + 8


def test_library_readers(tmp_path: Path) -> None:
    _, load_id, refused = _bad_load(tmp_path)
    with Workspace.open(tmp_path / "w") as ws:
        frame = list_rejects(ws, load_id="last", limit=None)
        assert list(frame.columns) == ["load_id", "kind", "source", "line", "reason", "raw"]
        assert set(frame["load_id"]) == {load_id} and len(frame) == len(refused)
        summary = reject_summary(ws, reason="timestamp")
        assert set(summary["reason"]) == {"unparseable timestamp", "far-future timestamp"}


def test_a_load_prints_every_reason_not_the_top_five(tmp_path: Path, runner: CliRunner) -> None:
    Workspace.create(tmp_path / "w").close()
    out = runner.invoke(
        app,
        ["ingest", "transactions", str(DATA / "transactions_bad.csv"), "-w", str(tmp_path / "w")],
    )
    assert out.exit_code == 0, out.output
    with Workspace.open(tmp_path / "w") as ws:
        reasons = {r[2].split(":")[0] for r in rejected(ws)}
        (load_id,) = {r[0] for r in ws.con.execute("SELECT load_id FROM loads").fetchall()}
    assert len(reasons) == 7  # more than the five shown before
    shown = {r[0] for r in _table_rows(out.output) if len(r) == 2}
    assert reasons <= shown
    assert f"cvm rejects --load {load_id}" in out.output


def test_more_reasons_than_shown_are_counted_with_the_command(capsys) -> None:
    from cvm.cli.ingest import SHOWN_REASONS, _show
    from cvm.ingest.result import LoadResult

    many = [(f"reason {i}", 20 - i) for i in range(SHOWN_REASONS + 3)]
    result = LoadResult("transactions", "x.csv", "L1", rows_read=200, rejected=200,
                        top_reasons=many)  # fmt: skip
    _show(result)
    text = capsys.readouterr().out
    hidden = sum(n for _, n in many[SHOWN_REASONS:])
    assert f"and 3 more reasons ({hidden} rows): cvm rejects --load L1" in text


def test_day_first_dates_suggest_the_date_format(tmp_path: Path, runner: CliRunner, wide) -> None:
    src = tmp_path / "eu.csv"
    src.write_text(
        "order_id,customer_id,order_date,amount\n"
        "A1,C1,31/12/2024,10.00\nA2,C2,01/02/2025,5.00\nA3,C3,15/03/2025,7.00\n"
    )
    Workspace.create(tmp_path / "w").close()
    ws = ["-w", str(tmp_path / "w")]
    out = runner.invoke(app, ["ingest", "transactions", str(src), *ws])
    assert out.exit_code == 1  # nothing loaded
    assert "hint: timestamps such as" in out.output
    assert '--date-format "%d/%m/%Y"' in out.output
    with Workspace.open(tmp_path / "w") as w:
        reasons = [r[2] for r in rejected(w)]
    assert len(reasons) == 3
    assert all(r.endswith('; try --date-format "%d/%m/%Y"') for r in reasons)
    again = runner.invoke(app, ["ingest", "transactions", str(src), *ws,
                                "--date-format", "%d/%m/%Y"])  # fmt: skip
    assert again.exit_code == 0, again.output
    with Workspace.open(tmp_path / "w") as w:
        assert w.table_counts()["transactions"] == 3


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["31/12/2024", "1/2/2025"], ("%d/%m/%Y", None)),
        (["12/31/2024 10:30", "2/1/2025 08:00"], ("%m/%d/%Y %H:%M", None)),
        (["01/02/2025", "03/04/2025"], ("%d/%m/%Y", "%m/%d/%Y")),  # either: both are named
        (["19970101", "19970118"], ("%Y%m%d", None)),
        (["31.12.2024 23:59:59"], ("%d.%m.%Y %H:%M:%S", None)),
        (["3 Jan 2025", "28 Feb 2025"], ("%d %b %Y", None)),
        (["garbage", "nonsense"], None),
    ],
)
def test_guessed_formats(values: list[str], expected: tuple[str, str | None] | None) -> None:
    assert guess_date_format(values) == expected
