"""The shared machinery of every CLV model: optimisation, uncertainty and summaries.

A model declares its parameter names, a starting point and a vectorised log-likelihood per
row (optionally with an analytic gradient); this class does the rest, in the manner of
lifelines' fitters and scikit-learn's estimator contract: ``__init__`` stores keyword
hyperparameters only, ``fit`` validates, sets attributes ending in ``_`` and returns ``self``.
"""

from __future__ import annotations

import time
import warnings
from abc import ABC, abstractmethod
from numbers import Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import ndtri

from cvm._exceptions import ConfigError, ConvergenceError, NotFittedError
from cvm.models._math import (
    Data,
    forward_gradient,
    hessian_from_gradient,
    hessian_from_values,
    newton_polish,
    small_gradient,
    subsample,
)
from cvm.models.persist import Persistent

__all__ = ["BaseModel", "Data"]

# Log-scale parameters are kept within exp(+-_BOUND); reaching it means the data do not
# identify the parameter (e.g. no repeat buyers) and is reported as non-convergence.
_BOUND = 18.0
# Rows per likelihood chunk: bounds memory whatever the number of customers.
_CHUNK = 1 << 19
# Above this many rows, a subsample gives the starting point for the full fit.
_WARM_START_ROWS = 200_000
_WARM_START_SAMPLE = 50_000
_WARM_START_SAMPLE_NUMERIC = 20_000
# Above this many rows, a model without analytic gradient takes its Hessian on a subsample.
_HESSIAN_ROWS = 100_000

_ADVICE = (
    "Try: a small penalizer (e.g. penalizer=0.001), rescaling time (days to weeks), "
    "more customers, and check the inputs (recency <= T, frequency counts repeat purchases only)."
)


