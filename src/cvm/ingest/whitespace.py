"""Whitespace-delimited text: fields separated by runs of spaces or tabs (fixed-width exports
such as the CDNOW purchase log), read by DuckDB as plain lines and split on ``\\s+``.

A line with another number of fields than the first is refused as a wrong column count with its
line and text. Without a header (``--no-header``, or a first line holding a number) the
columns are ``col1..colN`` unless ``--columns`` names them.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm.engines import Engine, fill, sql_file
from cvm.ingest.options import SourceOptions
from cvm.ingest.staging import Source, alias, describe

__all__ = ["WHITESPACE", "looks_whitespace", "open_whitespace", "whitespace_rejects"]

WHITESPACE = "whitespace"
_SAMPLE = 50  # lines read to sniff the layout
_OTHER_DELIMITERS = re.compile(r"[,;|\t]")


def _head(path: Path, encoding: str) -> list[str]:
    """The first non-blank lines of the file."""
    opener = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    out: list[str] = []
    with opener(path, "rt", encoding=encoding, errors="replace") as fh:
        for line in fh:
            if line.strip():
                out.append(line.rstrip("\r\n"))
            if len(out) >= _SAMPLE:
                break
    return out


def looks_whitespace(path: Path, encoding: str) -> bool:
    """True when no usual delimiter appears in the first lines and most of them (a bad line
    aside) split on runs of spaces into the same number (2 or more) of fields."""
    lines = _head(path, encoding)
    if not lines or any(_OTHER_DELIMITERS.search(line) for line in lines):
        return False
    counts = Counter(len(line.split()) for line in lines[1:] or lines)
    width, n = counts.most_common(1)[0]
    return width >= 2 and n >= 0.8 * sum(counts.values())


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _lines() -> exp.Expression:
    """The file as numbered lines split into fields (``whitespace_lines.sql``), $skip header
    lines left out."""
    return sql_file(__package__, "whitespace_lines.sql").tree()


def open_whitespace(
    engine: Engine, path: Path, options: SourceOptions, encoding: str
) -> tuple[Source, list[str], int]:
    """The file as a source of text columns, with its header names and header line count."""
    lines = _head(path, encoding)
    if not lines:
        raise IngestError(f"{path}: the file is empty")
    first = lines[0].split()
    header = options.header
    if header is None:  # a first line that holds a number is data, not a header
        header = not options.names and not any(_is_number(f) for f in first)
    widths = Counter(len(line.split()) for line in lines)
    width = len(first) if not header or len(lines) < 2 else widths.most_common(1)[0][0]
    names = list(options.names) or (first if header else [f"col{i}" for i in range(1, width + 1)])
    if len(names) != width:
        raise IngestError(
            f"{path}: --columns names {len(names)} columns but the lines hold {width} fields"
        )
    if len(set(names)) != len(names):
        raise IngestError(f"{path}: column names repeat: {', '.join(names)}")
    skip = _header_line(path, encoding) if header else 0
    fields = [
        alias(exp.Bracket(this=exp.column("_f"), expressions=[exp.Literal.number(i)], offset=1),
                   exp.to_identifier(n, quoted=True))
        for i, n in enumerate(names, start=1)
    ]  # fmt: skip
    query = fill(sql_file(__package__, "whitespace_fields.sql"), fields=fields, lines=_lines())
    relation = exp.Subquery(this=query)
    params = {"path": str(path), "encoding": encoding, "nodelim": "\x00", "skip": skip,
              "nfields": width}  # fmt: skip
    cols = describe(engine, relation, params)
    cols.pop("_line", None)
    cols.pop("_raw", None)
    line = exp.column("_line")
    source = Source(relation, params, cols, seq=line, line=line.copy(), raw=exp.column("_raw"))
    return source, names, skip


def _header_line(path: Path, encoding: str) -> int:
    """The line number of the header: the first non-blank line."""
    opener = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    with opener(path, "rt", encoding=encoding, errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                return number
    return 0


def whitespace_rejects(engine: Engine, params: dict[str, object]) -> int:
    """Refuse lines with another number of fields; returns how many."""
    count = fill(sql_file(__package__, "count_rows.sql"), table="_cvm_rejects")
    before = int(engine.scalar(count) or 0)
    engine.run(fill(sql_file(__package__, "whitespace_rejects.sql"), lines=_lines()), params)
    return int(engine.scalar(count) or 0) - before
