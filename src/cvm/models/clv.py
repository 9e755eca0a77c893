"""Discounted customer lifetime value from a transaction model and a spend model.

Expected purchases in each step of the horizon (month by month by default) times the expected
spend per purchase and the margin, discounted, as lifetimes' ``customer_lifetime_value`` does
(Fader, Hardie and Lee 2005, "RFM and CLV", JMR 42(4), section "Computing CLV").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm.models._validation import as_array, check_rfm, like_input, series_index
from cvm.models.gamma_gamma import GammaGammaModel
from cvm.models.transaction import Params, TransactionModel
from cvm.models.units import annual_rate, horizon_in_years

__all__ = ["customer_equity", "customer_lifetime_value", "customer_lifetime_value_interval"]

# Elements (draws x customers) per block when sampling: bounds memory to a few hundred MB.
_BLOCK = 1 << 21


def _schedule(
    horizon: float,
    time_units_per_year: float,
    steps_per_year: int,
    discount_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Step end times (model units) and their discount factors."""
    if horizon <= 0 or time_units_per_year <= 0 or steps_per_year < 1:
        raise DataError("horizon, time_units_per_year and steps_per_year must be positive")
    if discount_rate <= -1:
        raise DataError("discount_rate must be > -1 (an annual rate such as 0.10)")
    steps = int(np.ceil(horizon * steps_per_year - 1e-9))
    ends_years = np.minimum(np.arange(1, steps + 1) / steps_per_year, horizon)
    factor = (1.0 + discount_rate) ** -ends_years
    return ends_years * time_units_per_year, factor


def _discounted(forecast: Any, ends: np.ndarray, factor: np.ndarray) -> Any:
    """Sum over steps of each step's expected purchases times its discount factor."""
    total: Any = 0.0
    previous: Any = 0.0
    for end, disc in zip(ends, factor, strict=True):
        cumulative = forecast(end)
        total = total + (cumulative - previous) * disc
        previous = cumulative
    return total


def _discounted_continuous(
    forecast: Any, horizon_units: float, rate_per_unit: float, nodes: int
) -> Any:
    """Continuously discounted purchases, int_0^H e^(-d t) dE(t), by Gauss-Legendre.

    Integrating by parts gives e^(-d H) E(H) + d int_0^H e^(-d t) E(t) dt; E is smooth, so a
    few nodes give the integral to many digits, with far fewer model evaluations than steps.
    """
    total = np.exp(-rate_per_unit * horizon_units) * forecast(horizon_units)
    if rate_per_unit > 0:
        for node, weight in zip(*np.polynomial.legendre.leggauss(nodes), strict=True):
            t = horizon_units * (node + 1) / 2
            w = weight * horizon_units / 2
            total = total + rate_per_unit * w * np.exp(-rate_per_unit * t) * forecast(t)
    return total


def _nodes(horizon_years: float) -> int:
    """Gauss-Legendre nodes for the continuous discounting integral: 5 for a year, up to 16."""
    return int(np.clip(np.ceil(5 * np.sqrt(horizon_years)), 5, 16))


class _Discount:
    """How expected purchases over the horizon are discounted: by steps or continuously."""

    def __init__(
        self,
        horizon: float,
        time_units_per_year: float,
        steps_per_year: int,
        discount_rate: float,
        continuous: bool,
    ) -> None:
        self.ends, self.factor = _schedule(
            horizon, time_units_per_year, steps_per_year, discount_rate
        )
        self.continuous = continuous
        self.horizon_units = horizon * time_units_per_year
        self.rate = np.log1p(discount_rate) / time_units_per_year
        self.nodes = _nodes(horizon)

    def apply(self, forecast: Any) -> Any:
        """Discounted expected purchases given ``forecast(t) = E[Y(t)]``."""
        if self.continuous:
            return _discounted_continuous(forecast, self.horizon_units, self.rate, self.nodes)
        return _discounted(forecast, self.ends, self.factor)


def _forecaster(model: TransactionModel, params: Params, x: Any, t_x: Any, T: Any) -> Any:
    """t -> E[Y(t) | x, t_x, T], with P(alive) computed once when the model factorises."""
    if model.factorised:
        alive = model.alive_part(params, x, t_x, T)
        return lambda t: model.lifetime_part(params, t, x, T) * alive
    return lambda t: model.expected_purchases(params, t, x, t_x, T)


