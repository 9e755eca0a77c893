"""How the command line writes numbers: one function for counts, one for money, one for rates.

Counts are integers with thousands separators (``21,310``, never ``2.131e+04`` or ``8.000``);
money has two decimals and separators (``1,234.50``); a rate (a share, a probability, a
conversion rate, an ROI) is a percentage (``12.34%``). Any other measure (a model parameter, a
lift in mixed units, a p-value) keeps four significant digits without an exponent, except for
values too small to show that way (p-values such as ``1.0e-35``). Missing values print as a dash,
never as 0; a column can say why it is missing (``n/a (no cost)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["MISSING", "cell", "count", "finite", "money", "number", "rate"]

MISSING = "—"

_COUNT_WORDS = (
    "customers", "contacted", "conversions", "treated", "n_treatment", "n_control", "orders",
    "rows", "purchases", "actual", "members", "contacts", "active", "new",
    "retained", "reactivated", "churned", "respondents", "answers", "eligible", "audience",
)  # fmt: skip
_MONEY_WORDS = (
    "revenue", "clv", "cost", "margin", "spend", "equity", "amount", "value", "budget",
    "monetary", "aov", "average_order",
)  # fmt: skip
_RATE_WORDS = ("rate", "share", "p_alive", "churn_risk", "probability", "roi")


def finite(value: Any) -> float | None:
    """``value`` as a float, or None when it is missing or not finite."""
    if value is None or isinstance(value, str | bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def count(value: Any) -> str:
    """An integer with thousands separators: ``21310.0`` -> ``21,310``."""
    v = finite(value)
    if v is None:
        return MISSING
    return f"{round(v):,}" if abs(v - round(v)) < 1e-9 else number(v)


def money(value: Any) -> str:
    """An amount with two decimals and thousands separators: ``1234.5`` -> ``1,234.50``."""
    v = finite(value)
    return MISSING if v is None else f"{v:,.2f}"


def rate(value: Any) -> str:
    """A share or probability as a percentage: ``0.1234`` -> ``12.34%``."""
    v = finite(value)
    return MISSING if v is None else f"{100 * v:,.2f}%"


def number(value: Any, digits: int = 4) -> str:
    """Any other measure: integers as counts, else ``digits`` significant digits, no exponent
    unless the value is below 0.0001 (p-values)."""
    v = finite(value)
    if v is None:
        return MISSING
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    magnitude = math.floor(math.log10(abs(v)))
    if magnitude < -4:
        return f"{v:.{max(digits - 1, 1)}e}"
    decimals = max(digits - 1 - magnitude, 0)
    return f"{v:,.{decimals}f}"


def _kind(column: str) -> str:
    name = column.lower()
    if name.startswith(("p_value", "p_adj")) or name.endswith("_p") or name in ("relative", "lift"):
        return "number"
    if any(w in name for w in _RATE_WORDS) and not name.startswith(("n_", "incremental")):
        return "rate"
    if name in ("conversion", "control_conversion", "treatment_conversion"):
        return "rate"
    if any(w in name for w in _MONEY_WORDS) or name.endswith("per_customer"):
        return "number" if "visits" in name else "money"
    if name in _COUNT_WORDS or name.startswith("n_") or name == "n":
        return "count"
    return "number"


def cell(
    value: Any,
    column: str = "",
    missing: Mapping[str, str] | None = None,
    digits: int | None = None,
) -> str:
    """One table cell, formatted by what the column holds (its name) and the value's type.

    ``missing`` maps a column name to the text shown for a missing value there (why it is
    missing, e.g. ``{"roi": "n/a (no cost)"}``); other missing values print as a dash.
    ``digits`` fixes the decimals of measures that are neither counts, money nor rates.
    """
    if isinstance(value, bool) or (value is not None and isinstance(value, str)):
        return str(value)
    v = finite(value)
    if v is None:
        if value is not None and not isinstance(value, float | int) and not _is_missing(value):
            return str(value)
        return (missing or {}).get(column, MISSING)
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return count(value)
    kind = _kind(column)
    if kind == "rate":
        return rate(value)
    if kind == "money":
        return money(value)
    if kind == "count" and v.is_integer():
        return count(v)
    if digits is not None and not v.is_integer():
        return f"{v:,.{digits}f}"
    return number(v)


def _is_missing(value: Any) -> bool:
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)  # NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False
