"""cvm.models stays pure numerics: it imports nothing of cvm but its exceptions, no module
borrows another's private names, and no file grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import cvm.models

PACKAGE = Path(cvm.models.__file__).parent
ALLOWED = ("cvm._exceptions", "cvm._limits", "cvm.models")
FILES = sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file, functions' own imports included."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def test_the_rules_see_the_package() -> None:
    assert len(FILES) >= 15
    assert ("cvm._exceptions", ["DataError"]) in _imports(PACKAGE / "_validation.py")


def test_models_import_nothing_of_cvm_but_the_exceptions() -> None:
    outside = [
        f"{path.name}: {module}"
        for path in FILES
        for module, _ in _imports(path)
        if (module == "cvm" or module.startswith("cvm."))
        and not any(module == a or module.startswith(a + ".") for a in ALLOWED)
    ]
    assert not outside


def test_no_module_imports_another_s_private_names() -> None:
    borrowed = [
        f"{path.name}: {name} from {module}"
        for path in FILES
        for module, names in _imports(path)
        if module.startswith("cvm.")
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not borrowed


def test_no_file_is_over_400_lines() -> None:
    long = {
        p.name: n for p in FILES if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long


def test_clv_asks_models_what_they_declare() -> None:
    # the forecasting hooks are declared on TransactionModel, not probed for
    source = (PACKAGE / "clv.py").read_text(encoding="utf-8")
    assert "hasattr(" not in source and "Protocol" not in source
    assert "._alive_part" not in source and "._lifetime_part" not in source
