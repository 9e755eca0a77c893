"""Parse a rule with SQLGlot, walk its tree against the allow-list, render what was checked.

Only the rendered tree ever runs, so text the parser skipped (or read differently from DuckDB)
cannot reach the database. Checking needs no database at all: nothing is executed here.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from cvm._exceptions import ConfigError
from cvm.rules.allowlist import CAST_TYPES, OPERATORS, allowed_function_keys, function_key

__all__ = ["HINT", "CheckedRule", "check"]

HINT = (
    "a rule is one expression over the profile columns with operators, CASE, CAST and the"
    " functions listed in README ('Rule language')"
)
_STATEMENTS = {
    exp.Subquery: "a subquery",
    exp.Select: "SELECT",
    exp.Union: "UNION",
    exp.Pivot: "PIVOT",
    exp.Values: "VALUES",
    exp.Show: "SHOW",
    exp.Describe: "DESCRIBE",
    exp.Pragma: "PRAGMA",
    exp.Set: "SET",
    exp.Star: "*",
    exp.Window: "a window (OVER)",
    exp.Lambda: "a lambda",
    exp.Placeholder: "a parameter",
    exp.Parameter: "a parameter",
    exp.Table: "a table",
    exp.Dot: "a qualified name",
    exp.Array: "a list literal",
}


@dataclass(frozen=True)
class CheckedRule:
    """A rule that passed the guard: what the user wrote and the SQL that will run.

    label : names the rule in messages (``segment 'vip'``, ``offer 'X' eligible``).
    text : the expression as written.
    sql : the checked tree rendered for DuckDB (identifiers quoted).
    columns : the profile columns it reads, spelt as in the profile.
    """

    label: str
    text: str
    sql: str
    columns: frozenset[str]

    def tree(self) -> exp.Expression:
        """The checked expression as a SQLGlot tree, to build a statement around it."""
        return cast(exp.Expression, sqlglot.parse_one(self.sql, read="duckdb"))


def check(expression: str, label: str, columns: Collection[str] | None = None) -> CheckedRule:
    """Refuse anything but one allow-listed expression over ``columns``.

    ``columns`` are the profile's columns (any case); ``None`` skips the column check (no
    profile yet) but still refuses every construct outside the allow-list. Raises
    ``ConfigError`` with one line naming ``label`` and the construct refused.
    """
    if not isinstance(expression, str) or not expression.strip():
        raise ConfigError(f"{label}: the expression is empty")
    shown = _shown(expression)
    try:
        trees = sqlglot.parse(expression, read="duckdb")
    except SqlglotError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise ConfigError(f"{label}: cannot parse {shown}: {first}") from None
    statements = [t for t in trees if t is not None]
    if len(statements) != 1:
        raise ConfigError(f"{label}: ';' is not allowed in {shown}: {HINT}")
    tree = statements[0]
    known = {c.lower(): c for c in columns} if columns is not None else None
    used: set[str] = set()
    for node in tree.walk():
        assert isinstance(node, exp.Expression)
        if node.comments:
            raise ConfigError(f"{label}: comments are not allowed in {shown}")
        refused = _refused(node, known, used)
        if refused:
            what, why = refused
            if what.startswith("unknown column"):  # say which columns exist
                raise ConfigError(f"{label}: {what} in {shown}{why}")
            raise ConfigError(f"{label}: {what} is not allowed in {shown}: {why}")
    return CheckedRule(
        label, expression, tree.sql(dialect="duckdb", identify=True), frozenset(used)
    )


def _refused(
    node: exp.Expression, known: dict[str, str] | None, used: set[str]
) -> tuple[str, str] | None:
    """What in ``node`` may not be in a rule and why, or None when it may."""
    if isinstance(node, exp.Column):
        if node.table or node.args.get("db") or node.args.get("catalog"):
            return node.sql(), "name profile columns without a qualifier"
        name = str(node.name)
        if known is None:
            used.add(name)
            return None
        if name.lower() not in known:
            close = difflib.get_close_matches(name.lower(), list(known), n=3)
            hint = f"; did you mean {', '.join(known[c] for c in close)}?" if close else ""
            return (
                f"unknown column {name!r}",
                f"{hint} (profile columns are listed in README, 'Rule segments')",
            )
        used.add(known[name.lower()])
        return None
    if isinstance(node, exp.Identifier):
        return None if isinstance(node.parent, exp.Column) else _not_allowed(node)
    if isinstance(node, exp.AggFunc):
        return _name(node), "aggregates are not allowed, a rule is evaluated on each customer's row"
    if isinstance(node, exp.Func) and not isinstance(node, OPERATORS):
        return None if function_key(node) in allowed_function_keys() else _not_allowed(node)
    if isinstance(node, exp.DataType):
        if not isinstance(node.parent, exp.Cast | exp.TryCast | exp.DataType):
            return _not_allowed(node)
        return None if node.this in CAST_TYPES else (f"CAST to {node.sql()}", HINT)
    if isinstance(node, exp.DataTypeParam):
        return None if isinstance(node.this, exp.Literal) else _not_allowed(node)
    if isinstance(node, exp.Var):
        parents = exp.Func | exp.Interval | exp.Extract
        return None if isinstance(node.parent, parents) else _not_allowed(node)
    if isinstance(node, exp.Bracket):
        ok = isinstance(node.this, exp.Column) and all(
            isinstance(e, exp.Literal) for e in node.expressions
        )
        return None if ok else (node.sql(), "index a column with a literal")
    if isinstance(node, exp.JSONExtract | exp.JSONExtractScalar):
        return None if isinstance(node.this, exp.Column) else _not_allowed(node)
    if isinstance(node, exp.JSONPath | exp.JSONPathPart):
        return None
    if isinstance(node, exp.In) and (node.args.get("query") or node.args.get("unnest")):
        return _name(node.args.get("query") or node.args["unnest"]), HINT
    if isinstance(node, OPERATORS):
        return None
    return _not_allowed(node)


def _not_allowed(node: exp.Expression) -> tuple[str, str]:
    return _name(node), HINT


def _name(node: exp.Expression) -> str:
    """The construct as a user would name it: ``read_csv()``, ``PIVOT``, ``a subquery``."""
    if isinstance(node, exp.Anonymous):
        return f"{str(node.name).lower()}()"
    if isinstance(node, exp.Func):
        return f"{node.sql_name().lower()}()"
    if isinstance(node, exp.Subquery):  # name what it would have run
        inside: list[str] = []
        for n in node.walk():
            telling = isinstance(n, exp.Select | exp.Pivot | exp.Values | exp.Union | exp.Func)
            if (
                n is not node
                and telling
                and isinstance(n, exp.Expression)
                and (name := _name(n)) not in inside
            ):
                inside.append(name)
        return f"a subquery ({', '.join(inside[:5])})" if inside else "a subquery"
    for kind, name in _STATEMENTS.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def _shown(expression: str) -> str:
    """The expression quoted for a one-line message (long ones cut)."""
    text = expression if len(expression) <= 200 else expression[:197] + "..."
    return repr(text)