class BaseModel(Persistent, ABC):
    """Maximum-likelihood fitting with Laplace-approximation uncertainty.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the natural-scale parameters (as in lifetimes), added to the mean
        negative log-likelihood. Helps when the data barely identify a parameter.
    max_iter : int, default 1000
        Iterations of each optimiser (L-BFGS-B, then Nelder-Mead at four times as many).
    max_seconds : float, default 120
        Wall-time budget of the optimisation, checked at every evaluation of the likelihood;
        past it the fit stops with a ``ConvergenceError``, so no fit runs unbounded.

    Attributes
    ----------
    params_ : pandas.Series
        Fitted parameters on their natural scale, indexed by name.
    log_likelihood_ : float
        Log-likelihood at the optimum (without the penalty).
    AIC_, BIC_ : float
        Information criteria.
    n_obs_ : float
        Number of customers (sum of weights).
    covariance_ : pandas.DataFrame
        Covariance of the parameters on the optimisation scale (log for positive ones).
    standard_errors_ : pandas.Series
        Standard errors on the natural scale (delta method).
    """

    _param_names: ClassVar[tuple[str, ...]] = ()
    # (weights, prepared likelihood) of the data being fitted: see ``_prepared``
    _cache: tuple[Any, Any] | None = None
    # True when ``_log_likelihood_and_gradient`` returns an analytic gradient.
    _analytic_gradient: ClassVar[bool] = False

    # What to try when the fit fails; models for other data (contracts) say their own.
    _advice: ClassVar[str] = _ADVICE

    def __init__(
        self, *, penalizer: float = 0.0, max_iter: int = 1000, max_seconds: float = 120.0
    ) -> None:
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.max_seconds = max_seconds

    @abstractmethod
    def fit(self, *args: Any, **kwargs: Any) -> Any:
        """Validate the data, maximise the likelihood, set the ``_`` attributes; return self."""

    # ----------------------------------------------------------------- hooks for models
    def _names(self) -> list[str]:
        """Parameter names; covariate models extend the class list at fit time."""
        return list(self._param_names)

    def _positive(self) -> np.ndarray:
        """Which parameters are positive (optimised on the log scale)."""
        return np.ones(len(self._names()), dtype=bool)

    def _initial_params(self, data: Data, weights: np.ndarray) -> np.ndarray:
        """A sensible starting point on the natural scale."""
        return np.ones(len(self._names()))

    def _row_log_likelihood(self, params: np.ndarray, data: Data) -> np.ndarray:
        """Log-likelihood of each row at natural-scale ``params``."""
        raise NotImplementedError

    def _log_likelihood_and_gradient(
        self, params: np.ndarray, data: Data, weights: np.ndarray, gradient: bool
    ) -> tuple[float, np.ndarray | None]:
        """Weighted total log-likelihood and, when the model has one, its analytic gradient.

        The default sums the per-row likelihood in chunks and returns no gradient (the
        optimiser then uses finite differences). Models override it for speed.
        """
        total = 0.0
        n = weights.shape[0]
        for start in range(0, n, _CHUNK):
            part = {k: v[start : start + _CHUNK] for k, v in data.items()}
            total += float(weights[start : start + _CHUNK] @ self._row_log_likelihood(params, part))
        return total, None

    def _prepared(self, factory: Any, data: Data, weights: np.ndarray) -> Any:
        """``factory(data, weights)``: a likelihood with its constant pieces computed once,
        kept while the optimiser evaluates the same data (models' fast paths use it)."""
        cached = getattr(self, "_cache", None)
        if cached is None or cached[0] is not weights:
            cached = (weights, factory(data, weights))
            self._cache = cached
        return cached[1]

    # ----------------------------------------------------------------- transforms
    def _to_natural(self, u: np.ndarray) -> np.ndarray:
        pos = self._positive()
        return np.where(pos, np.exp(np.clip(u, -700, 700)), u)

    def _to_free(self, params: np.ndarray) -> np.ndarray:
        pos = self._positive()
        return np.where(pos, np.log(np.where(pos, params, 1.0)), params)

    # ----------------------------------------------------------------- objective
    def _objective(
        self, u: np.ndarray, data: Data, weights: np.ndarray, total_weight: float
    ) -> tuple[float, np.ndarray]:
        """Mean penalised negative log-likelihood and its gradient on the free scale."""
        self._check_deadline()
        params = self._to_natural(u)
        ll, grad = self._log_likelihood_and_gradient(params, data, weights, True)
        value = -ll / total_weight + self.penalizer * float(np.sum(params**2))
        if not np.isfinite(value):
            return np.inf, np.zeros_like(u)
        if grad is None:
            return value, forward_gradient(
                lambda v: self._value(v, data, weights, total_weight), u, value
            )
        chain = np.where(self._positive(), params, 1.0)
        g = (-grad / total_weight + 2.0 * self.penalizer * params) * chain
        return value, g

    def _value(self, u: np.ndarray, data: Data, weights: np.ndarray, total_weight: float) -> float:
        self._check_deadline()
        params = self._to_natural(u)
        ll, _ = self._log_likelihood_and_gradient(params, data, weights, False)
        value = -ll / total_weight + self.penalizer * float(np.sum(params**2))
        return value if np.isfinite(value) else np.inf

    # ----------------------------------------------------------------- fitting
    _deadline: float | None = None

    def _check_deadline(self) -> None:
        """Stop a fit that has used its wall-time budget (checked at every evaluation)."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            self._deadline = None
            raise ConvergenceError(
                f"{type(self).__name__} did not converge within max_seconds={self.max_seconds:g}"
                " (the likelihood is flat or the data barely identify the parameters). "
                + self._advice
            )

    def _fit(self, data: Data, weights: np.ndarray) -> None:
        """Maximise the likelihood within the time budget; sets every fitted attribute."""
        self._check_options()
        self._deadline = time.monotonic() + float(getattr(self, "max_seconds", 120.0))
        try:
            self._maximise(data, weights)
        finally:
            self._deadline = None

    def _check_options(self) -> None:
        """Hyperparameters are checked at fit, as scikit-learn does: one line names the bad one."""
        checks = {
            "penalizer": (getattr(self, "penalizer", 0.0), 0.0, "a number >= 0"),
            "max_iter": (getattr(self, "max_iter", 1000), 1.0, "a whole number >= 1"),
            "max_seconds": (getattr(self, "max_seconds", 120.0), 0.0, "a number >= 0"),
        }
        for name, (value, low, what) in checks.items():
            ok = isinstance(value, Real) and not isinstance(value, bool)
            ok = ok and np.isfinite(value) and value >= low
            if not ok or (name == "max_iter" and value != int(value)):
                raise ConfigError(f"{type(self).__name__}: {name} must be {what}, got {value!r}")

    def _maximise(self, data: Data, weights: np.ndarray) -> None:
        names = self._names()
        total_weight = float(weights.sum())
        start = self._to_free(self._initial_params(data, weights))
        u: np.ndarray | None = None
        hess_mean: np.ndarray | None = None
        if weights.shape[0] > _WARM_START_ROWS:
            # Fit a subsample, then polish on all rows with Newton steps that reuse the
            # subsample's Hessian: a handful of passes over the full data instead of dozens.
            size = _WARM_START_SAMPLE if self._analytic_gradient else _WARM_START_SAMPLE_NUMERIC
            sub_data, sub_w = subsample(data, weights, size)
            sub_total = float(sub_w.sum())
            try:
                sub_u = self._optimise(start, sub_data, sub_w, sub_total)
                hess_mean = self._mean_hessian(sub_u, sub_data, sub_w, sub_total)
                # finite-difference gradients are noisy and cost k + 1 passes each: looser
                tol = 1e-8 if self._analytic_gradient else 3e-4
                u = newton_polish(
                    lambda v: self._objective(v, data, weights, total_weight), sub_u, hess_mean, tol
                )
                start = sub_u
            except (ConvergenceError, np.linalg.LinAlgError):
                if self._deadline is None:  # the time budget is spent: do not start over
                    raise
                u = None
        if u is None:
            u = self._optimise(start, data, weights, total_weight)
            hess_mean = None
        self._deadline = None  # converged: the uncertainty below is a bounded computation
        params = self._to_natural(u)
        ll, _ = self._log_likelihood_and_gradient(params, data, weights, False)
        self._u_ = u
        self.params_ = pd.Series(params, index=names, name="coef")
        self.log_likelihood_ = float(ll)
        self.n_obs_ = total_weight
        k = len(names)
        self.AIC_ = 2.0 * k - 2.0 * self.log_likelihood_
        self.BIC_ = k * np.log(total_weight) - 2.0 * self.log_likelihood_
        if hess_mean is None:
            # with many rows the Hessian comes from a subsample (the mean curvature is
            # estimated to well within the standard errors' own sampling error)
            sub_data, sub_w = subsample(data, weights, _HESSIAN_ROWS)
            hess_mean = self._mean_hessian(u, sub_data, sub_w, float(sub_w.sum()))
        cov = self._invert(total_weight * hess_mean)
        self.covariance_ = pd.DataFrame(cov, index=names, columns=names)
        se_free = np.sqrt(np.diag(cov))
        self.standard_errors_ = pd.Series(
            np.where(self._positive(), params * se_free, se_free), index=names, name="se"
        )

    def _optimise(
        self, start: np.ndarray, data: Data, weights: np.ndarray, total_weight: float
    ) -> np.ndarray:
        pos = self._positive()
        bounds = [(-_BOUND, _BOUND) if p else (None, None) for p in pos]
        args = (data, weights, total_weight)
        f0, _ = self._objective(start, *args)
        if not np.isfinite(f0):
            raise ConvergenceError(
                f"{type(self).__name__}: the log-likelihood is not finite at the starting point. "
                + self._advice
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = optimize.minimize(
                self._objective,
                start,
                args=args,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": self._max_iter(), "ftol": 1e-13, "gtol": 1e-7},
            )
            ok = res.success or small_gradient(res)
            if not ok:
                nm = optimize.minimize(
                    self._value,
                    res.x,
                    args=args,
                    method="Nelder-Mead",
                    options={"maxiter": 4 * self._max_iter(), "xatol": 1e-7, "fatol": 1e-12},
                )
                if nm.success and nm.fun <= res.fun:
                    res, ok = nm, True
        if not ok or not np.isfinite(res.fun):
            raise ConvergenceError(
                f"{type(self).__name__} did not converge within max_iter={self._max_iter()}"
                f" ({res.message}). " + self._advice
            )
        at_bound = pos & (np.abs(res.x) >= _BOUND - 1e-3)
        if at_bound.any():
            which = ", ".join(n for n, b in zip(self._names(), at_bound, strict=True) if b)
            raise ConvergenceError(
                f"{type(self).__name__} did not converge: {which} ran off to 0 or infinity, "
                "so the data do not identify it. " + self._advice
            )
        return np.asarray(res.x, dtype=float)

    def _max_iter(self) -> int:
        return int(getattr(self, "max_iter", 1000))

    def _mean_hessian(
        self, u: np.ndarray, data: Data, weights: np.ndarray, total_weight: float
    ) -> np.ndarray:
        """Hessian of the mean penalised negative log-likelihood on the free scale."""
        if self._analytic_gradient:
            hess = hessian_from_gradient(
                lambda v: self._objective(v, data, weights, total_weight)[1], u
            )
        else:
            hess = hessian_from_values(lambda v: self._value(v, data, weights, total_weight), u)
        return np.asarray((hess + hess.T) / 2.0)

    def _invert(self, hess: np.ndarray) -> np.ndarray:
        """Covariance from the Hessian of the total negative log-likelihood."""
        try:
            chol = np.linalg.cholesky(hess)
        except np.linalg.LinAlgError:
            raise ConvergenceError(
                f"{type(self).__name__}: the Hessian at the optimum is not positive definite, "
                "so the parameters are not identified by these data. " + self._advice
            ) from None
        inv = np.linalg.inv(chol)
        return np.asarray(inv.T @ inv)

    # ----------------------------------------------------------------- fitted use
    def check_fitted(self) -> None:
        """Raise ``NotFittedError`` unless ``fit`` has set the parameters."""
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(...) first"
            )

    def _p(self) -> dict[str, Any]:
        """Fitted parameters by name (natural scale)."""
        self.check_fitted()
        return {str(k): float(v) for k, v in self.params_.items()}

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """Coefficients, standard errors and confidence intervals.

        Intervals are built on the optimisation scale and mapped back, so positive parameters
        keep positive bounds; the standard error is the delta-method one on the natural scale.
        """
        self.check_fitted()
        z = ndtri(1 - alpha / 2)
        se_free = np.sqrt(np.diag(self.covariance_.to_numpy()))
        lo, hi = self._to_natural(self._u_ - z * se_free), self._to_natural(self._u_ + z * se_free)
        pct = f"{100 * (1 - alpha):g}%"
        return pd.DataFrame(
            {
                "coef": self.params_,
                "se": self.standard_errors_,
                f"lower {pct}": lo,
                f"upper {pct}": hi,
            },
            index=self.params_.index,
        )

    @property
    def confidence_intervals_(self) -> pd.DataFrame:
        """95% confidence intervals of the parameters (natural scale)."""
        table = self.summary()
        return table.iloc[:, 2:]

    def sample_params(self, n_draws: int, random_state: Any = None) -> pd.DataFrame:
        """Draws from the Laplace approximation of the parameters' posterior.

        Multivariate normal on the optimisation scale (mean at the optimum, covariance the
        inverse Hessian), mapped back to the natural scale: one row per draw.
        """
        self.check_fitted()
        rng = np.random.default_rng(random_state)
        free = rng.multivariate_normal(self._u_, self.covariance_.to_numpy(), size=n_draws)
        return pd.DataFrame(self._to_natural(free), columns=self.params_.index)

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}(penalizer={self.penalizer})"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"<{type(self).__name__}: {shown}; n={self.n_obs_:g}, LL={self.log_likelihood_:.2f}>"
