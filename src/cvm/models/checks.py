"""Contract checks generated for every model class, as scikit-learn's ``check_estimator``.

:func:`yield_model_checks` yields, for one class, checks that any cvm model must pass: it
stores only hyperparameters at ``__init__``; it raises ``NotFittedError`` before ``fit``; its
fit survives a pickle round trip and a refit on other data unchanged; weights equal repeated
rows; empty, missing and impossible input and bad hyperparameters are refused with one clear
``DataError`` or ``ConfigError``; and a transaction model's forecasting hooks agree with its
predictions. Each model declares the small data set it fits here, in :data:`FIXTURES`; a
model without one fails, so a new model cannot go unchecked.

>>> from cvm.models import BetaGeoModel
>>> [check.__name__ for check in yield_model_checks(BetaGeoModel)][:3]
['check_init_stores_hyperparameters', 'check_not_fitted', 'check_fit_returns_self']
"""

from __future__ import annotations

import functools
import inspect
import pickle
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from cvm._exceptions import ConfigError, DataError, NotFittedError
from cvm.models.base import BaseModel
from cvm.models.beta_geo import BetaGeoModel
from cvm.models.beta_geo_beta_binom import BetaGeoBetaBinomModel
from cvm.models.gamma_gamma import GammaGammaModel
from cvm.models.modified_beta_geo import ModifiedBetaGeoModel
from cvm.models.pareto_nbd import ParetoNBDModel
from cvm.models.shifted_beta_geometric import ShiftedBetaGeometricModel
from cvm.models.transaction import TransactionModel

__all__ = ["FIXTURES", "Fixture", "check_model", "fixture_for", "yield_model_checks"]

Columns = dict[str, np.ndarray]
# A row every "impossible input" change touches, so the message must name it.
BAD_ROW = 3


@dataclass(frozen=True)
class Fixture:
    """What a model class fits in the checks.

    ``simulate(rng)`` gives the positional arguments of ``fit`` by name, in order (about 200
    customers, so the checks stay fast); ``predict(model, columns)`` one prediction per row;
    ``impossible`` the changes to valid columns that the model must refuse, each with the
    pattern its message must match.
    """

    simulate: Callable[[np.random.Generator], Columns]
    predict: Callable[[Any, Columns], np.ndarray]
    impossible: tuple[tuple[str, Callable[[Columns], None], str], ...]


def _continuous(rng: np.random.Generator, n: int = 200) -> Columns:
    """BG/NBD histories (weeks): Poisson purchases, dropout after each with probability p."""
    lam = rng.gamma(0.6, 1 / 4.0, n)
    p = rng.beta(0.8, 2.5, n)
    T = np.round(rng.uniform(20, 40, n), 1)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = rng.exponential(1 / lam[i])
        while t <= T[i]:
            x[i], t_x[i] = x[i] + 1, np.round(t, 1)
            if rng.random() < p[i]:
                break
            t += rng.exponential(1 / lam[i])
    t_x = np.minimum(t_x, T)
    return {"frequency": x, "recency": t_x, "T": T}


def _discrete(rng: np.random.Generator, n: int = 300) -> Columns:
    """BG/BB histories over 6 opportunities."""
    p, theta = rng.beta(1.2, 0.75, n), rng.beta(0.66, 2.8, n)
    x, t_x = np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    for t in range(1, 7):
        alive &= rng.random(n) >= theta
        buy = alive & (rng.random(n) < p)
        x += buy
        t_x = np.where(buy, t, t_x)
    return {"frequency": x, "recency": t_x, "periods": np.full(n, 6.0)}


def _spend(rng: np.random.Generator, n: int = 200) -> Columns:
    """Repeat buyers' mean spend: Gamma(p x, x nu) with nu ~ Gamma(q, gamma), independent of x."""
    x = 1.0 + rng.poisson(2.0, n)
    nu = rng.gamma(4.0, 1 / 15.0, n)
    return {"frequency": x, "monetary_value": np.round(rng.gamma(6.0 * x, 1 / (x * nu)), 2)}


def _contracts(rng: np.random.Generator, n: int = 300) -> Columns:
    """Contracts observed up to 8 periods, each ending with a Beta(0.7, 1.2) churn chance."""
    lifetime = rng.geometric(rng.beta(0.7, 1.2, n))
    return {"periods": np.minimum(lifetime, 8).astype(float), "churned": lifetime <= 8}


