"""File-level header problems: a column named twice, a customer file keyed by e-mail."""

from __future__ import annotations

from pathlib import Path

import pytest
from tabular_helpers import rows
from typer.testing import Result

from cvm import IngestError
from cvm.cli import app
from cvm.ingest import load_file
from cvm.workspace import Workspace


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("customer_id,email,country,email", "'email'"),
        ("customer_id;Email;country;email", "'Email/email'"),
    ],
)
def test_a_column_named_twice_is_refused_by_name(
    workspace: Workspace, tmp_path: Path, header: str, named: str
) -> None:
    sep = ";" if ";" in header else ","
    path = tmp_path / "crm.csv"
    path.write_text(f"{header}\n" + sep.join(["0042", "a@x.com", "FR", "b@x.com"]) + "\n")
    with pytest.raises(IngestError, match=f"names column {named} twice"):
        load_file(workspace, "customers", path)
    assert rows(workspace, "SELECT count(*) FROM customers") == [(0,)]
    assert rows(workspace, "SELECT count(*) FROM loads") == [(0,)]


def _cli_ingest(runner, workspace: Workspace, path: Path, kind: str, text: str) -> Result:
    """Write ``text`` to ``path`` and load it with `cvm ingest` (the workspace closed first)."""
    path.write_text(text)
    workspace.close()
    return runner.invoke(app, ["ingest", kind, str(path), "--workspace", str(workspace.path)])


def test_cli_exits_1_on_a_duplicate_header(runner, workspace: Workspace, tmp_path: Path) -> None:
    text = "transaction_id,customer_id,ts,amount,amount\nT1,C1,2024-01-01,5,6\n"
    result = _cli_ingest(runner, workspace, tmp_path / "tx.csv", "transactions", text)
    assert result.exit_code == 1
    assert "names column 'amount' twice" in result.output


def test_customers_keyed_by_email_say_so(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Email,First Name,country\nann@x.com,Ann,FR\nbob@x.com,Bob,DE\n")
    result = load_file(workspace, "customers", path)
    assert result.loaded == 2
    assert len(result.notes) == 1
    assert "keyed by the e-mail column 'Email'" in result.notes[0]
    with_id = tmp_path / "with_id.csv"
    with_id.write_text("customer_id,email\n0042,ann@x.com\n")
    assert load_file(workspace, "customers", with_id).notes == []
    mapped = load_file(workspace, "customers", path, columns={"customer_id": "Email"})
    assert mapped.notes == []


def test_cli_prints_the_email_key_note(runner, workspace: Workspace, tmp_path: Path) -> None:
    text = "email,country\nann@x.com,FR\n"
    result = _cli_ingest(runner, workspace, tmp_path / "contacts.csv", "customers", text)
    assert result.exit_code == 0, result.output
    assert "note: no customer id column: customers are keyed by the e-mail column" in (
        " ".join(result.output.split())
    )
