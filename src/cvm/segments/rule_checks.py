"""Rules checked against a built table: the guard of :mod:`cvm.rules` plus a type check.

Both the RFM map (:mod:`cvm.segments.assign`) and the rule segments (:mod:`cvm.segments.rules`)
check their expressions here, before anything is evaluated or written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvm.engines import fill, sql_file
from cvm.rules import CheckedRule, bind, check

if TYPE_CHECKING:
    from cvm.engines import Engine
    from cvm.segments.settings import Rule

__all__ = ["check_expression", "check_rules", "table_columns"]


def table_columns(engine: Engine, table: str) -> list[str]:
    """The columns a rule over ``table`` may name."""
    return [str(c) for c in engine.frame(fill(sql_file(__package__, "table_columns.sql"),
                                              table=table)).columns]  # fmt: skip


def check_expression(engine: Engine, table: str, expression: str, label: str) -> CheckedRule:
    """Guard ``expression`` (:func:`cvm.rules.check`) and type-check it against ``table``."""
    checked = check(expression, label, table_columns(engine, table))
    bind(engine, table, {label: checked})
    return checked


def check_rules(engine: Engine, table: str, rules: dict[str, Rule]) -> dict[str, CheckedRule]:
    """Check every rule against ``table``; the first bad one raises naming the segment."""
    columns = table_columns(engine, table)
    checked = {n: check(r.where, f"segment {n!r}", columns) for n, r in rules.items()}
    bind(engine, table, checked)
    return checked
