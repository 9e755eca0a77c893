"""The command tree: every module exports its Typer app and the root only composes them."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path
from typing import Any

import typer
import typer.main

import cvm.cli
from cvm.cli import app

# Every command of `cvm`, as users type them (the tree before each module exported its app).
COMMANDS = {
    "init", "info", "rejects", "simulate", "fit", "score", "evaluate", "demo", "segment",
    "segments", "migration", "kpis", "plan", "explain", "report", "dashboard", "serve", "export",
    "publish",
    "ingest transactions", "ingest order-items", "ingest customers", "ingest subscriptions",
    "ingest surveys", "ingest events", "ingest reviews",
    "privacy export", "privacy erase", "privacy compact",
    "churn train", "churn score",
    "survey value-map", "survey nps", "survey csat",
    "campaign create", "campaign build", "campaign export", "campaign measure", "campaign list",
    "campaign plan", "campaign import", "campaign import-results", "campaign uplift",
    "campaign suppress",
    "offers validate",
    "keys create", "keys list", "keys revoke",
    "runs import",
}  # fmt: skip


def _walk(command: Any, prefix: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Each leaf command's path and its sorted option names."""
    if hasattr(command, "commands"):
        found: dict[str, list[str]] = {}
        for name, sub in command.commands.items():
            found |= _walk(sub, (*prefix, name))
        return found
    return {" ".join(prefix): sorted(o for p in command.params for o in p.opts)}


def test_every_command_keeps_its_name() -> None:
    tree = _walk(typer.main.get_command(app))
    assert set(tree) == COMMANDS


def test_tables_take_format_and_output() -> None:
    tree = _walk(typer.main.get_command(app))
    for path in ("info", "kpis", "segments", "rejects", "campaign list", "ingest transactions"):
        assert {"--format", "--output", "--workspace"} <= set(tree[path]), path


def test_the_root_only_composes_the_modules_apps() -> None:
    root = Path(cvm.cli.__file__)
    tree = ast.parse(root.read_text(encoding="utf-8"))
    calls = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    assert "command" not in calls  # no command registered here
    modules = [m.name for m in pkgutil.iter_modules(cvm.cli.__path__) if not m.name.startswith("_")]
    for name in modules:
        module = __import__(f"cvm.cli.{name}", fromlist=["app"])
        assert isinstance(module.app, typer.Typer), name
