"""Saving a fitted model to a file and loading it back, in a safe format.

A saved model is JSON: the class name, the hyperparameters, the fitted parameters with their
covariance and fit statistics, and the few fitted attributes a model keeps beside them. Loading
reads numbers and names only (no pickle, so a file cannot run code), and a file that is not a
saved model, is damaged, or holds another class is one ``DataError`` line saying so.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from cvm._exceptions import DataError

__all__ = ["FORMAT", "Persistent"]

FORMAT = "cvm-model"
VERSION = 1
# Fitted attributes besides the parameters that predictions need, when a model has them.
_EXTRA = ("_covariate_names", "correlation_", "_data_range")

M = TypeVar("M", bound="Persistent")


class Persistent:
    """``model.save(path)`` and ``ModelClass.load(path)`` for the models of :mod:`cvm.models`."""

    def save(self, path: str | Path) -> Path:
        """Write the fitted model to ``path`` as JSON (read it back with ``load``)."""
        model: Any = self
        model.check_fitted()
        names = [str(n) for n in model.params_.index]
        extra = {k: getattr(model, k) for k in _EXTRA if getattr(model, k, None) is not None}
        record = {
            "format": FORMAT,
            "version": VERSION,
            "class": type(model).__name__,
            "hyperparameters": {k: getattr(model, k) for k in _hyperparameters(type(model))},
            "names": names,
            "params": [float(v) for v in model.params_],
            "free": [float(v) for v in model._u_],
            "covariance": np.asarray(model.covariance_, dtype=float).tolist(),
            "standard_errors": [float(v) for v in model.standard_errors_],
            "log_likelihood": float(model.log_likelihood_),
            "n_obs": float(model.n_obs_),
            "extra": {k: list(v) if isinstance(v, tuple) else v for k, v in extra.items()},
        }
        target = Path(path)
        target.write_text(json.dumps(record, indent=1), encoding="utf-8")
        return target

    @classmethod
    def load(cls: type[M], path: str | Path) -> M:
        """A fitted model read from a file written by ``save``.

        ``BaseModel.load(path)`` returns whichever model class the file holds; a subclass
        refuses a file of another class.
        """
        source = Path(path)
        try:
            record = json.loads(source.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DataError(f"cannot read the saved model {source}: {exc.strerror}") from None
        except ValueError:  # not UTF-8 text, or not JSON
            raise DataError(
                f"{source} is not a saved cvm model (not JSON); write one with model.save(path)"
            ) from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise DataError(f"{source} is not a saved cvm model (no {FORMAT!r} format mark)")
        if record.get("version") != VERSION:
            raise DataError(
                f"{source} is a saved model of format version {record.get('version')!r};"
                f" this cvm reads version {VERSION}"
            )
        target = _model_class(cls, str(record.get("class")), source)
        try:
            return _restore(target, record)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DataError(f"{source} is a damaged saved model ({exc!r})") from None


def _hyperparameters(cls: type) -> list[str]:
    """Keyword arguments of ``__init__``: what the model is built with."""
    params = inspect.signature(cls).parameters.values()
    return [p.name for p in params if p.kind == p.KEYWORD_ONLY]


def _model_class(cls: type[M], name: str, source: Path) -> type[M]:
    if cls.__name__ == name:
        return cls
    stack, seen = list(cls.__subclasses__()), set()
    while stack:
        sub = stack.pop()
        if sub.__name__ == name and not inspect.isabstract(sub):
            return sub
        if sub not in seen:
            seen.add(sub)
            stack.extend(sub.__subclasses__())
    raise DataError(f"{source} holds a {name}, not a {cls.__name__}: load it with {name}.load")


def _restore(cls: type[M], record: dict[str, Any]) -> M:
    import pandas as pd

    known = set(_hyperparameters(cls))
    options = {k: v for k, v in dict(record["hyperparameters"]).items() if k in known}
    model: Any = cls(**options)
    names = [str(n) for n in record["names"]]
    params = np.asarray(record["params"], dtype=float)
    free = np.asarray(record["free"], dtype=float)
    cov = np.asarray(record["covariance"], dtype=float)
    se = np.asarray(record["standard_errors"], dtype=float)
    k = len(names)
    if params.shape != (k,) or free.shape != (k,) or cov.shape != (k, k) or se.shape != (k,):
        raise ValueError(f"{k} parameter names but arrays of other sizes")
    if not (np.isfinite(params).all() and np.isfinite(free).all()):
        raise ValueError("parameters are not finite")
    for key, value in dict(record.get("extra", {})).items():
        if key not in _EXTRA:
            raise ValueError(f"unknown attribute {key}")
        setattr(model, key, tuple(value) if key == "_data_range" else value)
    if [str(n) for n in model._names()] != names:
        raise ValueError(f"parameters {names} do not belong to a {cls.__name__}")
    model._u_ = free
    model.params_ = pd.Series(params, index=names, name="coef")
    model.log_likelihood_ = float(record["log_likelihood"])
    model.n_obs_ = float(record["n_obs"])
    model.AIC_ = 2.0 * k - 2.0 * model.log_likelihood_
    model.BIC_ = k * np.log(model.n_obs_) - 2.0 * model.log_likelihood_
    model.covariance_ = pd.DataFrame(cov, index=names, columns=names)
    model.standard_errors_ = pd.Series(se, index=names, name="se")
    return model
