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

import duckdb
import pandas as pd

from cvm._exceptions import ConfigError, DataError
from cvm.rules.guard import CheckedRule
from cvm.workspace.connection import locked_memory

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["bind", "evaluate", "evaluate_arrow"]

_FIRST_LINE = re.compile(r"^[^:]*Error: ")
KEY = "customer_id"


def _frame(
    con: duckdb.DuckDBPyConnection, table: str, rules: Mapping[str, CheckedRule], limit: str = ""
) -> pa.Table:
    wanted = sorted({KEY}.union(*(r.columns for r in rules.values())))
    listing = ", ".join(f'"{c}"' for c in wanted)
    return con.sql(f"SELECT {listing} FROM {table}{limit}").to_arrow_table()


def _condition(rule: CheckedRule) -> str:
    return f"coalesce(CAST(({rule.sql}) AS BOOLEAN), false)"


def bind(con: duckdb.DuckDBPyConnection, table: str, rules: Mapping[str, CheckedRule]) -> None:
    """Type-check every rule against ``table``'s columns without reading a row.

    A rule that is not a per-customer condition (a string compared to a number, a list used
    as a boolean) is refused naming it, before anything is evaluated or written.
    """
    if not rules:
        return
    data = _frame(con, table, rules, " LIMIT 0")
    with _box(data) as box:
        for rule in rules.values():
            try:
                box.execute(f"SELECT {_condition(rule)} FROM profile").fetchall()
            except duckdb.Error as exc:
                raise ConfigError(
                    f"{rule.label}: {rule.text!r} is not a per-customer condition: {_first(exc)}"
                ) from None


def evaluate(
    con: duckdb.DuckDBPyConnection, table: str, rules: Mapping[str, CheckedRule]
) -> pd.DataFrame:
    """One boolean column per rule (NULL counts as false), indexed by ``customer_id``.

    ``table`` is read on ``con`` (only ``customer_id`` and the columns the rules name); the
    rules run on a locked database. A rule that fails on the data (a CAST that does not
    convert) raises ``DataError`` naming the rule.
    """
    return evaluate_arrow(_frame(con, table, rules), rules)


def evaluate_arrow(data: pa.Table, rules: Mapping[str, CheckedRule]) -> pd.DataFrame:
    """:func:`evaluate` over rows already in an Arrow table (``customer_id`` and columns)."""
    names = list(rules)
    columns = "".join(f', {_condition(rules[n])} AS "r{i}"' for i, n in enumerate(names))
    with _box(data) as box:
        try:
            frame = box.execute(f"SELECT {KEY}{columns} FROM profile").df()
        except duckdb.Error as failed:
            for name in names:  # find the rule that fails, to name it
                try:
                    box.execute(f"SELECT {_condition(rules[name])} FROM profile").fetchall()
                except duckdb.Error as exc:
                    rule = rules[name]
                    raise DataError(
                        f"{rule.label}: {rule.text!r} failed on the customers' data: {_first(exc)}"
                    ) from None
            raise DataError(f"rules failed on the customers' data: {_first(failed)}") from None
    frame.columns = [KEY, *names]
    return frame.set_index(KEY).astype(bool)


@contextmanager
def _box(data: pa.Table) -> Iterator[duckdb.DuckDBPyConnection]:
    """A locked in-memory database holding ``data`` as the view ``profile``."""
    con = locked_memory()
    try:
        con.register("profile", data)
        yield con
    finally:
        con.close()


def _first(exc: Exception) -> str:
    return _FIRST_LINE.sub("", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
