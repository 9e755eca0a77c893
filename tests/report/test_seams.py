"""Report, privacy, publish and the demo run their SQL through the engine, from SQL files.

The lines that may still reach the DuckDB connection are listed with the reason they must.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

import cvm

SRC = Path(cvm.__file__).parent
PACKAGES = ("report", "privacy", "publish")
MODULES = sorted([p for name in PACKAGES for p in (SRC / name).rglob("*.py")] + [SRC / "demo.py"])
DIRECT = re.compile(r"import duckdb|duckdb\.|\.con\b|\.native\b|load_sql|\.execute\(")

EXCEPTIONS = {
    # compaction replaces the database file and reopens the workspace's connection on it
    ("privacy/compact.py", "ws.con = connect(db)"),
    ("privacy/compact.py", "ws.engine = DuckDBEngine(ws.con)"),
}


def _direct_calls() -> set[tuple[str, str]]:
    found = set()
    for path in MODULES:
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.strip()
            if DIRECT.search(code) and not code.startswith((">>>", "...", "#")):
                found.add((path.relative_to(SRC).as_posix(), code))
    return found


def test_no_module_reaches_the_driver_except_the_listed_lines() -> None:
    assert _direct_calls() == EXCEPTIONS


def test_the_check_sees_a_direct_call(tmp_path: Path) -> None:
    assert DIRECT.search('rows = ws.con.execute("SELECT 1").fetchall()')
    assert DIRECT.search("import duckdb")
    assert not DIRECT.search('ws.engine.rows(sql_file(__package__, "x.sql"))')


SQL_FILES = sorted(p for name in (*PACKAGES, ".") for p in (SRC / name / "sql").glob("*.sql"))


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.relative_to(SRC).as_posix())
def test_every_sql_file_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert [t for t in sqlglot.parse(text, read="duckdb") if t is not None]
    assert "{" not in text, "structural holes are __name__ placeholders filled on the tree"
    assert "?" not in re.sub(r"--.*", "", text), "parameters are named ($name)"


def test_sql_lives_only_in_sql_folders() -> None:
    stray = [p for name in PACKAGES for p in (SRC / name).glob("*.sql")]
    assert stray == []
    assert len(SQL_FILES) >= 50
