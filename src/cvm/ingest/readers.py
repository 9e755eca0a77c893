"""File readers on DuckDB's own scanners: CSV (all columns as text), Parquet, JSON lines, and
whitespace-delimited text (``cvm.ingest.whitespace``; sniffed for ``.txt`` files).

A CSV row that does not parse (wrong column count, bad quoting or encoding) is caught by the
scanner's reject store with its line and text. Line and raw text of rows refused later are
looked up afterwards, only when there are any, by scanning the file once more as plain lines.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm.engines import Engine, fill, sql_file
from cvm.ingest.options import SourceOptions
from cvm.ingest.staging import Source, describe, read_function
from cvm.ingest.whitespace import WHITESPACE, looks_whitespace, open_whitespace, whitespace_rejects

CSV, PARQUET, JSON = "csv", "parquet", "json"
_REJECTS, _SCANS = "_cvm_csv_errors", "_cvm_csv_scans"
MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longest CSV record read (a quoted field of a few MiB is valid; DuckDB's default is 2 MB)."""


@dataclass
class FileSource:
    """An opened source file: how to read it and what the scanner refused."""

    path: Path
    format: str
    source: Source
    encoding: str = "utf-8"
    delimiter: str | None = None
    header: list[str] = field(default_factory=list)
    header_lines: int = 1  # lines before the first record (CSV without a header: 0)
    bad_lines: dict[int, str] = field(default_factory=dict)  # JSON lines not valid UTF-8
    read_path: Path | None = None  # a cleaned copy read instead of ``path``, deleted after


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
    if last in (".csv", ".tsv", ".txt", ".dat", ""):
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


