"""Minor units of currencies (ISO 4217): the decimals an amount in that currency carries.

Converted amounts are rounded to the workspace currency's minor units when they are stored, so
``53.91 EUR x 1.2`` is stored as ``64.69``, not ``64.69200000000001``; a JPY workspace stores
whole yen, a BHD or KWD workspace three decimals.
"""

from __future__ import annotations

__all__ = ["minor_units"]

_ZERO = frozenset(
    ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
     "VND", "VUV", "XAF", "XOF", "XPF")
)  # fmt: skip
_THREE = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])
_FOUR = frozenset(("CLF", "UYW"))


def minor_units(currency: str) -> int:
    """Decimals of ``currency`` (ISO 4217 code): 0 for JPY, 3 for BHD and KWD, 2 for most."""
    code = currency.strip().upper()
    if code in _ZERO:
        return 0
    if code in _THREE:
        return 3
    return 4 if code in _FOUR else 2
