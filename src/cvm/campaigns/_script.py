"""Run a ``.sql`` file of several statements with named parameters bound per statement."""

from __future__ import annotations

import re
from typing import Any

import duckdb

from cvm._sql import load_sql

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def run_script(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> None:
    """Execute each statement of ``name`` with the ``$name`` parameters it uses."""
    text = load_sql("cvm.campaigns", name)
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if not statement.strip():
            continue
        used = set(_PARAM.findall(statement))
        con.execute(statement, {k: params[k] for k in used})
