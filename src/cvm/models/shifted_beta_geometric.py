"""Shifted-beta-geometric (sBG) model of contract renewals.

Fader, P. S. and Hardie, B. G. S. (2007), "How to Project Customer Retention", Journal of
Interactive Marketing 21(1), 76-90; and Fader and Hardie (2010), "Customer-Base Valuation in a
Contractual Setting: The Perils of Ignoring Heterogeneity", Marketing Science 29(1), 85-93.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, hyp2f1

from cvm._exceptions import DataError
from cvm.models._compress import unique_rows
from cvm.models._math import Data
from cvm.models._validation import as_array, check_counts, check_same_length, check_weights, require
from cvm.models.base import BaseModel

__all__ = ["ShiftedBetaGeometricModel"]


class ShiftedBetaGeometricModel(BaseModel):
    """sBG model: each customer churns at the end of a period with probability ``theta``.

    Across customers ``theta ~ Beta(alpha, beta)``, so the cohort's retention rate rises over
    time as the likely churners leave. Fit from one cohort's survival counts
    (:meth:`fit_survival`), its losses per period (:meth:`fit_lost`), or per-customer contract
    histories (:meth:`fit`).

    Options (``penalizer``, ``max_iter``, ``max_seconds``) as in :class:`BaseModel`.

    References
    ----------
    Fader and Hardie (2007), JIM 21(1), eq. 4-7; Fader and Hardie (2010), Marketing Science
    29(1), eq. 6 (DERL).

    Examples
    --------
    The "regular" cohort of Fader and Hardie (2007), who report alpha = 0.704, beta = 1.182:

    >>> model = ShiftedBetaGeometricModel().fit_survival([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> model.params_.round(3).to_dict()
    {'alpha': 0.704, 'beta': 1.182}

    The retention rate rises as the likely churners leave:

    >>> model.retention_rate([1, 7]).round(3)
    array([0.627, 0.911])
    """

    _param_names = ("alpha", "beta")
    _advice = (
        "Try: a small penalizer (e.g. penalizer=0.001), a cohort with more renewal periods"
        " observed or more customers, and check the inputs (periods count the renewal periods"
        " each contract was observed, from 1; churned marks contracts that ended)."
    )

    def fit(self, periods: Any, churned: Any, *, weights: Any = None) -> ShiftedBetaGeometricModel:
        """Fit on contract histories.

        Parameters
        ----------
        periods : array-like
            Periods each customer was observed (>= 1): the period of churn for churners.
        churned : array-like of bool
            True if the customer churned at the end of ``periods``, False if still active.
        weights : array-like, optional
            Number of customers each row stands for.
        """
        t = as_array(periods, "periods")
        c = as_array(np.asarray(churned, dtype=float), "churned")
        n = check_same_length(periods=t, churned=c)
        check_counts(t, "periods")
        require(t < 1, "periods must be >= 1")
        require((c != 0) & (c != 1), "churned must be True or False")
        w = check_weights(weights, n)
        if not (c[w > 0] == 1).any():
            raise DataError("no customer churned: the sBG model cannot be fitted")
        if not (c[w > 0] == 0).any() and np.unique(t[w > 0]).size < 2:
            raise DataError("all customers churned in the same period: nothing to fit")
        data, w = unique_rows({"t": t, "churned": c}, w)
        self._fit(data, w)
        return self

    def fit_survival(self, survivors: Any) -> ShiftedBetaGeometricModel:
        """Fit on a cohort's survivors at the start and after each period.

        ``survivors[0]`` is the cohort size, ``survivors[t]`` those still active after ``t``
        periods, e.g. ``[1000, 631, 468, 382, 326, 289, 262, 241]``.
        """
        s = as_array(survivors, "survivors")
        if s.size < 2:
            raise DataError("survivors needs the cohort size and at least one later count")
        check_counts(s, "survivors")
        require(np.r_[False, np.diff(s) > 0], "survivors must not increase")
        return self.fit_lost(-np.diff(s), s[0])

    def fit_lost(self, lost: Any, initial: float) -> ShiftedBetaGeometricModel:
        """Fit on the customers lost in each period out of a cohort of ``initial``."""
        lost_ = as_array(lost, "lost")
        check_counts(lost_, "lost")
        remaining = float(initial) - float(lost_.sum())
        if remaining < 0:
            raise DataError(f"lost ({lost_.sum():g} in total) exceeds the cohort ({initial:g})")
        k = lost_.size
        periods = np.r_[np.arange(1, k + 1), k]
        churned = np.r_[np.ones(k), 0.0]
        weights = np.r_[lost_, remaining]
        keep = weights > 0
        return self.fit(periods[keep], churned[keep].astype(bool), weights=weights[keep])

    def _initial_params(self, data: Data, weights: np.ndarray) -> np.ndarray:
        return np.array([1.0, 1.0])

    def _row_log_likelihood(self, params: np.ndarray, data: Data) -> np.ndarray:
        alpha, beta = params
        t, churned = data["t"], data["churned"]
        lost = betaln(alpha + 1, beta + t - 1)
        kept = betaln(alpha, beta + t)
        return np.asarray(np.where(churned == 1, lost, kept) - betaln(alpha, beta))

    # ------------------------------------------------------------------ predictions
    def _periods(self, t: Any) -> np.ndarray:
        periods = as_array(t, "t")
        require(periods < 0, "t must be >= 0")
        return periods

    def survival(self, t: Any) -> np.ndarray:
        """S(t): share of the cohort still active after ``t`` periods (eq. 5)."""
        p = self._p()
        t_ = self._periods(t)
        a, b = p["alpha"], p["beta"]
        return np.asarray(np.exp(betaln(a, b + t_) - betaln(a, b)))

    def churn_probability(self, t: Any) -> np.ndarray:
        """P(T = t): share of the cohort lost in period ``t`` >= 1 (eq. 4)."""
        p = self._p()
        t_ = self._periods(t)
        require(t_ < 1, "t must be >= 1")
        a, b = p["alpha"], p["beta"]
        return np.asarray(np.exp(betaln(a + 1, b + t_ - 1) - betaln(a, b)))

    def retention_rate(self, t: Any) -> np.ndarray:
        """r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1), t >= 1 (eq. 7)."""
        p = self._p()
        t_ = self._periods(t)
        require(t_ < 1, "t must be >= 1")
        return np.asarray((p["beta"] + t_ - 1) / (p["alpha"] + p["beta"] + t_ - 1))

    def discounted_expected_residual_lifetime(
        self, discount_rate: float, renewals: Any = 0
    ) -> np.ndarray:
        """DERL: discounted expected number of future payments of an active customer.

        For a customer who has made ``renewals`` renewals and is about to decide on the next
        one, with payments at each period start (Fader and Hardie 2010, eq. 6):
        ``(beta+n)/(alpha+beta+n) 2F1(1, beta+n+1; alpha+beta+n+1; 1/(1+d))``. Multiply by
        the margin per period to get a residual value.
        """
        if discount_rate <= 0:
            raise DataError("discount_rate must be > 0 per period")
        p = self._p()
        n = as_array(renewals, "renewals")
        require(n < 0, "renewals must be >= 0")
        b = p["beta"] + n
        a = p["alpha"]
        return np.asarray(b / (a + b) * hyp2f1(1.0, b + 1, a + b + 1, 1.0 / (1.0 + discount_rate)))
