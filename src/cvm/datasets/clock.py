"""The simulated period: times are float days since the start, turned into timestamps at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from cvm._exceptions import ConfigError

_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class Period:
    """From ``start`` 00:00 to the end of ``end`` (UTC, naive); ``days`` is its length."""

    start: date
    end: date

    @classmethod
    def parse(cls, start: str | date, end: str | date) -> Period:
        try:
            first = start if isinstance(start, date) else date.fromisoformat(str(start))
            last = end if isinstance(end, date) else date.fromisoformat(str(end))
        except ValueError as exc:
            raise ConfigError(f"start and end must be ISO dates (YYYY-MM-DD): {exc}") from None
        if isinstance(first, datetime):
            first = first.date()
        if isinstance(last, datetime):
            last = last.date()
        if (last - first).days < 60:
            raise ConfigError(f"the period {first} to {last} must span at least 60 days")
        return cls(first, last)

    @property
    def days(self) -> float:
        return float((self.end - self.start).days + 1)

    def date_at(self, day: float) -> date:
        """The calendar date ``day`` days after the start (rounded down)."""
        return self.start + timedelta(days=int(day))

    def timestamps(self, days: np.ndarray) -> pd.Series:
        """Float days since the start as timestamps to the second (NaN stays NaT)."""
        days = np.asarray(days, dtype=float)
        origin = np.datetime64(self.start, "s")
        finite = np.isfinite(days)
        seconds = np.zeros(days.size, dtype=np.int64)
        seconds[finite] = np.floor(days[finite] * 86_400).astype(np.int64)
        stamps = origin + seconds.astype("timedelta64[s]")
        stamps[~finite] = np.datetime64("NaT")
        return pd.Series(stamps, dtype="datetime64[s]")
