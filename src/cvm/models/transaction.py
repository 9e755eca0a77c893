"""The contract of a transaction model: what CLV needs from a model of repeat purchases.

A transaction model is fitted on each customer's repeat purchases (``frequency``), the age at
the last one (``recency``) and the age at the end of observation (``T``), and forecasts the
purchases ahead. :mod:`cvm.models.clv` discounts those forecasts at given parameters (the fit,
or draws from its uncertainty), through the hooks declared here.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from scipy.special import betainc, gammaln

from cvm._exceptions import DataError
from cvm.models._validation import as_array
from cvm.models.base import BaseModel

__all__ = ["TransactionModel", "nbinom_logpmf", "nbinom_tail", "whole"]

Params = Mapping[str, Any]


class TransactionModel(BaseModel):
    """A model of repeat purchases that forecasts them per customer.

    Each prediction has two forms: a method on the fitted model and new arrays (what users
    call), and a hook at given parameters ``params`` (a mapping of parameter name to a float or
    an array that broadcasts against the customers), which CLV intervals evaluate at many draws.

    The hooks factorise the conditional expectation:
    ``E[Y(t) | x, t_x, T] = lifetime_part(t, x, T) * alive_part(x, t_x, T)``. The first part does
    not depend on recency, so it is computed once per distinct ``(x, T)`` and horizon.
    A model whose expectation does not factorise sets ``factorised = False`` and overrides
    :meth:`expected_purchases`; CLV then evaluates it customer by customer.

    Examples
    --------
    >>> from cvm.datasets import simulate_paretonbd_summary
    >>> from cvm.models import ParetoNBDModel
    >>> d = simulate_paretonbd_summary(400, r=0.5, alpha=8.0, s=0.6, beta=10.0, T=39.0, seed=1)
    >>> model = ParetoNBDModel().fit(d["frequency"], d["recency"], d["T"])
    >>> isinstance(model, TransactionModel)
    True
    >>> params = model.params_.to_dict()
    >>> x, t_x, T = 5.0, 38.0, 39.0
    >>> hooks = model.lifetime_part(params, 10.0, x, T) * model.alive_part(params, x, t_x, T)
    >>> ahead = model.conditional_expected_number_of_purchases_up_to_time(10.0, x, t_x, T)
    >>> bool(abs(hooks - ahead[0]) < 1e-12)
    True
    """

    factorised: ClassVar[bool] = True
    # (largest frequency, largest T) of the fitted data: the default extent of the P(alive)
    # matrix, as lifetimes takes it from the data it keeps
    _data_range: tuple[float, float] | None = None

    def _remember_range(self, x: np.ndarray, T: np.ndarray) -> None:
        self._data_range = (float(x.max()), float(T.max())) if x.size else None

    def conditional_probability_alive_matrix(
        self, max_frequency: int | None = None, max_recency: int | None = None
    ) -> np.ndarray:
        """P(alive) of a customer of age ``max_recency`` for every (recency, frequency).

        As lifetimes' method of the same name: a matrix ``[recency, frequency]`` for recency
        0..``max_recency`` and frequency 0..``max_frequency`` (defaults: the largest frequency
        and T of the fitted data), every customer observed for ``T = max_recency``. The column
        of frequency 0 at recency > 0 is not a possible history (recency is 0 then); it holds
        the formula's value there, as in lifetimes.
        """
        self.check_fitted()
        if max_frequency is None or max_recency is None:
            if self._data_range is None:
                raise DataError("give max_frequency and max_recency (no fitted data range)")
            max_frequency = int(self._data_range[0]) if max_frequency is None else max_frequency
            max_recency = int(self._data_range[1]) if max_recency is None else max_recency
        if max_frequency < 0 or max_recency < 0:
            raise DataError("max_frequency and max_recency must be >= 0")
        t_x, x = np.meshgrid(
            np.arange(max_recency + 1, dtype=float),
            np.arange(max_frequency + 1, dtype=float),
            indexing="ij",
        )
        params = {str(k): float(v) for k, v in self.params_.items()}
        return np.asarray(self.alive_part(params, x, t_x, np.full_like(x, float(max_recency))))

    @abstractmethod
    def fit(self, frequency: Any, recency: Any, T: Any, *, weights: Any = None) -> Any:
        """Fit on the customers' summaries (``weights``: customers each row stands for)."""

    @abstractmethod
    def conditional_probability_alive(
        self, frequency: Any, recency: Any, T: Any, *, future: Any = 0
    ) -> np.ndarray:
        """P(alive at T + future | frequency, recency, T), one per customer."""

    @abstractmethod
    def conditional_expected_number_of_purchases_up_to_time(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> np.ndarray:
        """Expected purchases in the next ``t`` time units, one per customer."""

    @abstractmethod
    def expected_number_of_purchases_up_to_time(self, t: Any) -> np.ndarray:
        """Expected repeat purchases of a new customer by time ``t``."""

    @abstractmethod
    def alive_part(self, params: Params, x: Any, t_x: Any, T: Any) -> Any:
        """P(alive at T | x, t_x, T) at ``params``: the factor that depends on recency."""

    @abstractmethod
    def lifetime_part(self, params: Params, t: Any, x: Any, T: Any) -> Any:
        """E[Y(t)] of a customer known to be alive at T, at ``params``."""

    def expected_purchases(self, params: Params, t: Any, x: Any, t_x: Any, T: Any) -> Any:
        """E[Y(t) | x, t_x, T] at ``params`` (scalars or arrays that broadcast)."""
        return self.lifetime_part(params, t, x, T) * self.alive_part(params, x, t_x, T)


def whole(n: Any) -> np.ndarray:
    """Purchase counts asked about: whole numbers >= 0."""
    count = as_array(n, "n")
    if (count < 0).any() or (count != np.round(count)).any():
        raise DataError("n must be whole numbers >= 0")
    return count


def nbinom_logpmf(n: Any, r: Any, t: Any, alpha: Any) -> Any:
    """log P(N(t) = n) for Poisson purchases at a Gamma(r, alpha) rate over time ``t``.

    The negative binomial with success probability alpha / (alpha + t); written with
    ``gammaln`` so that no ``scipy.stats`` import is needed.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        log_t = np.where(n > 0, n * (np.log(t) - np.log(alpha + t)), 0.0)
    return (
        gammaln(r + n)
        - gammaln(r)
        - gammaln(n + 1)
        + r * (np.log(alpha) - np.log(alpha + t))
        + log_t
    )


def nbinom_tail(n: Any, r: Any, t: Any, alpha: Any) -> Any:
    """P(N(t) >= n) for the same negative binomial: ``I_{t/(alpha+t)}(n, r)``, 1 at n = 0."""
    z = t / (alpha + t)
    return np.where(n > 0, betainc(np.maximum(n, 1), r, z), 1.0)
