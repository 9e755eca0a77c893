"""Rule segments: SQL predicates over the customer profile, checked before they run.

A rule is an expression, never a statement: it is tokenised with DuckDB's own tokenizer and
refused when it holds a statement keyword (``SELECT``, ``FROM``, ``DROP``...), a ``;`` or a
comment, then bound against the segment table, so a misspelt column is named in the error
(with the closest profile columns) instead of failing half-way through a run.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from cvm._exceptions import ConfigError
from cvm.segments.settings import Rule, lineage, read_settings

if TYPE_CHECKING:
    from cvm.workspace import Workspace

FORBIDDEN = frozenset(
    [
        "select",
        "from",
        "with",
        "union",
        "intersect",
        "except",
        "insert",
        "update",
        "delete",
        "drop",
        "create",
        "alter",
        "attach",
        "detach",
        "copy",
        "pragma",
        "install",
        "load",
        "call",
        "set",
        "reset",
        "export",
        "import",
        "into",
        "table",
        "over",
        "window",
        "returning",
        "truncate",
        "vacuum",
        "checkpoint",
        "begin",
        "commit",
        "rollback",
        "use",
    ]
)
_UNKNOWN = re.compile(r'Referenced column "([^"]+)" not found')
_FIRST_LINE = re.compile(r"^[^:]*Error: ")


def guard(expression: str, label: str) -> None:
    """Refuse anything but one expression (no statement keywords, ``;`` or comments)."""
    if not expression.strip():
        raise ConfigError(f"{label}: the expression is empty")
    try:
        tokens = duckdb.tokenize(expression)
    except Exception as exc:  # the tokenizer's own error for unterminated strings
        raise ConfigError(f"{label}: cannot parse {expression!r}: {exc}") from exc
    for i, (start, kind) in enumerate(tokens):
        end = tokens[i + 1][0] if i + 1 < len(tokens) else len(expression)
        text = expression[start:end].strip()
        if kind == duckdb.token_type.comment:
            raise ConfigError(f"{label}: comments are not allowed in {expression!r}")
        if kind == duckdb.token_type.keyword and text.lower() in FORBIDDEN:
            raise ConfigError(
                f"{label}: {text.upper()} is not allowed; a rule is one expression over the"
                f' profile columns, e.g. "clv > 500 AND consent_email" (got {expression!r})'
            )
        if kind == duckdb.token_type.operator and ";" in text:
            raise ConfigError(f"{label}: ';' is not allowed in {expression!r}")


def check_expression(
    con: duckdb.DuckDBPyConnection, table: str, expression: str, label: str
) -> None:
    """Guard ``expression`` and bind it as a per-row boolean against ``table``'s columns."""
    guard(expression, label)
    try:
        con.execute(
            f"SELECT customer_id, CAST(({expression}) AS BOOLEAN) FROM {table} LIMIT 0"
        ).fetchall()
    except duckdb.Error as exc:
        raise _explain(con, table, expression, label, exc) from exc


def _explain(
    con: duckdb.DuckDBPyConnection, table: str, expression: str, label: str, exc: Exception
) -> ConfigError:
    message = str(exc)
    unknown = _UNKNOWN.search(message)
    if unknown:
        column = unknown.group(1)
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        close = difflib.get_close_matches(column, columns, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return ConfigError(
            f"{label}: unknown column {column!r} in {expression!r}{hint}"
            " (profile columns are listed in README, 'Rule segments')"
        )
    first = _FIRST_LINE.sub("", message.splitlines()[0])
    if isinstance(exc, duckdb.ParserException):
        return ConfigError(f"{label}: cannot parse {expression!r}: {first}")
    if "GROUP BY" in message or "aggregate" in message.lower():
        first = "aggregates are not allowed: a rule is evaluated on each customer's row"
    return ConfigError(f"{label}: {expression!r} is not a per-customer condition: {first}")


def rule_expression(rule: Rule, rules: dict[str, Rule]) -> str:
    """The rule's own condition AND its ancestors' (NULL counts as false)."""
    return " AND ".join(f"coalesce(({r.where}), false)" for r in reversed(lineage(rule, rules)))


def check_rules(con: duckdb.DuckDBPyConnection, table: str, rules: dict[str, Rule]) -> None:
    """Check every rule against ``table``; the first bad one raises naming the segment."""
    for rule in rules.values():
        check_expression(con, table, rule.where, f"segment {rule.name!r}")


def membership_sql(table: str, rules: dict[str, Rule]) -> str:
    """One boolean column per rule (quoted names were checked by ``parse_rules``)."""
    columns = ", ".join(f'{rule_expression(r, rules)} AS "{r.name}"' for r in rules.values())
    return f"SELECT customer_id{', ' + columns if columns else ''} FROM {table}"


def evaluate_rules(
    ws: Workspace,
    rules: dict[str, Rule] | None = None,
    as_of: date | str | None = None,
    *,
    table: str | None = None,
) -> pd.DataFrame:
    """Membership of every customer in every rule segment as of a day.

    Parameters
    ----------
    ws : the workspace.
    rules : rule segments (default: ``[segments.rules]`` of cvm.toml).
    as_of : the day (default: the last transaction's day); ignored when ``table`` is given.
    table : an existing segment table on ``ws.con`` (as made by
        :func:`cvm.segments.segment_table`) to evaluate on instead of building one.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with one boolean column per segment; a customer can
    be in several (segments overlap) and a child's members are always members of its parent.
    """
    if rules is None:
        rules = read_settings(ws.config.section("segments")).rules
    if table is None:
        table = _segment_table(ws, as_of)
    check_rules(ws.con, table, rules)
    frame = ws.con.execute(membership_sql(table, rules) + " ORDER BY customer_id").df()
    return frame.set_index("customer_id")


def select(ws: Workspace, expression: str, as_of: date | str | None = None) -> pd.Index:
    """Ids of the customers for whom ``expression`` is true as of a day.

    ``expression`` is a rule over the segment table's columns (the profile columns plus
    ``r_score, f_score, m_score, rfm, rfm_segment, tier, lifecycle``), e.g.
    ``"lifecycle = 'at_risk' AND clv > 100 AND consent_email"``.
    """
    table = _segment_table(ws, as_of)
    check_expression(ws.con, table, expression, "rule")
    ids = ws.con.execute(
        f"SELECT customer_id FROM {table} WHERE coalesce(({expression}), false)"
        " ORDER BY customer_id"
    ).fetchall()
    return pd.Index([r[0] for r in ids], name="customer_id", dtype=object)


def _segment_table(ws: Workspace, as_of: date | str | None) -> str:
    from cvm.segments.assign import default_as_of, segment_table

    return segment_table(ws, as_of if as_of is not None else default_as_of(ws))
