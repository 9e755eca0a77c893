"""Numerics shared by the models: inner products, horizons, covariates and Hessians.

One home for the pieces several model files need, so that no model imports another's
private helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from cvm._exceptions import DataError
from cvm.models._validation import as_array

__all__ = [
    "Data",
    "covariate_matrix",
    "dot",
    "forward_gradient",
    "future_time",
    "hessian_from_gradient",
    "hessian_from_values",
    "horizon",
    "newton_polish",
    "small_gradient",
    "subsample",
]

# Columns by name, as the likelihoods take them.
Data = Mapping[str, np.ndarray]


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product without BLAS threads, which stall on a busy machine for 1-d vectors."""
    return float(np.einsum("i,i->", a, b))


def future_time(future: Any) -> np.ndarray:
    """Time ahead for P(alive) at a future date: non-negative, scalar or per customer."""
    ahead = as_array(future, "future")
    if (ahead < 0).any():
        raise DataError("future must be >= 0 (time units after T)")
    return ahead if ahead.size > 1 else ahead.reshape(())


def horizon(t: Any) -> np.ndarray:
    """A forecast horizon: non-negative time units ahead, scalar or array."""
    ahead = as_array(t, "t")
    if (ahead < 0).any():
        raise DataError("the horizon t must be >= 0")
    return ahead


def covariate_matrix(
    covariates: Any, n: int, expected: list[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """A finite (n, k) float matrix and its column names."""
    if isinstance(covariates, pd.DataFrame):
        names = [str(c) for c in covariates.columns]
        if expected is not None and names != expected:
            raise DataError(f"covariates must have the columns {expected}, got {names}")
        matrix = covariates.to_numpy(dtype=float)
    else:
        matrix = np.asarray(covariates, dtype=float)
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        names = expected or [f"x{i}" for i in range(matrix.shape[1])]
    if matrix.ndim != 2 or matrix.shape[0] != n:
        raise DataError(f"covariates must have one row per customer ({n}), got {matrix.shape}")
    if expected is not None and matrix.shape[1] != len(expected):
        raise DataError(f"covariates must have {len(expected)} columns")
    bad = ~np.isfinite(matrix).all(axis=1)
    if bad.any():
        raise DataError(
            f"covariates have missing values at rows {np.flatnonzero(bad)[:5].tolist()}"
        )
    return matrix, names


def small_gradient(res: optimize.OptimizeResult) -> bool:
    """L-BFGS-B sometimes stops on an imprecise line search at an optimum: accept that."""
    jac = getattr(res, "jac", None)
    return jac is not None and np.isfinite(res.fun) and float(np.max(np.abs(jac))) < 1e-5


def subsample(
    data: Data, weights: np.ndarray, size: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """At most ``size`` rows drawn without replacement (seeded, in their original order)."""
    n = weights.shape[0]
    if n <= size:
        return dict(data), weights
    idx = np.sort(np.random.default_rng(0).choice(n, size=size, replace=False))
    return {k: v[idx] for k, v in data.items()}, weights[idx]


def hessian_from_gradient(grad: Any, u: np.ndarray) -> np.ndarray:
    """Hessian by central differences of an analytic gradient."""
    k = u.size
    hess = np.empty((k, k))
    for i in range(k):
        h = 1e-5 * max(1.0, abs(u[i]))
        up, down = u.copy(), u.copy()
        up[i] += h
        down[i] -= h
        hess[i] = (grad(up) - grad(down)) / (2 * h)
    return hess


def hessian_from_values(f: Any, u: np.ndarray) -> np.ndarray:
    """Hessian by second differences of the function's values."""
    k = u.size
    hess = np.empty((k, k))
    h = 1e-4 * np.maximum(1.0, np.abs(u))
    f0 = f(u)
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i], ej[j] = h[i], h[j]
            if i == j:
                val = (f(u + ei) - 2 * f0 + f(u - ei)) / (h[i] ** 2)
            else:
                val = (f(u + ei + ej) - f(u + ei - ej) - f(u - ei + ej) + f(u - ei - ej)) / (
                    4 * h[i] * h[j]
                )
            hess[i, j] = hess[j, i] = val
    return hess


def forward_gradient(f: Any, u: np.ndarray, f0: float) -> np.ndarray:
    """Gradient of ``f`` at ``u`` by forward differences, given ``f0 = f(u)``."""
    g = np.empty_like(u)
    for i in range(u.size):
        h = 1e-7 * max(1.0, abs(u[i]))
        step = u.copy()
        step[i] += h
        g[i] = (f(step) - f0) / h
    return g


def newton_polish(
    objective: Any, u: np.ndarray, hess_mean: np.ndarray, tol: float, max_iter: int = 25
) -> np.ndarray | None:
    """Newton steps with a fixed approximate Hessian; None when they do not converge.

    ``objective(u)`` returns the value and its gradient. A last step smaller than ``tol`` is
    taken without checking: the error left is a fraction of it and far below the standard
    errors.
    """
    value, grad = objective(u)
    for _ in range(max_iter):
        step = np.linalg.solve(hess_mean, grad)
        size = float(np.max(np.abs(step)))
        if size < tol:
            return np.asarray(u - step)
        for _halving in range(20):
            trial = u - step
            new_value, new_grad = objective(trial)
            if new_value <= value + 1e-14 * max(1.0, abs(value)):
                break
            step = step / 2
        else:
            return u if size < 100 * tol else None
        u, value, grad = trial, new_value, new_grad
    return None
