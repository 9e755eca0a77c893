"""A fitted model back from its stored parameters, to predict without fitting again.

A run keeps each model's ``params_`` (``model_runs.params``); the service scores new histories
with them, the same predictions as the model that was fitted, without the data it was fitted on.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pandas as pd

from cvm._exceptions import ConfigError
from cvm.models.base import BaseModel

__all__ = ["from_params"]

M = TypeVar("M", bound=BaseModel)


def from_params(cls: type[M], params: Any, **options: Any) -> M:
    """``cls`` at stored parameters (a mapping name -> value, as ``params_.to_dict()``).

    Only the predictions are available: no likelihood, standard errors or parameter draws.
    A name the model does not declare (a covariate's coefficient) or a value that is not
    finite is refused.

    >>> from cvm.models import GammaGammaModel
    >>> model = from_params(GammaGammaModel, {"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> round(float(model.conditional_expected_average_profit([2], [35.0])[0]), 2)
    35.04
    """
    values = pd.Series(dict(params), dtype=float, name="coef")
    model = cls(**options)
    expected = model._names()
    if list(values.index) != expected or not np.isfinite(values.to_numpy()).all():
        raise ConfigError(f"{cls.__name__} takes finite {', '.join(expected)}; got {dict(values)}")
    model._covariate_names = []  # type: ignore[attr-defined]
    model.params_ = values
    return model
