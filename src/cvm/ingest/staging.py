"""Turn a source (a file or a table) into a SELECT of canonical columns for the validators.

Every loader validates the same shape whatever the source: text columns as VARCHAR, a
timestamp as three columns (``<c>_text`` to parse, ``<c>_naive`` already a wall-clock
timestamp, ``<c>_utc`` already an instant), a number as two (``<c>_text``, ``<c>_num``), plus
``_seq`` (unique order of rows), ``_rec`` (record number in the source, to find line and raw
text of a refused row) and ``_line``/``_raw`` when the source already knows them.

Source column names are file headers: they are quoted here as identifiers, never values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm.engines import Engine, Query, fill, sql_file
from cvm.ingest.kinds import Slot, source_kind

_NUM_PREFIXES: tuple[str, ...] = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "REAL",
)


def column(name: str) -> exp.Column:
    """A source column (a file header) as a quoted column reference."""
    return exp.column(name, quoted=True)


def alias(value: exp.Expr, name: str | exp.Identifier) -> exp.Expression:
    """``value AS name``."""
    return exp.Alias(
        this=value.copy(),
        alias=name if isinstance(name, exp.Identifier) else exp.to_identifier(name),
    )


def _null(type_: str) -> exp.Expression:
    return exp.cast(exp.null(), type_)


def _row_number() -> exp.Expression:
    return exp.Window(this=exp.RowNumber())


@dataclass(frozen=True)
class Source:
    """A relation to read (a FROM item as a SQLGlot tree) with its bound parameters.

    ``seq`` numbers its rows, ``line`` and ``raw`` are the line and text a row came from when
    the relation knows them.
    """

    relation: exp.Expression
    params: Mapping[str, object]
    columns: Mapping[str, str]  # source column -> DuckDB type
    seq: exp.Expression = field(default_factory=_row_number)
    line: exp.Expression = field(default_factory=lambda: _null("BIGINT"))
    raw: exp.Expression = field(default_factory=lambda: _null("VARCHAR"))


def read_function(function: str, **options: exp.Expression) -> exp.Expression:
    """``function($path, option = value, ...)``: a file-reading table function as a FROM item."""
    args: list[exp.Expression] = [exp.Placeholder(this="path")]
    args += [exp.EQ(this=exp.column(k), expression=v) for k, v in options.items()]
    return exp.Table(this=exp.Anonymous(this=function, expressions=args))


def describe(
    engine: Engine, relation: exp.Expression, params: Mapping[str, object]
) -> dict[str, str]:
    """Column name -> type of a relation, without reading its rows."""
    query = fill(sql_file(__package__, "describe.sql"), source=relation)
    rows = engine.rows(query, dict(params) or None)
    return {str(r[0]): str(r[1]) for r in rows}


def table_source(engine: Engine, table_name: str) -> Source:
    """A staged table (any schema-qualified name) with ``_line`` and ``_raw``."""
    *outer, name = table_name.split(".")
    relation = exp.table_(
        name,
        db=outer[-1] if outer else None,
        catalog=outer[-2] if len(outer) > 1 else None,
        quoted=True,
    )
    try:
        cols = describe(engine, relation, {})
    except engine.missing_object as exc:
        raise IngestError(f"no table {table_name!r} to load from") from exc
    return Source(
        relation=relation,
        params={},
        columns=cols,
        line=column("_line") if "_line" in cols else _null("BIGINT"),
        raw=column("_raw") if "_raw" in cols else _null("VARCHAR"),
    )


def _slot(name: str, slot: Slot, col: str | None, ctype: str | None) -> list[exp.Expression]:
    t = (ctype or "").upper()
    src: exp.Expression | None = column(col) if col else None
    if src is not None and t == "JSON":  # mixed-type JSON values: their text, no JSON quotes
        src = exp.Paren(this=exp.JSONExtractScalar(this=src, expression=exp.Literal.string("$")))
    if slot is Slot.TEXT:
        return [alias(exp.cast(src, "VARCHAR") if src else _null("VARCHAR"), name)]
    if slot is Slot.NUM:
        if src is not None and t.startswith(_NUM_PREFIXES):
            return [
                alias(_null("VARCHAR"), f"{name}_text"),
                alias(exp.cast(src, "DOUBLE"), f"{name}_num"),
            ]
        text = exp.cast(src, "VARCHAR") if src is not None else _null("VARCHAR")
        return [alias(text, f"{name}_text"), alias(_null("DOUBLE"), f"{name}_num")]
    # timestamps
    naive: exp.Expression = _null("TIMESTAMP")
    utc: exp.Expression = _null("TIMESTAMP")
    text = _null("VARCHAR")
    if src is not None and (t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ"):
        utc = exp.cast(src, "TIMESTAMP")
    elif src is not None and (t.startswith("TIMESTAMP") or t == "DATE"):
        naive = exp.cast(src, "TIMESTAMP")
    elif src is not None:
        text = exp.cast(src, "VARCHAR")
    return [
        alias(text, f"{name}_text"),
        alias(naive, f"{name}_naive"),
        alias(utc, f"{name}_utc"),
    ]


def canonical_select(
    kind: str,
    source: Source,
    mapping: Mapping[str, str],
    extra: Sequence[exp.Expression] = (),
) -> exp.Select:
    """SELECT of the staged columns of ``kind`` from ``source`` (``mapping``: canonical ->
    source column; canonical columns without a source are NULL), plus ``extra`` items."""
    items: list[exp.Expression] = list(extra)
    for name, slot in source_kind(kind).slots.items():
        col = mapping.get(name)
        items.extend(_slot(name, slot, col, source.columns.get(col) if col else None))
    items += [
        alias(source.seq, "_seq"),
        alias(source.seq, "_rec"),
        alias(source.line, "_line"),
        alias(source.raw, "_raw"),
    ]
    return exp.select(*items).from_(source.relation.copy())


def with_input(query: Query, select: exp.Expression) -> exp.Expression:
    """``query`` reading ``select`` where its file names the hole ``__input__``."""
    return fill(query, input=select)
