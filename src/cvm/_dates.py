"""The one parser for the days a user gives (as-of, cutoff, from/to), with a sane range.

A day outside 1970-01-01 .. today + 100 years is a typo or a probe (``9999-12-31``,
``0001-01-01``); beyond it, period and horizon arithmetic overflows. The CLI, the API and
the dashboard all read days through :func:`parse_day`, so each refuses it the same way.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from cvm._exceptions import CvmError, DataError

__all__ = ["FLOOR", "day_range", "parse_day"]

FLOOR = date(1970, 1, 1)
YEARS_AHEAD = 100


def day_range(today: date | None = None) -> tuple[date, date]:
    """The first and last day accepted (the last moves with the calendar)."""
    today = today or date.today()
    try:
        last = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        last = today.replace(year=today.year + YEARS_AHEAD, day=28)
    return FLOOR, last


def parse_day(
    value: date | datetime | str | pd.Timestamp, name: str, error: type[CvmError] = DataError
) -> date:
    """``value`` as a day, or ``error`` with one line naming ``name``, the value and the range."""
    try:
        ts = pd.Timestamp(value)
        day = None if ts is pd.NaT else ts.date()
    except (TypeError, ValueError, OverflowError):
        day = None
    if day is None:
        raise error(f"{name}: not a date: {value!r} (use YYYY-MM-DD)")
    first, last = day_range()
    if not first <= day <= last:
        raise error(f"{name}: {day.isoformat()} is out of range ({first} .. {last})")
    return day


def check_day(value: date | None) -> date | None:
    """For request validation: the day itself, or ``ValueError`` when out of range."""
    if value is None:
        return None
    first, last = day_range()
    if not first <= value <= last:
        raise ValueError(f"{value.isoformat()} is out of range ({first} .. {last})")
    return value