def open_file(engine: Engine, path: Path, options: SourceOptions) -> FileSource:
    """Check the file exists and is readable, and describe its columns."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    fmt = detect_format(path)
    try:
        if fmt == CSV:
            return _open_csv(engine, path, options)
        if fmt == PARQUET:
            relation = read_function("read_parquet", file_row_number=exp.true())
            params = {"path": str(path)}
            cols = describe(engine, relation, params)
            cols.pop("file_row_number", None)
            seq = exp.Add(this=exp.column("file_row_number"), expression=exp.Literal.number(1))
            src = Source(relation, params, cols, seq=seq)
            return FileSource(path, fmt, src, header=list(cols))
        return _open_json(engine, path)
    except engine.error as exc:
        first = str(exc).strip().splitlines()[0]
        raise IngestError(f"{path}: cannot read as {fmt}: {first}") from exc


def _is_text(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".gzip")]
    return bool(suffixes) and suffixes[-1] == ".txt"


def valid_utf8(path: Path) -> bool:
    """Whether the whole (possibly gzipped) file decodes as UTF-8, read in large chunks."""
    opener = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with opener(path, "rb") as fh:
            while chunk := fh.read(1 << 24):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def utf8_copy(path: Path, placeholder: bytes | None) -> tuple[Path, dict[int, str]]:
    """A temporary copy of a line-based file where each line that is not valid UTF-8 becomes
    ``placeholder`` (or its own text read as latin-1); returns the copy and line -> that text.
    The caller deletes the copy."""
    bad: dict[int, str] = {}
    opener = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    fd, name = tempfile.mkstemp(prefix="cvm-", suffix=".txt")
    with opener(path, "rb") as src, os.fdopen(fd, "wb") as out:
        for number, line in enumerate(src, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad[number] = line.decode("latin-1").rstrip("\r\n")
                line = (
                    placeholder + b"\n"
                    if placeholder is not None
                    else (bad[number].encode("utf-8") + b"\n")
                )
            out.write(line)
    return Path(name), bad


def _open_json(engine: Engine, path: Path) -> FileSource:
    """JSON lines; lines that are not valid UTF-8 are set aside (``bad_lines``) so that only
    they are refused: the others are read from a copy where each such line is ``{}``."""
    relation = read_function("read_json", format=exp.Literal.string("newline_delimited"))
    if valid_utf8(path):
        cols = describe(engine, relation, {"path": str(path)})
        return FileSource(
            path, JSON, Source(relation, {"path": str(path)}, cols), header=list(cols)
        )
    copy, bad = utf8_copy(path, b"{}")
    params = {"path": str(copy)}
    try:
        cols = describe(engine, relation, params)
    except engine.error:
        copy.unlink(missing_ok=True)
        raise
    return FileSource(
        path, JSON, Source(relation, params, cols), header=list(cols), bad_lines=bad, read_path=copy
    )


def _read_csv(has_header: bool, gz: bool, params: dict[str, object]) -> exp.Expression:
    """``read_csv`` of every column as text, the scanner's refused rows kept; the delimiter
    and column names are bound when ``params`` holds them."""
    options: dict[str, exp.Expression] = {
        "all_varchar": exp.true(),
        "header": exp.true() if has_header else exp.false(),
        "encoding": exp.Placeholder(this="encoding"),
        "max_line_size": exp.Literal.number(MAX_LINE_BYTES),
    }
    if gz:
        # a compressed file is read through one buffer, which would otherwise default to a
        # multiple of the line size (a GiB): give it just twice the longest record
        options["buffer_size"] = exp.Literal.number(2 * MAX_LINE_BYTES)
    options |= {
        "store_rejects": exp.true(),
        "rejects_table": exp.Literal.string(_REJECTS),
        "rejects_scan": exp.Literal.string(_SCANS),
    }
    for name in ("delim", "names"):
        if name in params:
            options[name] = exp.Placeholder(this=name)
    return read_function("read_csv", **options)


def _open_csv(engine: Engine, path: Path, options: SourceOptions) -> FileSource:
    encoding = options.encoding or _sniff_encoding(path)
    if options.delimiter == WHITESPACE or (
        options.delimiter is None and _is_text(path) and looks_whitespace(path, encoding)
    ):
        src, names, skip = open_whitespace(engine, path, options, encoding)
        return FileSource(path, WHITESPACE, src, encoding, WHITESPACE, names, skip)
    params: dict[str, object] = {"path": str(path), "encoding": encoding}
    if options.delimiter:
        params["delim"] = options.delimiter
    has_header = options.header is not False
    if options.names:
        params["names"] = list(options.names)
    gz = path.suffix.lower() in (".gz", ".gzip")
    relation = _read_csv(has_header, gz, params)
    cols = describe(engine, relation, params)
    if not has_header and not options.names:  # col1..colN, as for whitespace files
        params["names"] = [f"col{i}" for i in range(1, len(cols) + 1)]
        relation = _read_csv(has_header, gz, params)
        cols = describe(engine, relation, params)
    if len(cols) <= 1 and options.delimiter is None:
        # A one-column sniff of a messy file: try the usual delimiters explicitly.
        for cand in (";", "\t", "|", ","):
            trial = {**params, "delim": cand}
            rel = _read_csv(has_header, gz, trial)
            try:
                found = describe(engine, rel, trial)
            except engine.error:
                continue
            if len(found) > 1:
                relation, params, cols = rel, trial, found
                break
    sniffed = _refuse_duplicate_header(path, encoding, params.get("delim"), len(cols))
    return FileSource(
        path,
        CSV,
        Source(relation, params, cols),
        encoding=encoding,
        delimiter=str(params["delim"]) if "delim" in params else sniffed,
        header=list(cols),
        header_lines=1 if has_header else 0,
    )


def _header_line(path: Path, encoding: str) -> str:
    """The first line of a (possibly gzipped) text file, decoded (bad bytes replaced)."""
    opener = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    with opener(path, "rb") as fh:
        first = fh.readline(1 << 20)
    codec = "latin-1" if encoding.lower().replace("-", "") in ("latin1", "iso88591") else "utf-8"
    return first.decode(codec, errors="replace").lstrip("\ufeff").rstrip("\r\n")


def _refuse_duplicate_header(path: Path, encoding: str, delim: object, ncols: int) -> str | None:
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
        return None  # not the header the scanner saw (a multi-line header): nothing to compare
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
    return cand


def reset_scanner_rejects(engine: Engine) -> None:
    """Drop what the CSV scanner refused in a previous load on this engine."""
    for name in (_REJECTS, _SCANS):
        engine.run(fill(sql_file(__package__, "drop_table.sql"), table=name))


def scanner_rejects(engine: Engine, file: FileSource) -> int:
    """Move rows the CSV scanner refused into ``_cvm_rejects``; returns how many lines."""
    if file.format == WHITESPACE:
        return whitespace_rejects(engine, dict(file.source.params))
    if file.format != CSV:
        return 0
    if not engine.scalar(sql_file(__package__, "temp_table_exists.sql"), {"name": _REJECTS}):
        return 0
    engine.run(sql_file(__package__, "csv_scanner_rejects.sql"))
    return int(engine.scalar(sql_file(__package__, "rejects_unlocated.sql")) or 0)


def locate_rejects(engine: Engine, file: FileSource, records: int) -> None:
    """Fill line and raw text of refused rows known only by record number (``records``: how
    many data records the file holds, refused ones included)."""
    row = engine.one(sql_file(__package__, "rejects_to_locate.sql"))
    if not row or not row[0]:
        return
    if file.format == CSV and _multiline(engine, file, records):
        _locate_by_records(engine, file)
    elif file.format == CSV and row[1]:
        engine.run(
            sql_file(__package__, "csv_locate.sql"),
            {
                "path": str(file.path),
                "encoding": file.encoding,
                "nodelim": "\x00",
                "skip": file.header_lines,
            },
        )
    elif row[1]:
        name = "parquet_locate.sql" if file.format == PARQUET else "json_locate.sql"
        engine.run(sql_file(__package__, name), {"path": str(file.read_path or file.path)})
    for line, raw in file.bad_lines.items():
        engine.run(sql_file(__package__, "rejects_not_utf8.sql"), {"raw": raw, "line": line})


def _multiline(engine: Engine, file: FileSource, records: int) -> bool:
    """Whether some record spans several lines (a quoted newline): then record numbers are not
    line numbers, and refused rows are located by parsing the records (slower, but exact)."""
    lines = engine.scalar(
        sql_file(__package__, "csv_line_count.sql"),
        {
            "path": str(file.path),
            "encoding": file.encoding,
            "nodelim": "\x00",
            "skip": file.header_lines,
        },
    )
    return int(lines or 0) != records


def _records(file: FileSource) -> Iterator[tuple[int, int, str]]:
    """(logical line, physical first line, raw text) of each data record of a CSV file.

    The logical line is how the scanner numbers its refused rows (header, records and blank
    lines each count one); the physical line is where the record starts in the file.
    """
    opener = gzip.open if file.path.suffix.lower() in (".gz", ".gzip") else open
    codec = (
        "latin-1" if file.encoding.lower().replace("-", "") in ("latin1", "iso88591") else "utf-8"
    )
    with opener(file.path, "rt", encoding=codec, errors="replace", newline="") as fh:
        pending: list[str] = []

        def lines() -> Iterator[str]:
            for text in fh:
                pending.append(text)
                yield text

        reader = csv.reader(lines(), delimiter=file.delimiter or ",")
        last = 0
        for logical, fields in enumerate(reader, 1):
            raw = "".join(pending).rstrip("\r\n")
            pending.clear()
            first, last = last + 1, reader.line_num
            if logical > file.header_lines and fields:
                yield logical, first, raw


def _locate_by_records(engine: Engine, file: FileSource) -> None:
    """Line and raw text of refused rows of a file with multi-line records."""
    by_line = {int(r[0]) for r in engine.rows(sql_file(__package__, "rejects_by_line.sql"))}
    by_rec = {int(r[0]) for r in engine.rows(sql_file(__package__, "rejects_by_record.sql"))}
    found: list[tuple[bool, int, int, str]] = []
    rec = 0
    for logical, first, raw in _records(file):
        if logical in by_line:
            found.append((True, logical, first, raw))
            continue
        rec += 1
        if rec in by_rec:
            found.append((False, rec, first, raw))
    located = pa.table(
        {
            "scanner": pa.array([f[0] for f in found], pa.bool_()),
            "k": pa.array([f[1] for f in found], pa.int64()),
            "line": pa.array([f[2] for f in found], pa.int64()),
            "raw": pa.array([f[3] for f in found], pa.string()),
        }
    )
    with engine.register("_cvm_located", located):
        engine.run(sql_file(__package__, "csv_locate_records.sql"))
