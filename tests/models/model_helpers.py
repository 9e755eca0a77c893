"""Checks shared by the model tests."""

from __future__ import annotations

from typing import Any


def assert_truth_in_intervals(model: Any, truth: dict[str, float]) -> None:
    """Every true parameter lies inside the fitted model's 95% interval."""
    table = model.summary()
    for name, value in truth.items():
        assert table.loc[name, "lower 95%"] < value < table.loc[name, "upper 95%"], name
