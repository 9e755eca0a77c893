"""The house's rules, checked on the source: layers, the engine seam, SQL files, file sizes."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot

SRC = Path(__file__).resolve().parents[1] / "src" / "cvm"
SEAM = ("engines", "workspace")

# Files outside the seam that may still reach the driver, each with its reason.
DRIVER_EXCEPTIONS: dict[str, str] = {}

_DRIVER = re.compile(r"^\s*(import duckdb|from duckdb)|\.con\.execute|\bws\.con\b|\.native\b", re.M)


def _python_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def _relative(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def test_import_layers_hold():
    """The import-linter contracts in pyproject.toml: shells -> jobs -> blocks -> store."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        capture_output=True,
        text=True,
        cwd=SRC.parents[1],
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_no_driver_calls_outside_the_engine_seam():
    found = []
    for path in _python_files():
        rel = _relative(path)
        if rel.split("/")[0] in SEAM or rel in DRIVER_EXCEPTIONS:
            continue
        for match in _DRIVER.finditer(path.read_text(encoding="utf-8")):
            line = path.read_text(encoding="utf-8").count("\n", 0, match.start()) + 1
            found.append(f"{rel}:{line}: {match.group(0).strip()}")
    assert not found, "\n".join(found)


def test_exceptions_still_need_the_driver():
    """An exception that no longer reaches the driver is taken off the list."""
    stale = [f for f in DRIVER_EXCEPTIONS if not _DRIVER.search((SRC / f).read_text())]
    assert not stale


@pytest.mark.parametrize(
    "path",
    sorted(SRC.rglob("*.sql")),
    ids=lambda p: p.relative_to(SRC).as_posix(),
)
def test_every_sql_file_parses_with_sqlglot(path):
    trees = sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb")
    assert any(t is not None for t in trees)


def test_sql_files_live_in_sql_folders():
    misplaced = [
        _relative(p)
        for p in SRC.rglob("*.sql")
        if p.parent.name != "sql" and _relative(p).split("/")[:2] != ["workspace", "migrations"]
    ]
    assert not misplaced


def test_no_python_file_over_400_lines():
    sizes = {_relative(p): len(p.read_text().splitlines()) for p in _python_files()}
    long = {name: n for name, n in sizes.items() if n > 400}
    assert not long


def test_no_imports_of_private_names_across_modules():
    found = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cvm"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{_relative(path)}: from {node.module} import {alias.name}")
    assert not found, "\n".join(found)


def test_sql_text_is_never_patched_by_replace():
    """Structure varies on the SQLGlot tree (cvm.engines.fill), never by text replacement."""
    pattern = re.compile(r"(sql_file|load_sql)\([^)]*\)\s*\.\s*(text\s*\.\s*)?replace\(")
    found = [_relative(p) for p in _python_files() if pattern.search(p.read_text())]
    assert not found
    assert not (SRC / "_sql.py").exists()


def _sql_paths() -> list[Path]:
    return sorted(SRC.rglob("*.sql"))


def test_sql_binds_parameters_by_name_only():
    import sqlglot.expressions as exp

    found = []
    for path in _sql_paths():
        for tree in sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb"):
            for p in tree.find_all(exp.Placeholder) if tree else ():
                if not p.name or p.name.isdigit():
                    found.append(f"{_relative(path)}: positional parameter")
    assert not found, "\n".join(found)


def test_every_sql_file_is_loaded_by_its_package():
    unused = []
    for path in _sql_paths():
        if path.parent.name != "sql":
            continue
        package = path.parent.parent
        source = "\n".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py"))
        # a file may be named by its kind or part: f"{kind.name}_status.sql" (or
        # f"{kind.name}_{kind.write}.sql" with write = "upsert"), f"attribute_source_{part}.sql"
        words = path.stem.split("_")
        splits = [("_".join(words[:i]), "_".join(words[i:])) for i in range(1, len(words))]
        named = [f'"{path.name}"']
        named += [f'_{tail}.sql"' for _, tail in splits] + [f'"{tail}"' for _, tail in splits]
        named += [f"{head}_{{" for head, _ in splits]
        if not any(n in source for n in named):
            unused.append(_relative(path))
    assert not unused, "\n".join(unused)


def _module_name(path: Path) -> str:
    parts = ["cvm", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_two_modules_import_each_other():
    """Module-level imports only: a lazy import inside a function breaks no load order."""
    names = {_module_name(p): p for p in _python_files()}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cvm"):
                module = node.module or ""
                deps |= {f"{module}.{a.name}" for a in node.names} & names.keys() or {module}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("cvm")}
        graph[name] = {d for d in deps if d in names and d != name}
    pairs = sorted(
        f"{a} <-> {b}"
        for a, deps in graph.items()
        for b in deps
        if a < b
        and a in graph.get(b, ())
        and not b.startswith(a + ".")
        and not a.startswith(b + ".")
    )
    assert not pairs, "\n".join(pairs)
