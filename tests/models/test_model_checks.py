"""The estimator contract, checked on every model class found in cvm.models.

Classes are discovered (every module imported, ``BaseModel.__subclasses__`` walked), not listed,
so a new model is checked, or fails here for want of a fixture in ``cvm.models.checks``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import numpy as np
import pandas as pd
import pytest

import cvm.models
from cvm.models import BaseModel, BetaGeoModel, ShiftedBetaGeometricModel
from cvm.models.checks import FIXTURES, check_model, yield_model_checks


def discovered_models() -> list[type]:
    """Every concrete BaseModel subclass defined in the cvm.models package."""
    for info in pkgutil.walk_packages(cvm.models.__path__, "cvm.models."):
        importlib.import_module(info.name)
    seen: list[type] = []
    stack: list[type] = [BaseModel]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return [c for c in seen if c.__module__.startswith("cvm.models") and not inspect.isabstract(c)]


MODELS = discovered_models()
CASES = [
    pytest.param(check, id=f"{cls.__name__}-{check.__name__}")
    for cls in MODELS
    if cls in FIXTURES
    for check in yield_model_checks(cls)
]


def test_discovery_finds_the_known_models() -> None:
    # an independent list: discovery that found nothing would check nothing
    known = "BetaGeo ModifiedBetaGeo ParetoNBD BetaGeoBetaBinom GammaGamma ShiftedBetaGeometric"
    assert {f"{name}Model" for name in known.split()} <= {c.__name__ for c in MODELS}
    assert len(CASES) == len(MODELS) * 11


def test_every_model_has_a_fixture() -> None:
    missing = [f"{c.__module__}.{c.__name__}" for c in MODELS if c not in FIXTURES]
    assert not missing, f"add these models to cvm.models.checks.FIXTURES: {missing}"


@pytest.mark.parametrize("check", CASES)
def test_model_contract(check: Any) -> None:
    check()


# ---------------------------------------------------------------- the checks can fail
class _NewModel(BetaGeoModel):
    """A model nobody registered."""


class _WeightBlind(BetaGeoModel):
    def fit(self, frequency: Any, recency: Any, T: Any, *, weights: Any = None, **kw: Any) -> Any:
        return super().fit(frequency, recency, T)


class _NaNAsZero(BetaGeoModel):
    def fit(self, frequency: Any, recency: Any, T: Any, *, weights: Any = None, **kw: Any) -> Any:
        clean = [np.nan_to_num(np.asarray(v, dtype=float)) for v in (frequency, recency, T)]
        return super().fit(*clean, weights=weights)


class _StateAtInit(BetaGeoModel):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.start_ = np.ones(4)


class _Unpicklable(BetaGeoModel):
    def fit(self, *args: Any, **kwargs: Any) -> Any:
        super().fit(*args, **kwargs)
        self.hook_ = lambda: None
        return self


class _WarmStart(BetaGeoModel):
    """Starts from the previous fit: a refit then depends on what was fitted before."""

    def _initial_params(self, data: Any, weights: np.ndarray) -> np.ndarray:
        if hasattr(self, "params_"):
            return self.params_.to_numpy() * 1.5
        return super()._initial_params(data, weights)


class _PresetParams(BetaGeoModel):
    """Parameters before any fit: predictions run on them instead of refusing."""

    params_ = pd.Series([0.24, 4.4, 0.79, 2.4], index=["r", "alpha", "a", "b"])
    _covariate_names: list[str] = []  # noqa: RUF012


def test_a_model_without_fixture_is_named() -> None:
    with pytest.raises(LookupError, match=r"_NewModel has no fixture.*FIXTURES"):
        next(yield_model_checks(_NewModel))


@pytest.mark.parametrize(
    ("cls", "failing", "error", "match"),
    [
        (_WeightBlind, "check_weights_equal_repeated_rows", AssertionError, "n_obs_"),
        (_NaNAsZero, "check_missing_values", AssertionError, "does not match"),
        (_StateAtInit, "check_init_stores_hyperparameters", AssertionError, "start_"),
        (_Unpicklable, "check_pickle_round_trip", AttributeError, "pickle"),
        (_WarmStart, "check_idempotent_refit", AssertionError, "tolerance"),
        (_PresetParams, "check_not_fitted", AssertionError, "instead of NotFittedError"),
    ],
)
def test_each_check_catches_its_defect(
    cls: type, failing: str, error: type[Exception], match: str
) -> None:
    checks = {c.__name__: c for c in yield_model_checks(cls, FIXTURES[BetaGeoModel])}
    with pytest.raises(error, match=match):
        checks[failing]()


def test_check_model_passes_a_sound_model() -> None:
    check_model(ShiftedBetaGeometricModel)
