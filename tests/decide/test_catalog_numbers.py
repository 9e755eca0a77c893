"""Offer catalog and [decide] numbers must be finite and in range (TOML has nan and inf)."""

from __future__ import annotations

import math
import tomllib

import pytest

from cvm._exceptions import ConfigError
from cvm.decide import parse_offers, read_decide_settings

GOOD = {"id": "wb10", "kind": "win-back", "channel": "email"}


@pytest.mark.parametrize(
    ("toml_value", "field"),
    [
        ("nan", "lift"),
        ("inf", "unit_cost"),
        ("-inf", "lift"),
        ("nan", "discount"),
        ("nan", "margin"),
        ("inf", "order_value"),
        ("1e400", "weight"),
        ("2e12", "unit_cost"),
        ("-0.5", "unit_cost"),
    ],
)
def test_non_finite_or_out_of_range_offer_numbers_are_refused(toml_value: str, field: str) -> None:
    raw = tomllib.loads(f"{field} = {toml_value}")  # the value exactly as cvm.toml gives it
    with pytest.raises(ConfigError) as info:
        parse_offers([{**GOOD, **raw}])
    assert f"offer 1 (wb10): {field} must be" in str(info.value)


@pytest.mark.parametrize("toml_value", ["nan", "inf", "-1"])
def test_boost_factor_must_be_finite_and_not_negative(toml_value: str) -> None:
    factor = tomllib.loads(f"f = {toml_value}")["f"]
    with pytest.raises(ConfigError, match="boost 1 factor must be"):
        parse_offers([{**GOOD, "boosts": [{"where": "TRUE", "factor": factor}]}])


def test_good_values_still_pass() -> None:
    (offer,) = parse_offers([{**GOOD, "lift": 0.05, "unit_cost": 1e6, "boosts": []}])
    assert (offer.lift, offer.unit_cost) == (0.05, 1e6)


@pytest.mark.parametrize("key", ["margin", "budget", "control_fraction"])
def test_decide_settings_refuse_nan(key: str) -> None:
    with pytest.raises(ConfigError, match=f"{key} must be a finite number"):
        read_decide_settings({key: math.nan})
