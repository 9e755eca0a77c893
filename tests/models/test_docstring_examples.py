"""The examples in cvm.models' docstrings run, and every public model has one.

The same examples run with ``pytest --doctest-modules src/cvm/models``; this test keeps them in
the suite.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cvm.models

MODULES = [
    importlib.import_module(info.name)
    for info in pkgutil.walk_packages(cvm.models.__path__, "cvm.models.")
]
EXAMPLED = {
    "BetaGeoModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "BetaGeoBetaBinomModel",
    "GammaGammaModel",
    "ShiftedBetaGeometricModel",
    "TransactionModel",
    "customer_lifetime_value",
    "TwoModelUplift",
    "AttributeEncoder",
}


def _tests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    return [t for module in MODULES for t in finder.find(module) if t.examples]


def test_every_public_model_has_an_example() -> None:
    names = {t.name.rsplit(".", 1)[-1] for t in _tests()}
    assert names >= EXAMPLED


@pytest.mark.parametrize("test", _tests(), ids=lambda t: t.name)
def test_docstring_example(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test, out=lambda text: None)
    assert result.attempted > 0
    assert result.failed == 0, f"{test.name}: run pytest --doctest-modules on {test.filename}"
