"""SQL files: ``<package>/sql/<name>.sql``, read once, parsed by SQLGlot when asked.

One convention for every package. Parameters are named (``$as_of``) and bound by the engine,
never formatted in. Where a statement varies in structure (a column chosen by the user, a list
of columns, a source table), the file names a hole with a placeholder identifier such as
``__column__`` and :func:`fill` replaces it on the parsed tree, quoting what it puts in: text
is never spliced into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast

import sqlglot
import sqlglot.expressions as exp

from cvm._exceptions import CvmError

READ_DIALECT = "duckdb"


@dataclass(frozen=True)
class Query:
    """One SQL file (one or more statements) shipped with a package."""

    package: str
    name: str
    text: str = field(repr=False)

    def statements(self) -> list[exp.Expression]:
        """The file's statements as SQLGlot trees (a fresh copy each time)."""
        return [t.copy() for t in _parse(self.text) if t is not None]

    def tree(self) -> exp.Expression:
        """The single statement of this file as a SQLGlot tree (a fresh copy)."""
        trees = self.statements()
        if len(trees) != 1:
            raise CvmError(f"{self} holds {len(trees)} statements, not one")
        return trees[0]

    def __str__(self) -> str:
        return f"{self.package.replace('.', '/')}/sql/{self.name}"


def sql_file(package: str | None, name: str) -> Query:
    """The SQL file ``name`` in ``package``'s ``sql`` folder: ``sql_file(__package__, "x.sql")``."""
    if not package:
        raise CvmError(f"sql_file({name!r}) called outside a package")
    return _read(package, name)


@cache
def _read(package: str, name: str) -> Query:
    text = resources.files(package).joinpath("sql", name).read_text(encoding="utf-8")
    return Query(package, name, text)


@cache
def _parse(text: str) -> tuple[exp.Expression | None, ...]:
    return tuple(cast("exp.Expression | None", t) for t in sqlglot.parse(text, read=READ_DIALECT))


Hole = exp.Expression | str | Sequence[exp.Expression | str]


def fill(query: Query | exp.Expression, **holes: Hole) -> exp.Expression:
    """The tree of ``query`` with each ``__name__`` placeholder replaced.

    A value is a SQLGlot expression, a column name (a str, quoted as an identifier), or a
    sequence of either. A sequence may stand only where a list may: a select list, a GROUP BY,
    a function's arguments; there the placeholder becomes the items. A placeholder used as a
    table (``FROM __source__``) takes a table name or a subquery.
    """
    tree = query.tree() if isinstance(query, Query) else query.copy()
    wanted = {f"__{name}__": value for name, value in holes.items()}
    seen: set[str] = set()
    for node in list(tree.find_all(exp.Column, exp.Table)):
        key = node.name
        if key not in wanted or (isinstance(node, exp.Column) and node.table):
            continue
        seen.add(key)
        _put(node, wanted[key])
    missing = sorted(set(wanted) - seen)
    if missing:
        raise CvmError(f"{query}: no placeholder {', '.join(missing)}")
    return tree


def _put(node: exp.Expression, value: Hole) -> None:
    items = [value] if isinstance(value, str | exp.Expression) else list(value)
    built = [_as_expression(node, v) for v in items]
    if len(built) == 1:
        node.replace(built[0])
        return
    parent: Any = node.parent
    key = str(node.arg_key)
    siblings = parent.args.get(key) if parent is not None else None
    if not isinstance(siblings, list):
        raise CvmError(f"placeholder {node.name} stands where a list cannot")
    at = siblings.index(node)
    parent.set(key, siblings[:at] + built + siblings[at + 1 :])


def _as_expression(node: exp.Expression, value: exp.Expression | str) -> exp.Expression:
    if isinstance(value, exp.Expression):
        if isinstance(node, exp.Table) and isinstance(value, exp.Query):
            return value.subquery(node.alias or None)
        return value.copy()
    if isinstance(node, exp.Table):
        return exp.Table(this=exp.to_identifier(value, quoted=True), alias=node.args.get("alias"))
    return exp.column(value, quoted=True)


def column_list(names: Sequence[str]) -> list[exp.Expression]:
    """Quoted column references, for a hole that takes a list."""
    return [exp.column(n, quoted=True) for n in names]


def select_item(query: Query | exp.Expression, alias: str, **params: str) -> exp.Expression:
    """The first select item of ``query``, aliased ``alias``, each ``$old`` parameter renamed.

    For a list hole with one column per value (a channel's share, a key's JSON path): the
    file holds one item with a parameter; each copy binds its own (``channel="ch_0"``).
    """
    tree = query.tree() if isinstance(query, Query) else query.copy()
    if not isinstance(tree, exp.Select) or not tree.selects:
        raise CvmError(f"{query}: not a SELECT")
    first = tree.selects[0]
    value = first.this if isinstance(first, exp.Alias) else first
    for node in value.find_all(exp.Placeholder):
        if node.name in params:
            node.set("this", params[node.name])
    return cast(exp.Expression, exp.alias_(value, alias, quoted=True))
