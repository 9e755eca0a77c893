"""File readers on DuckDB's own scanners: CSV (all columns as text), Parquet, JSON lines.

A CSV row that does not parse (wrong column count, bad quoting or encoding) is caught by the
scanner's reject store with its line and text. Line and raw text of rows refused later are
looked up afterwards, only when there are any, by scanning the file once more as plain lines.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cvm._exceptions import IngestError
from cvm._sql import load_sql
from cvm.ingest.options import SourceOptions
from cvm.ingest.staging import Source, describe

_SQL = "cvm.ingest.sql"
CSV, PARQUET, JSON = "csv", "parquet", "json"
_REJECTS, _SCANS = "_cvm_csv_errors", "_cvm_csv_scans"


@dataclass
class FileSource:
    """An opened source file: how to read it and what the scanner refused."""

    path: Path
    format: str
    source: Source
    encoding: str = "utf-8"
    delimiter: str | None = None
    header: list[str] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """csv, parquet or json from the file name (``.gz`` allowed on CSV and JSON lines)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".gzip"):
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in (".parquet", ".pq"):
        return PARQUET
    if last in (".jsonl", ".ndjson"):
        return JSON
    if last in (".csv", ".tsv", ".txt", ""):
        return CSV
    raise IngestError(f"{path}: not a CSV, Parquet or JSON lines file (suffix {last!r})")


def _sniff_encoding(path: Path) -> str:
    """utf-8 when the first megabyte decodes as such, else latin-1 (never fails)."""
    opener = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    with opener(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "latin-1"
    return "utf-8"


def open_file(con: duckdb.DuckDBPyConnection, path: Path, options: SourceOptions) -> FileSource:
    """Check the file exists and is readable, and describe its columns."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    fmt = detect_format(path)
    try:
        if fmt == CSV:
            return _open_csv(con, path, options)
        if fmt == PARQUET:
            relation = "read_parquet($path, file_row_number = true)"
            params = {"path": str(path)}
            cols = describe(con, relation, params)
            cols.pop("file_row_number", None)
            src = Source(relation, params, cols, seq="file_row_number + 1")
            return FileSource(path, fmt, src, header=list(cols))
        relation = "read_json($path, format = 'newline_delimited')"
        params = {"path": str(path)}
        cols = describe(con, relation, params)
        return FileSource(path, fmt, Source(relation, params, cols), header=list(cols))
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise IngestError(f"{path}: cannot read as {fmt}: {first}") from exc


def _open_csv(con: duckdb.DuckDBPyConnection, path: Path, options: SourceOptions) -> FileSource:
    encoding = options.encoding or _sniff_encoding(path)
    params: dict[str, object] = {"path": str(path), "encoding": encoding}
    delim = ""
    if options.delimiter:
        params["delim"] = options.delimiter
        delim = ", delim = $delim"
    relation = (
        "read_csv($path, all_varchar = true, header = true, encoding = $encoding,"
        f" store_rejects = true, rejects_table = '{_REJECTS}', rejects_scan = '{_SCANS}'{delim})"
    )
    cols = describe(con, relation, params)
    if len(cols) <= 1 and options.delimiter is None:
        # A one-column sniff of a messy file: try the usual delimiters explicitly.
        for cand in (";", "\t", "|", ","):
            trial = {**params, "delim": cand}
            rel = relation.replace(")", ", delim = $delim)") if not delim else relation
            try:
                found = describe(con, rel, trial)
            except duckdb.Error:
                continue
            if len(found) > 1:
                relation, params, cols = rel, trial, found
                break
    _refuse_duplicate_header(path, encoding, params.get("delim"), len(cols))
    return FileSource(
        path,
        CSV,
        Source(relation, params, cols),
        encoding=encoding,
        delimiter=str(params.get("delim")) if "delim" in params else None,
        header=list(cols),
    )


def _header_line(path: Path, encoding: str) -> str:
    """The first line of a (possibly gzipped) text file, decoded (bad bytes replaced)."""
    opener = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    with opener(path, "rb") as fh:
        first = fh.readline(1 << 20)
    codec = "latin-1" if encoding.lower().replace("-", "") in ("latin1", "iso88591") else "utf-8"
    return first.decode(codec, errors="replace").lstrip("\ufeff").rstrip("\r\n")


def _refuse_duplicate_header(path: Path, encoding: str, delim: object, ncols: int) -> None:
    """A header naming one column twice is refused: the scanner would silently rename the
    second (``email_1``) and a mapping could take the wrong one. Names compare as DuckDB's
    identifiers do: without case."""
    line = _header_line(path, encoding)
    fields: list[str] = []
    for cand in [str(delim)] if delim else [",", ";", "\t", "|"]:
        fields = next(csv.reader([line], delimiter=cand), [])
        if len(fields) == ncols:
            break
    else:
        return  # not the header the scanner saw (a multi-line header): nothing to compare
    seen: dict[str, str] = {}
    for name in fields:
        key = name.strip().lower()
        if key in seen:
            twice = name.strip() if seen[key] == name.strip() else f"{seen[key]}/{name.strip()}"
            raise IngestError(
                f"{path}: the header names column {twice!r} twice; rename or drop one of them"
                " and load again"
            )
        seen[key] = name.strip()


def reset_scanner_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what the CSV scanner refused in a previous load on this connection."""
    con.execute(f"DROP TABLE IF EXISTS {_REJECTS}")
    con.execute(f"DROP TABLE IF EXISTS {_SCANS}")


def scanner_rejects(con: duckdb.DuckDBPyConnection, file: FileSource) -> int:
    """Move rows the CSV scanner refused into ``_cvm_rejects``; returns how many lines."""
    if file.format != CSV:
        return 0
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [_REJECTS]
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    con.execute(load_sql(_SQL, "csv_scanner_rejects.sql"))
    row = con.execute("SELECT count(*) FROM _cvm_rejects WHERE _rec IS NULL").fetchone()
    return int(row[0]) if row else 0


def locate_rejects(con: duckdb.DuckDBPyConnection, file: FileSource) -> None:
    """Fill line and raw text of refused rows known only by record number."""
    row = con.execute("SELECT count(*) FROM _cvm_rejects WHERE _line IS NULL").fetchone()
    if not row or not row[0]:
        return
    if file.format == CSV:
        con.execute(
            load_sql(_SQL, "csv_locate.sql"),
            {"path": str(file.path), "encoding": file.encoding, "nodelim": "\x00"},
        )
    else:
        name = "parquet_locate.sql" if file.format == PARQUET else "json_locate.sql"
        con.execute(load_sql(_SQL, name), {"path": str(file.path)})
