"""The ingest package keeps its shape: work through the engine, SQL in files, no cycles."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlglot

from cvm.engines import Capability, DuckDBEngine, EngineError
from cvm.ingest import load_file
from cvm.ingest.reviews import load_reviews
from cvm.ingest.survey_wide import load_survey_wide
from cvm.workspace import Workspace

PACKAGE = Path(__file__).parents[2] / "src" / "cvm" / "ingest"
MODULES = sorted(PACKAGE.glob("*.py"))

DRIVER = re.compile(
    r"^\s*(import duckdb|from duckdb)|\.con\.execute|\bws\.con\b|\.native\b|load_sql"
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_driver_calls_outside_the_engine(path: Path) -> None:
    hits = [line for line in path.read_text().splitlines() if DRIVER.search(line)]
    assert hits == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_are_short(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 400


@pytest.mark.parametrize("path", sorted((PACKAGE / "sql").glob("*.sql")), ids=lambda p: p.name)
def test_every_sql_file_parses_and_binds_by_name(path: Path) -> None:
    text = path.read_text()
    assert [t for t in sqlglot.parse(text, read="duckdb") if t is not None]
    code = "\n".join(re.sub(r"'[^']*'", "''", line.split("--")[0]) for line in text.splitlines())
    assert "?" not in code, "positional parameter: bind by name ($name)"
    assert not re.search(r"\{[a-z_]+\}", code), "text hole: use a __name__ placeholder"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of each ``from cvm.ingest... import`` in a module."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cvm.ingest"):
            out.append((node.module or "", [a.name for a in node.names]))
    return out


def test_no_private_names_imported_across_modules() -> None:
    private = [
        (p.name, module, name)
        for p in MODULES
        for module, names in _imports(p)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


def test_no_import_cycles_between_ingest_modules() -> None:
    graph: dict[str, set[str]] = {}
    for p in MODULES:
        deps = set()
        for module, names in _imports(p):
            if module == "cvm.ingest":
                deps |= {n for n in names if (PACKAGE / f"{n}.py").exists()}
            else:
                deps.add(module.removeprefix("cvm.ingest."))
        graph[p.stem] = deps - {p.stem}
    graph.pop("__init__", None)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(m for m in graph if reaches(m, m, {m}))
    assert cycles == []
    assert "tabular" not in graph["survey_wide"]


class _NoSniffing(DuckDBEngine):
    capabilities = frozenset(set(Capability) - {Capability.CSV_SNIFF})


def test_file_loads_declare_the_duckdb_only_work(tmp_path: Path) -> None:
    """An engine without CSV sniffing is refused up front, with one line, before any write."""
    orders = tmp_path / "orders.csv"
    orders.write_text("customer_id,date,amount\nC1,2024-01-01,5\n")
    ws = Workspace.create(tmp_path / "ws")
    try:
        ws.engine = _NoSniffing(ws.engine.native)  # type: ignore[attr-defined]
        for load in (
            lambda: load_file(ws, "transactions", orders),
            lambda: load_survey_wide(ws, orders),
            lambda: load_reviews(ws, orders, source="trustpilot"),
        ):
            with pytest.raises(EngineError, match="csv_sniff"):
                load()
        assert ws.engine.scalar("SELECT count(*) FROM loads") == 0
    finally:
        ws.close()
