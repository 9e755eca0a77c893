"""Redaction of what erasure does not delete: the customer's e-mail and phone (and ids, in JSON
documents) where they appear in rows about someone else, and derived files in the workspace.

Other customers' events whose properties, traits or context mention the e-mail or phone are
kept with the value replaced by ``[erased]``: the event is that other customer's history, the
mention alone is the erased customer's data.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cvm._files import replace_whole
from cvm.engines import Engine, fill, scratch_engine, sql_file
from cvm.privacy.subject import Subject
from cvm.workspace.connection import DB_NAME
from cvm.workspace.secret import KEY_NAME

MARK = "[erased]"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SKIP_TABLES = {"erasures", "erased_identifiers", "schema_version"}
_PASSES = 4  # a match consumes the separator after it; adjacent mentions need another pass

DERIVED = ("exports", "report", "evaluation", "published", "models")
"""Workspace folders whose files cvm writes: they are redacted; files elsewhere are the
user's (source exports, notes) and are only reported."""

_TEXT = {".html", ".htm", ".json", ".jsonl", ".ndjson", ".svg", ".md", ".js", ".xml", ".txt"}
_TABLES = {".csv": ",", ".tsv": "\t"}


def redact_rows(engine: Engine, subject: Subject) -> dict[str, int]:
    """Replace the customer's e-mail and phone in every text and JSON column of every table,
    and their ids where a JSON document holds one as a string; rows changed per table."""
    text = subject.quoting(ids=False)
    ids = subject.json_ids()
    columns = engine.rows(sql_file(__package__, "text_columns.sql"))
    changed: dict[str, int] = {}
    for table, column, dtype in columns:
        if table in _SKIP_TABLES or not (_IDENT.match(table) and _IDENT.match(column)):
            continue
        n = 0
        if text:
            n += _replace(engine, table, column, dtype, text, rf"\1{MARK}\3")
        if ids and dtype == "JSON":
            n += _replace(engine, table, column, dtype, ids, f'"{MARK}"')
        if n:
            changed[table] = changed.get(table, 0) + n
    return changed


def _replace(
    engine: Engine,
    table: str,
    column: str,
    dtype: str,
    pattern: str,
    replacement: str,
) -> int:
    # table and column names come from the catalog and are checked against _IDENT
    name = "redact_json.sql" if dtype == "JSON" else "redact_text.sql"
    statement = fill(sql_file(__package__, name), table=table, column=column)
    first = 0
    for attempt in range(_PASSES):  # later passes touch only rows the first one changed
        hit = engine.rows(statement, {"p": pattern, "r": replacement})
        if not hit:
            break
        first = first if attempt else len(hit)
    return first


@dataclass
class FileChanges:
    """Files of the workspace that named the customer: what was done to each."""

    redacted: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    not_ours: list[Path] = field(default_factory=list)  # outside DERIVED: left to the user


def redact_files(root: Path, subject: Subject) -> FileChanges:
    """Redact or remove the workspace's derived files that name the customer.

    CSV files (campaign exports) lose the rows naming the customer; HTML, JSON and other text
    files get the mention replaced; Parquet files are rewritten without those rows; any other
    derived file that names the customer (a binary cvm cannot edit) is removed. Files outside
    the derived folders are listed in ``not_ours`` and left as they are.
    """
    pattern = subject.quoting(ids=True)
    changes = FileChanges()
    if pattern is None:
        return changes
    regex = re.compile(pattern)
    raw = re.compile(pattern.encode())
    own = {DB_NAME, f"{DB_NAME}.wal", KEY_NAME, "cvm.toml", f"{DB_NAME}.compact"}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if len(rel.parts) == 1 and rel.name in own:
            continue
        derived = rel.parts[0] in DERIVED and len(rel.parts) > 1
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            if _parquet_names(path, pattern):
                if derived:
                    _rewrite_parquet(path, pattern)
                    changes.redacted.append(path)
                else:
                    changes.not_ours.append(path)
            continue
        data = path.read_bytes()
        if not raw.search(data):
            continue
        if not derived:
            changes.not_ours.append(path)
        elif suffix in _TABLES:
            replace_whole(path, _without_rows(data, regex, _TABLES[suffix]))
            changes.redacted.append(path)
        elif suffix in _TEXT:
            text = data.decode("utf-8", errors="surrogateescape")
            for _ in range(_PASSES):
                text = regex.sub(rf"\g<1>{MARK}\g<3>", text)
            replace_whole(path, text.encode("utf-8", errors="surrogateescape"))
            changes.redacted.append(path)
        else:
            path.unlink()
            changes.removed.append(path)
    return changes


def _without_rows(data: bytes, regex: re.Pattern[str], delimiter: str) -> bytes:
    text = data.decode("utf-8", errors="surrogateescape")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for i, row in enumerate(rows):
        if i == 0 or not any(regex.search(cell) for cell in row):
            writer.writerow(row)
    return out.getvalue().encode("utf-8", errors="surrogateescape")


def _parquet_names(path: Path, pattern: str) -> bool:
    with scratch_engine() as engine:
        row = engine.one(sql_file(__package__, "parquet_names.sql"), {"f": str(path), "p": pattern})
    return bool(row and row[0])


def _rewrite_parquet(path: Path, pattern: str) -> None:
    tmp = path.with_name(f".{path.name}.erasing")
    with scratch_engine() as engine:
        engine.write_parquet(
            sql_file(__package__, "parquet_without.sql"), tmp, {"f": str(path), "p": pattern}
        )
    os.replace(tmp, path)
