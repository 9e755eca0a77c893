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

from cvm.models.base import BaseModel

__all__ = ["TransactionModel"]

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
