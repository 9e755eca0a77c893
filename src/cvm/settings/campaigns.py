"""``[campaigns]``: the margin on incremental revenue, the lift to power for, frequency caps."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from cvm._exceptions import ConfigError
from cvm._limits import finite_setting
from cvm.settings._base import Section


class FrequencyCaps(Section):
    """``[campaigns.frequency_caps]``: most contacts per customer over 7 and 30 days."""

    SECTION = ("campaigns", "frequency_caps")

    days_7: int = 2
    days_30: int = 6

    @field_validator("days_7", "days_30", mode="before")
    @classmethod
    def _whole(cls, value: Any, info: ValidationInfo) -> int:
        # TOML `true` is a bool, which Python also counts as an int: it is not a cap of 1
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"cvm.toml: campaigns.frequency_caps.{info.field_name} must be an integer >= 1"
            )
        return value


class CampaignSettings(Section):
    """``margin_rate``: share of incremental revenue that is margin, when a campaign sets none.
    ``target_relative_lift``: the lift (relative to the control's conversion) a test is
    powered to detect when a campaign sets no ``target_lift``."""

    SECTION = ("campaigns",)

    margin_rate: float = 0.3
    target_relative_lift: float = 0.10
    frequency_caps: FrequencyCaps = Field(default_factory=FrequencyCaps)

    @field_validator("margin_rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ConfigError("cvm.toml: campaigns.margin_rate must be a number within [0, 1]")
        return float(value)

    @field_validator("target_relative_lift", mode="before")
    @classmethod
    def _lift(cls, value: Any) -> float:
        return finite_setting(value, "cvm.toml: campaigns.target_relative_lift", low=0.0)
