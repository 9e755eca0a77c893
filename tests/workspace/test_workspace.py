from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cvm import ConfigError, WorkspaceError
from cvm.cli import app
from cvm.workspace import Workspace, current_version, latest_version, migrate
from cvm.workspace.connection import DB_NAME


def test_create_makes_config_and_current_schema(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w", name="shop") as ws:
        assert ws.config.name == "shop"
        assert current_version(ws.con) == latest_version()
        assert {"transactions", "customers", "rejected_rows", "scores"} <= set(ws.table_counts())


def test_create_refuses_existing_workspace(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    with pytest.raises(WorkspaceError, match="already holds a workspace"):
        Workspace.create(tmp_path / "w")


def test_open_missing_workspace_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="cvm init"):
        Workspace.open(tmp_path)


def test_opening_an_older_workspace_migrates_it(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    (root / "cvm.toml").write_text('[workspace]\nname = "old"\n')
    con = duckdb.connect(str(root / DB_NAME))
    assert migrate(con, target=1) == [1]
    con.close()
    with Workspace.open(root) as ws:
        assert current_version(ws.con) == latest_version()
        versions = [r[0] for r in ws.con.execute("SELECT version FROM schema_version").fetchall()]
    assert versions == sorted(set(versions)) and versions[0] == 1 and len(versions) >= 2


def test_newer_schema_than_supported_is_refused(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    con = duckdb.connect(str(tmp_path / "w" / DB_NAME))
    con.execute("INSERT INTO schema_version (version, name) VALUES (9999, 'future')")
    con.close()
    with pytest.raises(WorkspaceError, match="upgrade cvm"):
        Workspace.open(tmp_path / "w")


def test_bad_config_names_the_problem(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    (tmp_path / "w" / "cvm.toml").write_text("[workspace\nname=1")
    with pytest.raises(ConfigError, match=r"cvm\.toml"):
        Workspace.open(tmp_path / "w")


def test_record_run_returns_an_id_stored_in_model_runs(workspace: Workspace) -> None:
    run_id = workspace.record_run("clv", model="bgnbd", params={"r": 0.24})
    row = workspace.con.execute(
        "SELECT kind, model, params->>'r' FROM model_runs WHERE run_id = ?", [run_id]
    ).fetchone()
    assert row == ("clv", "bgnbd", "0.24")


def test_cli_init_and_info(tmp_path: Path, runner) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["info", "-w", str(tmp_path / "w")])
    assert result.exit_code == 0 and "transactions" in result.output


def test_cli_error_is_one_line_without_traceback(tmp_path: Path, runner) -> None:
    result = runner.invoke(app, ["info", "-w", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "not a workspace" in result.output
    assert "Traceback" not in result.output


def test_a_missing_lower_migration_is_applied_once(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    con = duckdb.connect(str(tmp_path / "w" / DB_NAME))
    con.execute("DELETE FROM schema_version WHERE version = 2")
    con.execute("DROP TABLE customer_merges")
    con.close()
    with Workspace.open(tmp_path / "w") as ws:
        versions = [r[0] for r in ws.con.execute("SELECT version FROM schema_version").fetchall()]
        assert sorted(versions) == sorted(set(versions)) and 2 in versions
        assert ws.table_counts()["customer_merges"] == 0


def test_memory_limit_applies_within_the_block_and_is_restored(workspace: Workspace) -> None:
    def current() -> str:
        return str(workspace.engine.scalar("SELECT current_setting('memory_limit')"))

    before = current()
    with workspace.engine.memory_limit("512MB"):
        assert current() in {"512.0 MiB", "488.2 MiB", "512.0 MB"}
    assert current() == before
    with (
        pytest.raises(ConfigError, match="memory limit"),
        workspace.engine.memory_limit("1GB; DROP"),
    ):
        pass
    assert current() == before
    assert workspace.config.load_memory_limit == "1.5GB"


def test_a_cursor_shares_the_open_database_and_closes_alone(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "w")
    cursor = ws.cursor()
    cursor.record_run("segments")
    assert ws.table_counts()["model_runs"] == 1  # the owner sees what a cursor wrote
    cursor.close()
    assert ws.table_counts()["model_runs"] == 1  # and stays open after it closes
    ws.close()