def customer_lifetime_value(
    transaction_model: TransactionModel,
    frequency: Any,
    recency: Any,
    T: Any,
    spend: Any,
    *,
    margin: float = 1.0,
    annual_discount_rate: float | None = None,
    monthly_discount_rate: float | None = None,
    horizon_years: float | None = None,
    horizon_months: float | None = None,
    time_units_per_year: float = 365.0,
    steps_per_year: int = 12,
    continuous: bool = False,
    discount_rate: float | None = None,
    horizon: float | None = None,
) -> Any:
    """Discounted value of each customer's expected purchases over the horizon.

    Parameters
    ----------
    transaction_model : BetaGeoModel, ModifiedBetaGeoModel or ParetoNBDModel
        A fitted model of purchase counts.
    frequency, recency, T : array-like
        The customers' summaries, in the model's time unit.
    spend : float or array-like
        Expected value per purchase, e.g. ``GammaGammaModel.conditional_expected_average_profit``.
    margin : float
        Share of the spend kept as profit.
    annual_discount_rate, monthly_discount_rate : float
        One discount rate: per year (default 0.10 for 10% a year) or per month (as lifetimes'
        ``discount_rate``: 0.01 a month is 12.68% a year). See :mod:`cvm.models.units`.
    horizon_years, horizon_months : float
        One horizon: years ahead (default 1) or months ahead (as lifetimes' ``time``).
    time_units_per_year : float
        Model time units in a year: 365 for days, 52.18 for weeks, 12 for months.
    steps_per_year : int
        Discounting steps per year (12: purchases of each month are discounted together).
    continuous : bool
        Discount continuously at ``log(1 + discount_rate)`` a year, integrated over the horizon
        by Gauss-Legendre quadrature instead of step by step (``steps_per_year`` is unused).
        Also the faster option: 6 model evaluations for a one-year horizon instead of 12.
    discount_rate, horizon : float
        Deprecated names of ``annual_discount_rate`` and ``horizon_years``.

    Returns
    -------
    numpy.ndarray, or a pandas Series on the index of ``frequency`` when that is a Series
        CLV per customer, in the currency of ``spend``.

    Examples
    --------
    A BG/NBD fit in weeks; two customers, $25 a purchase, 30% margin, one year at 10%:

    >>> from cvm.datasets import simulate_bgnbd_summary
    >>> from cvm.models import BetaGeoModel
    >>> d = simulate_bgnbd_summary(400, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, seed=1)
    >>> bg = BetaGeoModel().fit(d["frequency"], d["recency"], d["T"])
    >>> clv = customer_lifetime_value(
    ...     bg, [0, 5], [0, 38], [39, 39], 25.0, margin=0.3, time_units_per_year=52.18
    ... )
    >>> clv.round(2)
    array([ 1.66, 33.4 ])
    """
    rate = annual_rate(annual_discount_rate, monthly_discount_rate, discount_rate)
    years = horizon_in_years(horizon_years, horizon_months, horizon)
    x, t_x, t = check_rfm(frequency, recency, T)
    value = _spend(spend, x.shape[0])
    transaction_model.check_fitted()
    params = {str(k): float(v) for k, v in transaction_model.params_.items()}
    forecast = _forecaster(transaction_model, params, x, t_x, t)
    discount = _Discount(years, time_units_per_year, steps_per_year, rate, continuous)
    clv = margin * value * discount.apply(forecast)
    return like_input(clv, frequency, recency, T, spend, name="clv")


def customer_equity(
    transaction_model: TransactionModel,
    frequency: Any,
    recency: Any,
    T: Any,
    spend: Any,
    **options: Any,
) -> float:
    """Customer equity: the sum of the customers' lifetime values (same options)."""
    return float(
        customer_lifetime_value(transaction_model, frequency, recency, T, spend, **options).sum()
    )


