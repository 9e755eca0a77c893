"""Discount rates and horizons with their unit in the name.

cvm states a discount rate per year and a horizon in years; lifetimes states them per month
(``discount_rate=0.01`` a month, ``time=12`` months). Both are accepted, each with its unit in
the parameter's name, so neither reader can mistake one for the other:
``annual_discount_rate`` or ``monthly_discount_rate``, ``horizon_years`` or ``horizon_months``.
A monthly rate m is the annual rate (1 + m)^12 - 1, so monthly discounting at m (lifetimes)
and cvm's monthly steps at that annual rate give the same factors. The old names
``discount_rate`` (annual) and ``horizon`` (years) still work, with a ``FutureWarning``.
"""

from __future__ import annotations

import warnings

from cvm._exceptions import DataError

__all__ = ["DEFAULT_ANNUAL_RATE", "DEFAULT_HORIZON_YEARS", "annual_rate", "horizon_in_years"]

DEFAULT_ANNUAL_RATE = 0.10
DEFAULT_HORIZON_YEARS = 1.0


def _deprecated(old: str, new: str, stacklevel: int) -> None:
    warnings.warn(
        f"{old}= is deprecated and will be removed: use {new}", FutureWarning, stacklevel=stacklevel
    )


def annual_rate(
    annual_discount_rate: float | None = None,
    monthly_discount_rate: float | None = None,
    discount_rate: float | None = None,
    *,
    stacklevel: int = 4,
) -> float:
    """The annual discount rate from whichever one of the three names was given.

    >>> round(annual_rate(monthly_discount_rate=0.01), 6)
    0.126825
    >>> annual_rate()
    0.1
    """
    given = {
        name: value
        for name, value in (
            ("annual_discount_rate", annual_discount_rate),
            ("monthly_discount_rate", monthly_discount_rate),
            ("discount_rate", discount_rate),
        )
        if value is not None
    }
    if len(given) > 1:
        raise DataError(f"give one discount rate, not {' and '.join(given)}")
    if discount_rate is not None:
        instead = "annual_discount_rate= (or monthly_discount_rate=)"
        _deprecated("discount_rate", instead, stacklevel)
    if monthly_discount_rate is not None:
        if monthly_discount_rate <= -1:
            raise DataError("monthly_discount_rate must be > -1 (a monthly rate such as 0.01)")
        return float((1.0 + monthly_discount_rate) ** 12 - 1.0)
    rate = next(iter(given.values()), DEFAULT_ANNUAL_RATE)
    if rate <= -1:
        raise DataError("annual_discount_rate must be > -1 (an annual rate such as 0.10)")
    return float(rate)


def horizon_in_years(
    horizon_years: float | None = None,
    horizon_months: float | None = None,
    horizon: float | None = None,
    *,
    stacklevel: int = 4,
) -> float:
    """The horizon in years from whichever one of the three names was given.

    >>> horizon_in_years(horizon_months=18)
    1.5
    """
    given = {
        name: value
        for name, value in (
            ("horizon_years", horizon_years),
            ("horizon_months", horizon_months),
            ("horizon", horizon),
        )
        if value is not None
    }
    if len(given) > 1:
        raise DataError(f"give one horizon, not {' and '.join(given)}")
    if horizon is not None:
        _deprecated("horizon", "horizon_years= (or horizon_months=)", stacklevel)
    years = (
        horizon_months / 12.0
        if horizon_months is not None
        else next(iter(given.values()), DEFAULT_HORIZON_YEARS)
    )
    if not years > 0:
        raise DataError(f"the horizon must be positive, got {next(iter(given.items()))}")
    return float(years)
