"""The examples in the docstrings of report, privacy, publish and the demo run and print what
they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cvm.privacy
import cvm.publish
import cvm.report

MODULES = sorted(
    [
        info.name
        for package in (cvm.report, cvm.privacy, cvm.publish)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    ]
    + ["cvm.demo"]
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0, f"{result.failed} example(s) in {name} print something else"


def test_the_main_public_functions_carry_examples() -> None:
    from cvm.privacy import erase_customer, export_customer
    from cvm.publish import export_table, publish
    from cvm.report.kpis import kpi_timeseries

    for function in (erase_customer, export_customer, export_table, publish, kpi_timeseries):
        assert ">>> " in (function.__doc__ or ""), function.__name__
