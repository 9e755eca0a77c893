"""Suggest ``--date-format`` when a load's timestamps were refused but follow a known pattern.

A file of ``31/12/2024`` dates loaded without a format has every row refused as an
"unparseable timestamp". The refused values are tried against the usual export patterns
(day or month first, dots, dashes, compact ``19970101``, month names, 12- or 24-hour times);
a pattern that reads them is added to each reason it fixes and to the load's hints.
"""

from __future__ import annotations

from datetime import datetime

from cvm.engines import Engine, sql_file
from cvm.ingest.result import LoadResult

__all__ = ["CANDIDATE_FORMATS", "guess_date_format", "suggest_date_format"]

_DATES = (
    "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d", "%Y%m%d",
    "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%d %b %Y", "%b %d, %Y", "%b %d %Y", "%d-%b-%Y",
    "%d-%b-%y",
)  # fmt: skip
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")
CANDIDATE_FORMATS: tuple[str, ...] = tuple(d + t for d in _DATES for t in _TIMES)
_SHARE = 0.5  # a pattern must read this share of the refused values to be suggested


def _month_first(fmt: str) -> str | None:
    """The month-first twin of a day-first format (``%d/%m/%Y`` -> ``%m/%d/%Y``)."""
    if not fmt.startswith("%d") or "%m" not in fmt[:6]:
        return None
    return "%m" + fmt[2:].replace("%m", "%d", 1)


def guess_date_format(values: list[str]) -> tuple[str, str | None] | None:
    """The first candidate format reading the most of ``values`` (at least half), with its
    month-first twin when that reads as many (``01/02/2025`` is either), else None."""
    if not values:
        return None

    def reads(fmt: str) -> int:
        n = 0
        for v in values:
            try:
                datetime.strptime(v.strip(), fmt)
            except ValueError:
                continue
            n += 1
        return n

    counts = {fmt: reads(fmt) for fmt in CANDIDATE_FORMATS}
    best = max(CANDIDATE_FORMATS, key=lambda f: counts[f])  # the first of the best
    if counts[best] < _SHARE * len(values) or not counts[best]:
        return None
    twin = _month_first(best)
    return best, twin if twin and counts.get(twin) == counts[best] else None


def suggest_date_format(engine: Engine, result: LoadResult) -> str | None:
    """Find a format reading this load's unparseable timestamps (in ``_cvm_rejects``); add
    it to the reasons of the rows it reads and a one-line hint to ``result.hints``."""
    values = [str(r[0]) for r in engine.rows(sql_file(__package__, "rejects_date_formats.sql"))]
    guess = guess_date_format(values)
    if guess is None:
        return None
    fmt, twin = guess
    also = f' (or "{twin}" if the month comes first)' if twin else ""
    engine.run(
        sql_file(__package__, "rejects_date_hint.sql"),
        {"hint": f'; try --date-format "{fmt}"{also}', "fmt": fmt},
    )
    example = min(values)
    result.hints.append(
        f"timestamps such as {example!r} are not in the expected format: load again with"
        f' --date-format "{fmt}"{also}'
    )
    return fmt
