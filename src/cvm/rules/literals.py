"""Warn when a rule compares a text column with a value no customer has.

``lifecycle = 'at-risk'`` (the stage is ``at_risk``) is a valid rule that selects nobody: the
run succeeds and the campaign goes out empty. Whatever evaluates rules calls
:func:`unseen_values` on the same rows and warns, listing the values that do occur.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from cvm.settings import suggest

if TYPE_CHECKING:
    import pyarrow as pa

    from cvm.rules.guard import CheckedRule

__all__ = ["RuleWarning", "unseen_values", "warn_unseen"]

SHOWN = 8  # values listed in a warning


class RuleWarning(UserWarning):
    """A rule that runs but cannot do what it says (it selects nobody)."""


def _compared(tree: exp.Expression) -> Iterator[tuple[str, str]]:
    """(column, text) for every ``column = 'text'`` and ``column IN ('text', ...)``."""
    for node in tree.find_all(exp.EQ, exp.In):
        if isinstance(node, exp.In):
            column, values = node.this, node.expressions
        else:
            pair = (node.this, node.expression)
            column = next((side for side in pair if isinstance(side, exp.Column)), None)
            values = [side for side in pair if side is not column]
        if not isinstance(column, exp.Column):
            continue
        for value in values:
            if isinstance(value, exp.Literal) and value.is_string:
                yield column.name, value.this


def _text_values(data: pa.Table, name: str) -> list[str] | None:
    """The distinct values of a text column of ``data`` (None: not a text column)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = {c.lower(): c for c in data.column_names}.get(name.lower())
    if found is None:
        return None
    column = data[found]
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    return sorted(str(v) for v in pc.unique(column).to_pylist() if v is not None)


def unseen_values(data: pa.Table, rules: Mapping[str, CheckedRule]) -> list[str]:
    """One message per text value a rule compares with that no row of ``data`` holds.

    >>> import pyarrow as pa
    >>> from cvm.rules import check
    >>> rule = check("lifecycle = 'at-risk'", "segment 'x'", ["lifecycle"])
    >>> data = pa.table({"customer_id": ["1", "2"], "lifecycle": ["active", "at_risk"]})
    >>> unseen_values(data, {"x": rule})  # doctest: +NORMALIZE_WHITESPACE
    ["segment 'x': lifecycle = 'at-risk' matches no customer; lifecycle holds
      'active', 'at_risk'; did you mean at_risk?"]
    """
    if data.num_rows == 0:
        return []
    notes = []
    for rule in rules.values():
        for column, value in _compared(rule.tree()):
            values = _text_values(data, column)
            if values is None or value in values:
                continue
            listed = ", ".join(repr(v) for v in values[:SHOWN])
            more = f" and {len(values) - SHOWN:,} more" if len(values) > SHOWN else ""
            held = f"{column} holds {listed}{more}" if values else f"{column} is always empty"
            hint = suggest(value, values) if len(values) <= 1000 else ""
            close = hint if hint.startswith("; did you mean") else ""  # the values are listed
            notes.append(f"{rule.label}: {column} = {value!r} matches no customer; {held}{close}")
    return notes


def warn_unseen(data: pa.Table, rules: Mapping[str, CheckedRule]) -> None:
    """:func:`unseen_values` as :class:`RuleWarning` s (the CLI prints each as a warning)."""
    for note in unseen_values(data, rules):
        warnings.warn(note, RuleWarning, stacklevel=3)
