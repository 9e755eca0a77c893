"""Write tables and views as Parquet or CSV, one file each, and publish a folder of them."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

import sqlglot
import sqlglot.expressions as exp

from cvm._exceptions import DataError
from cvm.engines import Engine, fill, sql_file
from cvm.engines.sql import READ_DIALECT

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["PUBLISHED", "ExportResult", "PublishResult", "export_table", "publish"]

FORMATS = ("parquet", "csv")
_NAME = re.compile(r"^--\s*name:\s*([a-z_]+)\s*$", re.MULTILINE)
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@cache
def _queries() -> dict[str, str]:
    parts = _NAME.split(sql_file(__package__, "tables.sql").text)
    return {k: body.strip().rstrip(";") for k, body in zip(parts[1::2], parts[2::2], strict=True)}


PUBLISHED: tuple[str, ...] = tuple(_queries())
"""The tables of a published folder, in the order of ``tables.sql``."""


@dataclass
class ExportResult:
    """One file written: its path, rows and columns (name, type)."""

    name: str
    path: Path
    rows: int
    columns: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PublishResult:
    """The published folder, its tables and when."""

    path: Path
    tables: dict[str, ExportResult]
    published_at: str


def _relations(engine: Engine) -> set[str]:
    rows = engine.rows(sql_file(__package__, "relations.sql"))
    return {str(r[0]) for r in rows if not str(r[0]).startswith("_")}


def _flat_select(engine: Engine, query: exp.Expression, csv: bool) -> exp.Expression:
    """``query`` with JSON columns as text (and, for CSV, lists and structs as JSON text)."""
    cols = engine.rows(fill(sql_file(__package__, "describe.sql"), source=query))
    items: list[exp.Expression] = []
    for name, ctype, *_ in cols:
        column = exp.column(str(name), quoted=True)
        alias = exp.to_identifier(str(name), quoted=True)
        t = str(ctype).upper()
        nested = t.endswith("[]") or t.startswith(("STRUCT", "MAP", "UNION"))
        if t == "JSON" or (csv and nested):
            value = exp.func("to_json", column) if nested else column
            items.append(cast(exp.Expression, exp.cast(value, "VARCHAR").as_(alias)))
        else:
            items.append(column)
    return fill(sql_file(__package__, "flat.sql"), columns=items, source=query)


def _write(engine: Engine, query: exp.Expression, path: Path, fmt: str) -> ExportResult:
    """Stream ``query`` into ``path`` through a temporary name and a rename."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    reader = engine.batches(_flat_select(engine, query, fmt == "csv"), rows=100_000)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    rows = 0
    writer: pq.ParquetWriter | pacsv.CSVWriter
    if fmt == "parquet":
        writer = pq.ParquetWriter(tmp, reader.schema)
    else:
        writer = pacsv.CSVWriter(tmp, reader.schema)
    try:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    finally:
        writer.close()
    written = pq.read_schema(tmp) if fmt == "parquet" else reader.schema  # as stored
    os.replace(tmp, path)
    columns = [(f.name, str(f.type)) for f in written]
    return ExportResult(path.stem, path, rows, columns)


def export_table(
    ws: Workspace, name: str, out_dir: str | Path, *, format: str = "parquet"
) -> ExportResult:
    """Write one table or view of the workspace to ``out_dir/<name>.<format>``.

    Raises
    ------
    DataError
        An unknown table or view, or a format other than parquet or csv.

    Examples
    --------
    >>> from cvm.demo import example_workspace
    >>> ws = example_workspace()
    >>> done = export_table(ws, "transactions", ws.path / "exports", format="csv")
    >>> done.path.name, done.rows, done.columns[1]
    ('transactions.csv', 4, ('customer_id', 'string'))
    >>> export_table(ws, "transaction", ws.path / "exports")
    Traceback (most recent call last):
    cvm._exceptions.DataError: no table or view 'transaction' in the workspace; one of: ...
    >>> ws.close()
    """
    if format not in FORMATS:
        raise DataError(f"format {format!r}: use parquet or csv")
    known = _relations(ws.engine)
    if name not in known or not _PLAIN.match(name):
        hint = ", ".join(sorted(known))
        raise DataError(f"no table or view {name!r} in the workspace; one of: {hint}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    query = fill(sql_file(__package__, "table.sql"), table=name)
    return _write(ws.engine, query, folder / f"{name}.{format}", format)


def publish(ws: Workspace, folder: str | Path) -> PublishResult:
    """Write every table of :data:`PUBLISHED` as Parquet plus ``schema.json`` into ``folder``.

    The new folder is written beside ``folder`` under a temporary name and then renamed into
    place; the previous one is renamed away first and deleted. Readers holding the previous
    files open keep reading them (on POSIX the files live until closed).

    Examples
    --------
    >>> import json
    >>> from cvm.demo import example_workspace
    >>> ws = example_workspace()
    >>> done = publish(ws, ws.path / "published")
    >>> done.tables["customers"].rows, sorted(done.tables) == sorted(PUBLISHED)
    (2, True)
    >>> json.loads((done.path / "schema.json").read_text())["tables"]["customers"]["rows"]
    2
    >>> ws.close()
    """
    target = Path(folder).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = uuid.uuid4().hex[:8]
    tmp = target.with_name(f".{target.name}.{stamp}.tmp")
    tmp.mkdir()
    when = datetime.now(UTC).isoformat(timespec="seconds")
    tables: dict[str, ExportResult] = {}
    try:
        for name, query in _queries().items():
            tree = cast(exp.Expression, sqlglot.parse_one(query, read=READ_DIALECT))
            tables[name] = _write(ws.engine, tree, tmp / f"{name}.parquet", "parquet")
        schema = {
            "published_at": when,
            "workspace": ws.path.name,
            "tables": {
                name: {
                    "file": f"{name}.parquet",
                    "rows": r.rows,
                    "columns": [{"name": c, "type": t} for c, t in r.columns],
                }
                for name, r in tables.items()
            },
        }
        (tmp / "schema.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        old = target.with_name(f".{target.name}.{stamp}.old")
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for r in tables.values():
        r.path = target / r.path.name
    return PublishResult(target, tables, when)