def customer_lifetime_value_interval(
    transaction_model: TransactionModel,
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    spend: Any = None,
    spend_model: GammaGammaModel | None = None,
    monetary_value: Any = None,
    spend_frequency: Any = None,
    margin: float = 1.0,
    annual_discount_rate: float | None = None,
    monthly_discount_rate: float | None = None,
    horizon_years: float | None = None,
    horizon_months: float | None = None,
    time_units_per_year: float = 365.0,
    steps_per_year: int = 12,
    continuous: bool = False,
    n_draws: int = 200,
    level: float = 0.95,
    random_state: Any = None,
    discount_rate: float | None = None,
    horizon: float | None = None,
) -> pd.DataFrame:
    """CLV per customer with an interval from parameter uncertainty.

    Parameters are drawn from each model's Laplace approximation (multivariate normal on the log
    scale with the inverse Hessian as covariance); CLV is computed for every draw and customer,
    in blocks of draws x customers that bound memory, and the interval is the draws'
    ``level`` quantiles. Give either a fixed ``spend`` or a fitted Gamma-Gamma ``spend_model``
    with the customers' ``monetary_value`` (its uncertainty is then propagated too).
    ``spend_frequency`` (default ``frequency``) is the repeat count the spend model conditions
    on: 0 for a customer whose mean spend is unknown gives the population mean.

    The discount rate and horizon are named with their unit, as in
    :func:`customer_lifetime_value`.

    Returns
    -------
    DataFrame with ``clv`` (at the fitted parameters), ``lower`` and ``upper``, on the index of
    ``frequency`` when that is a Series.
    """
    rate = annual_rate(annual_discount_rate, monthly_discount_rate, discount_rate)
    years = horizon_in_years(horizon_years, horizon_months, horizon)
    index = series_index(frequency, recency, T)
    x, t_x, t = check_rfm(frequency, recency, T)
    n = x.shape[0]
    if not 0 < level < 1:
        raise DataError("level must be between 0 and 1")
    discount = _Discount(years, time_units_per_year, steps_per_year, rate, continuous)
    model = transaction_model
    rng = np.random.default_rng(random_state)
    draws = transaction_model.sample_params(n_draws, rng)
    spend_draws: Any
    if spend_model is not None:
        if monetary_value is None:
            raise DataError("spend_model needs monetary_value")
        spend_model.check_fitted()
        m = as_array(monetary_value, "monetary_value")
        xs = x if spend_frequency is None else as_array(spend_frequency, "spend_frequency")
        point_spend = spend_model.conditional_expected_average_profit(xs, m)
        sd = spend_model.sample_params(n_draws, rng)
        spend_params = {k: sd[k].to_numpy()[:, None] for k in ("p", "q", "gamma")}
        gg = spend_model

        def spend_draws(idx: Any) -> Any:
            return gg.expected_spend(spend_params, xs[None, idx], m[None, idx])

    else:
        if spend is None:
            raise DataError("give spend or spend_model with monetary_value")
        point_spend = _spend(spend, n)

        def spend_draws(idx: Any) -> Any:
            return point_spend[None, idx]

    point = customer_lifetime_value(
        transaction_model, x, t_x, t, np.asarray(point_spend), margin=margin,
        annual_discount_rate=rate, horizon_years=years, time_units_per_year=time_units_per_year,
        steps_per_year=steps_per_year, continuous=continuous,
    )  # fmt: skip
    params = {str(k): draws[k].to_numpy()[:, None] for k in draws.columns}
    lower, upper = np.empty(n), np.empty(n)
    tail = (1 - level) / 2
    width = max(1, _BLOCK // max(n_draws, 1))

    def bound(idx: np.ndarray, values: Any) -> None:
        lower[idx], upper[idx] = np.quantile(values, [tail, 1 - tail], axis=0)

    if model.factorised:
        # E[Y(t)] = lifetime part (x, T) x alive part (x, t_x, T): the costly, t-dependent
        # part is computed once per distinct (x, T) and draw, not once per customer.
        groups = pd.DataFrame({"x": x, "T": t}).groupby(["x", "T"], sort=False)
        codes = groups.ngroup().to_numpy()
        first = np.unique(codes, return_index=True)[1]
        xu, tu = x[first], t[first]
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        for c0 in range(0, first.size, width):
            c1 = min(c0 + width, first.size)
            part = discount.apply(
                lambda h, c0=c0, c1=c1: model.lifetime_part(
                    params, h, xu[None, c0:c1], tu[None, c0:c1]
                )
            )
            lo, hi = np.searchsorted(sorted_codes, [c0, c1])
            for b0 in range(lo, hi, width):
                idx = order[b0 : min(b0 + width, hi)]
                alive = model.alive_part(params, x[None, idx], t_x[None, idx], t[None, idx])
                bound(idx, margin * spend_draws(idx) * alive * part[:, codes[idx] - c0])
    else:
        for start in range(0, n, width):
            idx = np.arange(start, min(start + width, n))
            forecast = _forecaster(model, params, x[None, idx], t_x[None, idx], t[None, idx])
            bound(idx, margin * spend_draws(idx) * discount.apply(forecast))
    return pd.DataFrame({"clv": point, "lower": lower, "upper": upper}, index=index)


def _spend(spend: Any, n: int) -> np.ndarray:
    value = as_array(spend, "spend")
    if value.size == 1:
        value = np.full(n, value[0])
    if value.shape[0] != n:
        raise DataError(f"spend has {value.shape[0]} values for {n} customers")
    return value
