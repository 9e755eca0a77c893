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
from typing import TYPE_CHECKING

from cvm._exceptions import DataError
from cvm._sql import load_sql

if TYPE_CHECKING:
    import duckdb

    from cvm.workspace import Workspace

__all__ = ["PUBLISHED", "ExportResult", "PublishResult", "export_table", "publish"]

FORMATS = ("parquet", "csv")
_NAME = re.compile(r"^--\s*name:\s*([a-z_]+)\s*$", re.MULTILINE)
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@cache
def _queries() -> dict[str, str]:
    parts = _NAME.split(load_sql("cvm.publish", "tables.sql"))
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


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {str(r[0]) for r in rows if not str(r[0]).startswith("_")}


def _flat_select(con: duckdb.DuckDBPyConnection, query: str, csv: bool) -> str:
    """``query`` with JSON columns as text (and, for CSV, lists and structs as JSON text)."""
    cols = con.execute(f"DESCRIBE {query}").fetchall()
    items = []
    for name, ctype, *_ in cols:
        quoted = '"' + str(name).replace('"', '""') + '"'
        t = str(ctype).upper()
        nested = t.endswith("[]") or t.startswith(("STRUCT", "MAP", "UNION"))
        if t == "JSON" or (csv and nested):
            items.append(f"CAST(to_json({quoted}) AS VARCHAR) AS {quoted}"
                         if nested else f"CAST({quoted} AS VARCHAR) AS {quoted}")  # fmt: skip
        else:
            items.append(quoted)
    return f"SELECT {', '.join(items)} FROM ({query}) AS q"


def _write(con: duckdb.DuckDBPyConnection, query: str, path: Path, fmt: str) -> ExportResult:
    """Stream ``query`` into ``path`` through a temporary name and a rename."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    reader = con.sql(_flat_select(con, query, fmt == "csv")).to_arrow_reader(100_000)
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
    """
    if format not in FORMATS:
        raise DataError(f"format {format!r}: use parquet or csv")
    known = _relations(ws.con)
    if name not in known or not _PLAIN.match(name):
        hint = ", ".join(sorted(known))
        raise DataError(f"no table or view {name!r} in the workspace; one of: {hint}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return _write(ws.con, f'SELECT * FROM "{name}"', folder / f"{name}.{format}", format)


def publish(ws: Workspace, folder: str | Path) -> PublishResult:
    """Write every table of :data:`PUBLISHED` as Parquet plus ``schema.json`` into ``folder``.

    The new folder is written beside ``folder`` under a temporary name and then renamed into
    place; the previous one is renamed away first and deleted. Readers holding the previous
    files open keep reading them (on POSIX the files live until closed).
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
            tables[name] = _write(ws.con, query, tmp / f"{name}.parquet", "parquet")
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