def _set(column: str, value: float) -> Callable[[Columns], None]:
    def change(columns: Columns) -> None:
        columns[column][BAD_ROW] = value

    return change


def _late_purchase(columns: Columns) -> None:
    columns["recency"][BAD_ROW] = columns["T"][BAD_ROW] + 1.0
    columns["frequency"][BAD_ROW] = max(columns["frequency"][BAD_ROW], 1.0)


_ROW = rf"at row {BAD_ROW}\b"
_TRANSACTIONS = Fixture(
    simulate=_continuous,
    predict=lambda m, c: m.conditional_expected_number_of_purchases_up_to_time(10.0, *c.values()),
    impossible=(
        ("recency > T", _late_purchase, "recency must be <= T " + r".*" + _ROW),
        ("negative frequency", _set("frequency", -1.0), "frequency must be >= 0 " + _ROW),
        ("fractional frequency", _set("frequency", 1.5), "whole number .*" + _ROW),
        ("T < 0", _set("T", -1.0), "T must be >= 0 " + _ROW),
    ),
)


def _discrete_late(columns: Columns) -> None:
    columns["recency"][BAD_ROW] = 7.0
    columns["frequency"][BAD_ROW] = 1.0


FIXTURES: dict[type[BaseModel], Fixture] = {
    BetaGeoModel: _TRANSACTIONS,
    ModifiedBetaGeoModel: _TRANSACTIONS,
    ParetoNBDModel: _TRANSACTIONS,
    BetaGeoBetaBinomModel: Fixture(
        simulate=_discrete,
        predict=lambda m, c: m.conditional_expected_number_of_purchases_up_to_time(3, *c.values()),
        impossible=(
            ("recency > periods", _discrete_late, "recency must be <= periods " + _ROW),
            ("negative frequency", _set("frequency", -1.0), "frequency must be >= 0 " + _ROW),
            ("frequency > recency", _set("frequency", 9.0), "frequency must be <= recency"),
        ),
    ),
    GammaGammaModel: Fixture(
        simulate=_spend,
        predict=lambda m, c: m.conditional_expected_average_profit(*c.values()),
        impossible=(
            ("no repeat purchase", _set("frequency", 0.0), "repeat buyers only.*" + _ROW),
            ("negative frequency", _set("frequency", -2.0), "frequency must be >= 0 " + _ROW),
            ("spend <= 0", _set("monetary_value", -5.0), "monetary_value must be > 0.*" + _ROW),
        ),
    ),
    ShiftedBetaGeometricModel: Fixture(
        simulate=_contracts,
        predict=lambda m, c: m.survival(c["periods"]),
        impossible=(
            ("periods < 1", _set("periods", 0.0), "periods must be >= 1 " + _ROW),
            ("churned not 0/1", _set("churned", 2.0), "churned must be True or False " + _ROW),
        ),
    ),
}


def fixture_for(cls: type) -> Fixture:
    """The data a model class fits in the checks; a class without one is an error."""
    try:
        return FIXTURES[cls]
    except KeyError:
        raise LookupError(
            f"{cls.__module__}.{cls.__name__} has no fixture: add what it fits to "
            "cvm.models.checks.FIXTURES so that the contract checks cover it"
        ) from None


# ----------------------------------------------------------------------------- the checks
def _data(fixture: Fixture, seed: int = 0) -> Columns:
    return {k: np.asarray(v, dtype=float) for k, v in fixture.simulate(_rng(seed)).items()}


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, 20_250])


def _fit(cls: type, columns: Columns, **options: Any) -> Any:
    return cls().fit(*columns.values(), **options)


def _refused(error: type[Exception], pattern: str, call: Callable[[], Any], what: str) -> None:
    try:
        call()
    except error as exc:
        message = str(exc)
        if not message or not re.search(pattern, message):
            raise AssertionError(f"{what}: message {message!r} does not match {pattern!r}") from exc
    except Exception as exc:
        raise AssertionError(f"{what}: {type(exc).__name__} instead of {error.__name__}") from exc
    else:
        raise AssertionError(f"{what}: no {error.__name__} raised")


