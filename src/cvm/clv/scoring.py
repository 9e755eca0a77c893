"""Per-customer CLV scores from a fit: expected purchases, P(alive), spend, discounted CLV."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.clv.fitting import ClvFit, by_customer
from cvm.engines import sql_file
from cvm.features.summary import UNIT_DAYS
from cvm.models import customer_lifetime_value, customer_lifetime_value_interval
from cvm.models.units import annual_rate, horizon_in_years

KEY = ["frequency", "recency", "T", "monetary_value"]


def last_transaction_day(ws: Any) -> date:
    """The day of the newest transaction: the natural default cutoff."""
    day = ws.engine.scalar(sql_file(__package__, "last_transaction_day.sql"))
    if day is None:
        raise DataError("the workspace has no transactions: load some with `cvm ingest`")
    return day


def score_clv(
    fit: ClvFit,
    *,
    model: str | None = None,
    horizon_years: float | None = None,
    horizon_months: float | None = None,
    annual_discount_rate: float | None = None,
    monthly_discount_rate: float | None = None,
    margin: float = 0.30,
    intervals: bool = True,
    n_draws: int = 200,
    random_state: Any = 0,
    discount_rate: float | None = None,
) -> pd.DataFrame:
    """Score every customer of the fit's summary with one transaction model (default: best).

    The horizon is ``horizon_years`` (default 1) or ``horizon_months``; the discount rate
    ``annual_discount_rate`` (default 0.10) or ``monthly_discount_rate`` (lifetimes' unit);
    ``discount_rate`` is the deprecated name of the annual one (see :mod:`cvm.models.units`).

    Columns: the summary's ``frequency, recency, T, monetary_value``, then
    ``expected_purchases`` over the horizon, ``p_alive`` at the cutoff, ``expected_spend`` per
    purchase (Gamma-Gamma, or the customer's own mean when no spend model could be fitted),
    discounted ``clv`` (margin x spend x discounted expected purchases), ``spend_imputed``
    (a repeat buyer whose repeat orders net to $0 or less, given the population mean spend)
    and, with ``intervals``, ``clv_lower``/``clv_upper``: a 95% interval from parameter
    uncertainty. Without a spend model, customers with no positive repeat spend of their own
    get no CLV (NaN), never 0.

    Customers with the same history get the same score, so the maths runs on the distinct rows.
    """
    rate = annual_rate(annual_discount_rate, monthly_discount_rate, discount_rate)
    years = horizon_in_years(horizon_years, horizon_months)
    name = model or fit.best
    if name not in fit.models:
        raise DataError(f"model {name!r} was not fitted; fitted: {', '.join(fit.models)}")
    if not 0 <= margin <= 1:
        raise DataError(f"margin must be a share between 0 and 1, got {margin}")
    transaction_model: Any = fit.models[name]
    summary = fit.summary
    x_all = summary["frequency"].to_numpy(dtype=float)
    m_raw = summary["monetary_value"].to_numpy(dtype=float)
    # A repeat buyer whose repeat orders net to <= 0 has no usable mean spend: the spend model
    # treats it as missing (frequency 0 in the spend model), i.e. the population mean.
    imputed = (x_all > 0) & (m_raw <= 0)
    x_spend = np.where(imputed, 0.0, x_all)
    m_all = np.where(x_spend > 0, m_raw, 0.0)
    if fit.spend is not None:
        with by_customer(summary.index):  # the arrays are the summary's rows, in order
            spend = fit.spend.conditional_expected_average_profit(x_spend, m_all)
    else:
        spend = np.where(x_spend > 0, m_all, np.nan)
    options: dict[str, Any] = {
        "margin": margin,
        "annual_discount_rate": rate,
        "horizon_years": years,
        "time_units_per_year": 365.0 / UNIT_DAYS[fit.unit],
    }
    # Customers with the same (frequency, recency, T) share every purchase prediction: compute
    # them once per distinct history, then spread back.
    codes, (x, t_x, T) = _distinct(summary, ["frequency", "recency", "T"])
    expected = transaction_model.conditional_expected_number_of_purchases_up_to_time(
        365.0 * years / UNIT_DAYS[fit.unit], x, t_x, T
    )
    discounted = customer_lifetime_value(transaction_model, x, t_x, T, 1.0, **options)
    out: dict[str, Any] = {
        "expected_purchases": np.asarray(expected)[codes],
        "p_alive": np.asarray(transaction_model.conditional_probability_alive(x, t_x, T))[codes],
        "expected_spend": spend,
        # no spend estimate (no spend model and no own repeat spend): CLV unknown, not 0
        "clv": np.asarray(discounted)[codes] * spend,
        "spend_imputed": imputed,
    }
    if intervals and fit.spend is not None:
        codes4, (x4, t4, T4, m4, s4) = _distinct(
            summary.assign(monetary_value=m_all, spend_frequency=x_spend),
            ["frequency", "recency", "T", "monetary_value", "spend_frequency"],
        )
        ci = customer_lifetime_value_interval(
            transaction_model,
            x4,
            t4,
            T4,
            spend_model=fit.spend,
            monetary_value=m4,
            spend_frequency=s4,
            n_draws=n_draws,
            random_state=random_state,
            **options,
        )
        out["clv_lower"] = ci["lower"].to_numpy()[codes4]
        out["clv_upper"] = ci["upper"].to_numpy()[codes4]
    scored = pd.DataFrame(out, index=summary.index)
    return pd.concat([summary[KEY], scored], axis=1)


def _distinct(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group codes of each row and the distinct rows' columns (hash grouping, no sort)."""
    codes = frame.groupby(columns, sort=False).ngroup().to_numpy()
    first = np.unique(codes, return_index=True)[1]
    return codes, [frame[c].to_numpy(dtype=float)[first] for c in columns]
