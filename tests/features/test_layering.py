"""The seams of the analysis packages, checked on their source: the engine, SQL files, layers.

segments, features, clv, survey and rules run set-based work through ``ws.engine`` (or an
engine they are handed), keep their SQL in ``<package>/sql/*.sql`` with named parameters and
structural holes filled on the SQLGlot tree, and import nothing above them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlglot

import cvm

ROOT = Path(cvm.__file__).parent
PACKAGES = ("segments", "features", "clv", "survey", "rules")
MODULES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).glob("*.py"))
SQL_FILES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg / "sql").glob("*.sql"))


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in the file, function-level ones included."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
    return found


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)


def test_the_files_are_found() -> None:
    assert len(MODULES) > 30 and len(SQL_FILES) > 50


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_driver_no_connection_outside_the_engine(path: Path) -> None:
    modules = {m for m, _ in _imports(path)}
    assert "duckdb" not in modules and "cvm._sql" not in modules
    tree = ast.parse(path.read_text(encoding="utf-8"))
    attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not attributes & {"con", "native", "execute", "executemany", "fetchall"}


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_private_name_of_another_module(path: Path) -> None:
    own = _name(path)
    borrowed = [
        f"{m}.{n}"
        for m, names in _imports(path)
        if m.startswith("cvm.") and m != own
        for n in names
        if n.startswith("_")
    ]
    assert borrowed == []


def test_features_never_reach_up_to_the_jobs() -> None:
    """The profile is SQL only: a CLV fit for it is the CLV job's (cvm.clv.profile)."""
    above = ("cvm.clv", "cvm.segments", "cvm.campaigns", "cvm.decide", "cvm.report", "cvm.cli")
    for path in (ROOT / "features").glob("*.py"):
        reached = [m for m, _ in _imports(path) if m.startswith(above)]
        assert reached == [], path.name


def test_assign_and_rules_do_not_import_each_other() -> None:
    assign = {m for m, _ in _imports(ROOT / "segments" / "assign.py")}
    rules = {m for m, _ in _imports(ROOT / "segments" / "rules.py")}
    assert "cvm.segments.rules" not in assign
    assert "cvm.segments.assign" in rules  # one way only


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_sql_file_parses_and_has_no_text_hole(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert [t for t in sqlglot.parse(text, read="duckdb") if t is not None]
    code = re.sub(r"--[^\n]*|'[^']*'", "", text)  # comments and string literals aside
    assert not re.search(r"/\*[A-Z_]+\*/|\{[a-z_]+\}", code), "a text hole: use __name__"
    assert "?" not in code, "a positional parameter: use $name"


def test_every_sql_file_is_used() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in MODULES)
    unused = [
        f"{p.parent.parent.name}/{p.name}"
        for p in SQL_FILES
        if f'"{p.name}"' not in source and not p.name.startswith("attribute_source_")
    ]
    assert unused == []