def check_init_stores_hyperparameters(cls: type, fixture: Fixture) -> None:
    """``__init__`` stores its keyword arguments as they are, and nothing else."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names = {
        name
        for klass in cls.__mro__
        if "__init__" in vars(klass)
        for name, p in inspect.signature(vars(klass)["__init__"]).parameters.items()
        if p.kind in kinds and name != "self"
    }
    stored = set(vars(cls()))
    assert stored <= names, f"__init__ sets {sorted(stored - names)}, which are not arguments"
    assert not [k for k in stored if k.endswith("_")], "fitted attributes set at __init__"


def check_not_fitted(cls: type, fixture: Fixture) -> None:
    """Every use of fitted parameters before ``fit`` raises ``NotFittedError`` naming fit."""
    model, columns = cls(), _data(fixture)
    uses = [
        ("summary", model.summary),
        ("sample_params", lambda: model.sample_params(2)),
        ("prediction", lambda: fixture.predict(model, columns)),
    ]
    if isinstance(model, TransactionModel):
        uses += [
            ("P(alive)", lambda: model.conditional_probability_alive(*columns.values())),
            ("E[X(t)]", lambda: model.expected_number_of_purchases_up_to_time(5.0)),
        ]
    for what, use in uses:
        _refused(NotFittedError, "fit", use, what)


def check_fit_returns_self(cls: type, fixture: Fixture) -> None:
    """``fit`` returns the model and sets finite fitted attributes ending in ``_``."""
    model = cls()
    assert model.fit(*_data(fixture).values()) is model
    assert np.isfinite(model.params_.to_numpy()).all()
    assert np.isfinite(model.log_likelihood_) and model.n_obs_ > 0
    assert np.isfinite(fixture.predict(model, _data(fixture, 1))).all()


def check_pickle_round_trip(cls: type, fixture: Fixture) -> None:
    """A fitted model pickles and predicts the same afterwards."""
    columns = _data(fixture)
    model = _fit(cls, columns)
    again = pickle.loads(pickle.dumps(model))
    assert again.params_.equals(model.params_)
    np.testing.assert_array_equal(fixture.predict(again, columns), fixture.predict(model, columns))


def check_idempotent_refit(cls: type, fixture: Fixture) -> None:
    """Refitting the same data after other data gives the same parameters: no state leaks."""
    first = _data(fixture)
    other = {k: v[: 3 * len(v) // 4] for k, v in first.items()}
    model = _fit(cls, first)
    params, predictions = model.params_.copy(), fixture.predict(model, first)
    model.fit(*other.values())
    assert not np.allclose(model.params_, params, rtol=1e-6), "the other data set fits the same"
    model.fit(*first.values())
    np.testing.assert_allclose(model.params_, params, rtol=1e-9)
    np.testing.assert_allclose(fixture.predict(model, first), predictions, rtol=1e-9)


def check_weights_equal_repeated_rows(cls: type, fixture: Fixture) -> None:
    """A row with weight k fits as k copies of it."""
    columns = _data(fixture)
    weights = _rng(2).integers(1, 4, len(next(iter(columns.values())))).astype(float)
    weighted = _fit(cls, columns, weights=weights)
    repeated = _fit(cls, {k: np.repeat(v, weights.astype(int)) for k, v in columns.items()})
    counts = (weighted.n_obs_, repeated.n_obs_, weights.sum())
    assert counts[0] == counts[1] == counts[2], f"n_obs_ weighted, repeated, expected: {counts}"
    np.testing.assert_allclose(weighted.log_likelihood_, repeated.log_likelihood_, rtol=1e-9)
    # the same optimum up to the optimiser's tolerance, a thousandth of a standard error
    gap = np.abs(weighted.params_ - repeated.params_).to_numpy()
    assert (gap <= 1e-3 * weighted.standard_errors_.to_numpy()).all(), (gap, weighted)


def check_empty_input(cls: type, fixture: Fixture) -> None:
    """No rows is refused with one clear ``DataError``."""
    empty = {k: v[:0] for k, v in _data(fixture).items()}
    _refused(DataError, "empty|no customer", lambda: _fit(cls, empty), "empty input")


def check_missing_values(cls: type, fixture: Fixture) -> None:
    """A NaN or infinite value in any column, or in the weights, is refused, naming both."""
    columns = _data(fixture)
    n = len(next(iter(columns.values())))
    for name in [*columns, "weights"]:
        for bad in (np.nan, np.inf):
            changed = {k: v.copy() for k, v in columns.items()}
            weights = np.ones(n)
            (weights if name == "weights" else changed[name])[BAD_ROW] = bad
            pattern = rf"{name} has missing or infinite values {_ROW}"
            fit = functools.partial(_fit, cls, changed, weights=weights)
            _refused(DataError, pattern, fit, name)
    model = _fit(cls, columns)
    changed = {k: v.copy() for k, v in columns.items()}
    changed[next(iter(columns))][BAD_ROW] = np.nan
    predict = functools.partial(fixture.predict, model, changed)
    _refused(DataError, "missing or infinite", predict, "NaN in a prediction's input")


def check_impossible_input(cls: type, fixture: Fixture) -> None:
    """Histories that cannot happen, different lengths and negative weights are refused."""
    columns = _data(fixture)
    n = len(next(iter(columns.values())))
    for what, change, pattern in fixture.impossible:
        changed = {k: v.copy() for k, v in columns.items()}
        change(changed)
        _refused(DataError, pattern, functools.partial(_fit, cls, changed), what)
    last = list(columns)[-1]
    shorter = {**columns, last: columns[last][:-1]}
    _refused(DataError, "differ in length", lambda: _fit(cls, shorter), "different lengths")
    weights = np.ones(n)
    weights[BAD_ROW] = -1.0
    fit = functools.partial(_fit, cls, columns, weights=weights)
    _refused(DataError, "weights must be >= 0 " + _ROW, fit, "negative weights")


def check_bad_hyperparameters(cls: type, fixture: Fixture) -> None:
    """A negative penalizer, no iterations or negative time is refused at fit: ``ConfigError``."""
    columns = _data(fixture)
    for name, value in (("penalizer", -1.0), ("max_iter", 0), ("max_seconds", -1.0)):
        model = cls(**{name: value})
        _refused(ConfigError, name, functools.partial(model.fit, *columns.values()), name)


def check_transaction_hooks(cls: type, fixture: Fixture) -> None:
    """A transaction model's hooks agree with its predictions and broadcast over draws."""
    if not issubclass(cls, TransactionModel):
        return
    columns = _data(fixture)
    model = _fit(cls, columns)
    x, t_x, T = columns.values()
    params = {str(k): float(v) for k, v in model.params_.items()}
    np.testing.assert_allclose(
        model.expected_purchases(params, 3.0, x, t_x, T),
        model.conditional_expected_number_of_purchases_up_to_time(3.0, x, t_x, T),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        model.alive_part(params, x, t_x, T),
        model.conditional_probability_alive(x, t_x, T),
        rtol=1e-12,
    )
    draws = {k: v.to_numpy()[:, None] for k, v in model.sample_params(4, random_state=0).items()}
    shaped = model.expected_purchases(draws, 3.0, x[None, :], t_x[None, :], T[None, :])
    assert np.shape(shaped) == (4, x.size) and np.isfinite(shaped).all()
    for k in range(4):
        one = {name: float(v[k, 0]) for name, v in draws.items()}
        np.testing.assert_allclose(shaped[k], model.expected_purchases(one, 3.0, x, t_x, T))


_CHECKS = (
    check_init_stores_hyperparameters,
    check_not_fitted,
    check_fit_returns_self,
    check_pickle_round_trip,
    check_idempotent_refit,
    check_weights_equal_repeated_rows,
    check_empty_input,
    check_missing_values,
    check_impossible_input,
    check_bad_hyperparameters,
    check_transaction_hooks,
)


def yield_model_checks(cls: type, fixture: Fixture | None = None) -> Iterator[Callable[[], None]]:
    """The contract checks of a model class, each a function of no arguments.

    ``fixture`` replaces the class's entry in :data:`FIXTURES` (for a model defined elsewhere).
    A check passes by returning and fails with ``AssertionError``.
    """
    data = fixture or fixture_for(cls)
    for check in _CHECKS:
        bound = functools.partial(check, cls, data)
        functools.update_wrapper(bound, check)
        yield bound


def check_model(cls: type, fixture: Fixture | None = None) -> None:
    """Run every contract check on a model class."""
    for check in yield_model_checks(cls, fixture):
        check()
