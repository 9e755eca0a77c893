"""What survey tools put above their answers, read as they write it.

- SurveyMonkey ("All responses", expanded): two header rows, the question on the first (over
  its first column only) and the sub-label on the second ("Response", "Open-Ended Response", a
  matrix row such as "Quality"). Columns are named ``Question | Sub-label`` (just
  ``Question`` when the sub-label is "Response"), so a mapping names them as the export shows
  them instead of the reader's ``column10``.
- Qualtrics: three header rows, the third holding ``{"ImportId": "endDate", "timeZone":
  "America/Denver"}``: the zone the export's dates are written in.
- Google Forms (a responses sheet downloaded as CSV): ``Timestamp`` first, written
  ``3/1/2024 10:22:31`` in the sheet's locale (US order by default).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from cvm.ingest.profiles import normalise

__all__ = ["GOOGLE_FORMS_DATE", "SURVEYMONKEY_DATE", "SurveyHeader", "read_header"]

GOOGLE_FORMS_DATE = "%m/%d/%Y %H:%M:%S"
SURVEYMONKEY_DATE = "%m/%d/%Y %I:%M:%S %p"
_PLAIN_SUBLABELS = {"response", "open-ended response", "open ended response", ""}


class SurveyHeader:
    """The tool a wide export came from and what its extra header rows say."""

    def __init__(self, tool: str, header_rows: int, names: list[str] | None = None,
                 zones: dict[str, str] | None = None) -> None:  # fmt: skip
        self.tool = tool
        self.header_rows = header_rows
        self.names = names  # SurveyMonkey: combined column names
        self.zones = zones or {}  # Qualtrics: column -> IANA zone

    def zone_of(self, column: str | None) -> str | None:
        return self.zones.get(column) if column else None


def _records(path: Path, n: int) -> list[list[str]]:
    opener = open
    if path.name.endswith(".gz"):
        import gzip

        opener = gzip.open  # type: ignore[assignment]
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
        head = fh.read(1 << 20)
    reader = csv.reader(io.StringIO(head))
    out: list[list[str]] = []
    for row in reader:
        out.append(row)
        if len(out) == n:
            break
    return out


def _zone(value: str) -> str | None:
    try:
        meta = json.loads(value)
    except ValueError:
        return None
    if not isinstance(meta, dict):
        return None
    zone = meta.get("timeZone")
    if not isinstance(zone, str) or not zone:
        return None
    return "UTC" if zone.upper() in ("Z", "UTC", "GMT") else zone


def read_header(path: Path) -> SurveyHeader | None:
    """The survey tool of a CSV export, from its first rows; None when none is recognised."""
    if path.suffix.lower() not in (".csv", ".txt", ".gz"):
        return None
    rows = _records(path, 3)
    if not rows:
        return None
    first = [normalise(c) for c in rows[0]]
    if "respondentid" in first and "collectorid" in first and len(rows) > 1:
        names: list[str] = []
        question = ""
        for i, top in enumerate(rows[0]):
            sub = rows[1][i].strip() if i < len(rows[1]) else ""
            if top.strip():
                question = top.strip()
            plain = sub.lower() in _PLAIN_SUBLABELS or not question
            name = (question or sub) if plain else f"{question} | {sub}"
            if name in names:
                name = f"{name} ({i + 1})"
            names.append(name)
        return SurveyHeader("surveymonkey", 1, names=names)
    if len(rows) > 2 and any(c.strip().startswith('{"ImportId"') for c in rows[2]):
        zones = {}
        for i, col in enumerate(rows[0]):
            if i < len(rows[2]) and (zone := _zone(rows[2][i])):
                zones[col] = zone
        return SurveyHeader("qualtrics", 2, zones=zones)
    if first and first[0] == "timestamp":
        return SurveyHeader("google-forms", 0)
    return None


def write_renamed(path: Path, names: list[str], out: Path) -> Path:
    """A copy of ``path`` whose first line is ``names`` (every other line as it was, so line
    numbers in refused rows still point into the original file)."""
    with open(path, encoding="utf-8-sig", newline="") as src:
        text = src.read()
    reader = csv.reader(io.StringIO(text))
    next(reader)  # the first record, however many physical lines it spans
    rest_start = _offset_after_first_record(text)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(names)
    out.write_text(buf.getvalue() + text[rest_start:], encoding="utf-8")
    return out


def _offset_after_first_record(text: str) -> int:
    """Character offset where the second CSV record starts (quotes may span lines)."""
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted:
            return i + 1
    return len(text)
