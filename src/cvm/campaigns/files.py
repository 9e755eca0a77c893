"""Files a campaign is imported from: their reader, their columns, and cell expressions.

A file is read as CSV (every column as text) or Parquet by a statement of ``sql/``; its
columns are known before anything is staged, so a missing one is named up front. The
expressions over one cell (text, raw line, outcome value) are written once in
``sql/cells.sql`` and placed on the staging statements' trees.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["cell", "file_columns", "named", "raw_line", "reader"]

_PARQUET = (".parquet", ".pq")


def reader(path: Path) -> exp.Expression:
    """The statement reading ``path`` (bound as ``$path``): Parquet, else CSV as text."""
    name = "read_parquet.sql" if path.name.lower().endswith(_PARQUET) else "read_csv_text.sql"
    return sql_file(__package__, name).tree()


def file_columns(ws: Workspace, path: Path, what: str) -> list[str]:
    """The columns of ``path``; an unreadable file is an ``IngestError`` naming it."""
    if not path.exists():
        raise IngestError(f"{path}: no such file")
    query = fill(sql_file(__package__, "file_columns.sql"), source=reader(path))
    try:
        return [str(c) for c in ws.engine.arrow(query, {"path": str(path)}).column_names]
    except ws.engine.error as exc:
        raise IngestError(f"{path}: cannot read {what}: {exc}") from exc


def cell(kind: str, column: str | exp.Expression) -> exp.Expression:
    """The ``kind`` expression of ``sql/cells.sql`` (``text_value``, ``raw_value``,
    ``varchar_value``, ``outcome_value``) over ``column``."""
    tree = fill(sql_file(__package__, "cells.sql"), cell=column)
    for item in tree.expressions:
        if item.alias == kind:
            return item.this
    raise KeyError(kind)


def raw_line(columns: Sequence[str]) -> exp.Expression:
    """The cells of ``columns`` joined by commas: the raw line kept with a rejected row."""
    parts = [cell("raw_value", c) for c in columns]
    comma = exp.Literal.string(",")

    def join(left: exp.Expression, right: exp.Expression) -> exp.Expression:
        return exp.DPipe(this=exp.DPipe(this=left, expression=comma), expression=right)

    return reduce(join, parts)


def named(expression: exp.Expression, name: str) -> exp.Expression:
    """``expression AS "name"``: a select item under a quoted name."""
    return exp.Alias(this=expression, alias=exp.to_identifier(name, quoted=True))
