"""Tables of every command as a table, CSV or JSON, to the screen or a file, never cut."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from cvm.cli import app
from cvm.workspace import Workspace

VENDORS = Path(__file__).parent / "data" / "vendors"


def _ws(tmp_path: Path) -> list[str]:
    path = tmp_path / ("a-rather-long-workspace-folder-name-" * 3).rstrip("-")
    Workspace.create(path).close()
    return ["-w", str(path)]


def test_info_as_json_and_csv_matches_the_table_counts(runner, tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    out = runner.invoke(
        app,
        [
            "ingest",
            "customers",
            str(VENDORS / "hubspot_contacts.csv"),
            "--profile",
            "hubspot-contacts",
            *ws,
        ],
    )
    assert out.exit_code == 0, out.output
    as_json = runner.invoke(app, ["info", "--format", "json", *ws])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    counts = {r["table"]: r["rows"] for r in doc["rows"]}
    assert counts["customers"] == 4 and counts["transactions"] == 0
    as_csv = runner.invoke(app, ["info", "--format", "csv", *ws])
    frame = pd.read_csv(io.StringIO(as_csv.stdout))
    assert list(frame.columns) == ["table", "rows"]
    assert dict(zip(frame["table"], frame["rows"], strict=True)) == counts


def test_ingest_result_to_a_file_keeps_stdout_for_messages(runner, tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    target = tmp_path / "load.json"
    out = runner.invoke(
        app,
        [
            "ingest",
            "transactions",
            str(VENDORS / "stripe_charges.csv"),
            "--profile",
            "stripe-charges",
            "--format",
            "json",
            "--output",
            str(target),
            *ws,
        ],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(target.read_text())
    assert doc["rows"][0]["loaded"] == 4 and doc["rows"][0]["rows read"] == 4
    assert "{" not in out.stdout  # the table went to the file only


def test_several_tables_as_csv_files(runner, tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    runner.invoke(
        app,
        [
            "ingest",
            "transactions",
            str(VENDORS / "salesforce_opportunities.csv"),
            "--profile",
            "salesforce-opportunities",
            *ws,
        ],
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,ts,amount\nC1,2024-01-01,x\nC2,2024-01-02,5\n")
    target = tmp_path / "out.csv"
    out = runner.invoke(
        app, ["ingest", "transactions", str(bad), "--format", "csv", "--output", str(target), *ws]
    )
    assert out.exit_code == 0, out.output
    first = pd.read_csv(target)
    assert (first.loc[0, "loaded"], first.loc[0, "rejected"]) == (1, 1)
    reasons = pd.read_csv(tmp_path / "out_2.csv")
    assert reasons.loc[0, "reason"] == "non-numeric amount" and reasons.loc[0, "rows"] == 1


def test_piped_tables_are_not_cut_to_80_columns(runner, tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    out = runner.invoke(app, ["info", *ws])
    assert out.exit_code == 0
    assert str(ws[1]) in out.stdout  # the whole path in the title, on one line
    assert "…" not in out.stdout


def test_unknown_format_is_one_line(runner, tmp_path: Path) -> None:
    out = runner.invoke(app, ["info", "--format", "xml", *_ws(tmp_path)])
    assert out.exit_code == 1
    assert "--format 'xml': use table, csv or json" in out.output


def test_workspace_from_the_environment(runner, tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    out = runner.invoke(app, ["info", "--format", "json"], env={"CVM_WORKSPACE": ws[1]})
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["title"].startswith(f"workspace {ws[1]} ")
    elsewhere = runner.invoke(app, ["info", "--format", "json", *ws], env={"CVM_WORKSPACE": "."})
    assert json.loads(elsewhere.stdout)["title"] == json.loads(out.stdout)["title"]  # -w wins


def test_rejects_as_csv_and_data_printed_as_it_is(runner, tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    bad = tmp_path / "bad.csv"
    # a raw row holding rich markup, a refund and a $0 order; two rows refused
    bad.write_text(
        "customer_id,ts,amount\n[bold]C1[/bold],2024-01-01,x\n007,2024-01-02,-5\n"
        "008,2024-01-02,0\nC9,not a day,3\n"
    )
    loaded = runner.invoke(app, ["ingest", "transactions", str(bad), *ws])
    assert loaded.exit_code == 0, loaded.output
    as_csv = runner.invoke(app, ["rejects", "--format", "csv", *ws])
    assert as_csv.exit_code == 0, as_csv.output
    listing, by_reason = (
        pd.read_csv(io.StringIO(part.split("\n", 1)[1]))
        for part in as_csv.stdout.split("\n\n")
        if part.strip()
    )
    assert list(listing.columns) == ["file", "line", "reason", "raw"]
    assert sorted(listing["line"]) == [2, 5]  # the header is line 1
    assert by_reason["rows"].sum() == 2 and list(by_reason.columns)[:2] == ["reason", "rows"]
    assert "2 refused rows; 2 listed" in as_csv.stderr
    table = runner.invoke(app, ["rejects", *ws])
    assert "[bold]C1[/bold],2024-01-01,x" in table.stdout  # not read as markup
