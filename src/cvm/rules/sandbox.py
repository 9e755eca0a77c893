"""Evaluate checked rules on a locked in-memory database fed only the columns they read.

The workspace connection reads and writes files (ingest, exports), so it cannot have external
access switched off. Rules run instead in a separate DuckDB database with external access off
and its configuration locked (:func:`cvm.workspace.connection.locked_memory`); the profile rows
are handed over as an Arrow table, so even a construct the guard missed finds no file, no
setting and no workspace table to reach.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd
import sqlglot.expressions as exp

from cvm._exceptions import ConfigError, DataError
from cvm.engines import DuckDBEngine, Engine, fill, select_item, sql_file
from cvm.engines.sql import column_list
from cvm.rules.guard import CheckedRule
from cvm.rules.literals import warn_unseen
from cvm.workspace.connection import locked_memory

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["bind", "evaluate", "evaluate_arrow"]

_FIRST_LINE = re.compile(r"^[^:]*Error: ")
KEY = "customer_id"


def _frame(
    engine: Engine, table: str, rules: Mapping[str, CheckedRule], *, empty: bool = False
) -> pa.Table:
    wanted = sorted({KEY}.union(*(r.columns for r in rules.values())))
    tree = fill(sql_file(__package__, "columns.sql"), columns=column_list(wanted), table=table)
    if empty and isinstance(tree, exp.Select):
        tree = tree.limit(0)
    return engine.arrow(tree)


def _condition(rule: CheckedRule) -> exp.Expression:
    """``SELECT <rule, NULL as false> AS holds FROM profile``."""
    return fill(sql_file(__package__, "condition.sql"), rule=rule.tree())


def bind(engine: Engine, table: str, rules: Mapping[str, CheckedRule]) -> None:
    """Type-check every rule against ``table``'s columns without reading a row.

    A rule that is not a per-customer condition (a string compared to a number, a list used
    as a boolean) is refused naming it, before anything is evaluated or written.
    """
    if not rules:
        return
    data = _frame(engine, table, rules, empty=True)
    with _box(data) as box:
        for rule in rules.values():
            try:
                box.rows(_condition(rule))
            except box.error as exc:
                raise ConfigError(
                    f"{rule.label}: {rule.text!r} is not a per-customer condition: {_first(exc)}"
                ) from None


def evaluate(engine: Engine, table: str, rules: Mapping[str, CheckedRule]) -> pd.DataFrame:
    """One boolean column per rule (NULL counts as false), indexed by ``customer_id``.

    ``table`` is read on ``engine`` (only ``customer_id`` and the columns the rules name); the
    rules run on a locked database. A rule that fails on the data (a CAST that does not
    convert) raises ``DataError`` naming the rule.
    """
    return evaluate_arrow(_frame(engine, table, rules), rules)


def evaluate_arrow(data: pa.Table, rules: Mapping[str, CheckedRule]) -> pd.DataFrame:
    """:func:`evaluate` over rows already in an Arrow table (``customer_id`` and columns).

    >>> import pyarrow as pa
    >>> from cvm.rules import check
    >>> rules = {"big": check("clv > 100", "segment 'big'", ["clv"])}
    >>> data = pa.table({"customer_id": ["007", "042"], "clv": [250.0, None]})
    >>> evaluate_arrow(data, rules)["big"].to_dict()
    {'007': True, '042': False}
    """
    names = list(rules)
    conditions = [select_item(_condition(rules[n]), f"r{i}") for i, n in enumerate(names)]
    with _box(data) as box:
        try:
            frame = box.frame(fill(sql_file(__package__, "evaluate.sql"), conditions=conditions))
        except box.error as failed:
            for name in names:  # find the rule that fails, to name it
                try:
                    box.rows(_condition(rules[name]))
                except box.error as exc:
                    rule = rules[name]
                    raise DataError(
                        f"{rule.label}: {rule.text!r} failed on the customers' data: {_first(exc)}"
                    ) from None
            raise DataError(f"rules failed on the customers' data: {_first(failed)}") from None
    frame.columns = [KEY, *names]
    warn_unseen(data, rules)
    return frame.set_index(KEY).astype(bool)


@contextmanager
def _box(data: pa.Table) -> Iterator[Engine]:
    """A locked in-memory database holding ``data`` as the view ``profile``, as an engine."""
    con = locked_memory()
    try:
        box = DuckDBEngine(con)
        with box.register("profile", data):
            yield box
    finally:
        con.close()


def _first(exc: Exception) -> str:
    return _FIRST_LINE.sub("", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
