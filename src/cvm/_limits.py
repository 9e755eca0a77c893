"""The sane ranges of every number that enters cvm, in one place.

Ingest refuses a row whose number is not finite or lies outside these ranges (with the reason
``non-finite amount: inf`` or ``amount out of range: ...``); settings read from ``cvm.toml``
and the offer catalog are refused with one line naming the key. The database carries the same
bounds as CHECK constraints, the last line of defence (migration 0030).
"""

from __future__ import annotations

import math
from typing import Any

from cvm._exceptions import ConfigError

MAX_AMOUNT = 1e12
"""Largest absolute money amount (an order, a line, a monthly fee, a cost, a budget)."""
MAX_QUANTITY = 1e6
"""Largest quantity on one order line (quantities lie in 0..MAX_QUANTITY)."""
MAX_SCORE = 1e6
"""Largest absolute survey score or importance (scores also lie in the configured scale)."""
MAX_RATE = 1e6
"""Largest exchange rate into the workspace currency (rates lie in (0, MAX_RATE])."""
DEFAULT_TIMESTAMP_FLOOR = "1970-01-01"
"""Timestamps before this date are refused (``[ingest] timestamp_floor`` in cvm.toml)."""


def finite_setting(
    raw: Any, where: str, *, low: float = -MAX_AMOUNT, high: float = MAX_AMOUNT
) -> float:
    """A number from a settings file, finite and within [low, high], else one ``ConfigError``.

    TOML writes ``nan`` and ``inf`` as floats, so a type check alone lets them through.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        try:
            value = float(str(raw).strip())
        except ValueError as exc:
            raise ConfigError(f"{where} must be a number, got {raw!r}") from exc
    else:
        value = float(raw)
    if not math.isfinite(value):
        raise ConfigError(f"{where} must be a finite number, got {raw!r}")
    if value < low or value > high:
        raise ConfigError(f"{where} must be within [{low:g}, {high:g}], got {raw!r}")
    return value
