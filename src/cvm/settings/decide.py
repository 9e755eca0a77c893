"""``[decide]``: defaults of the value model and of ``cvm plan``; where the offers live."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from cvm._exceptions import ConfigError
from cvm.settings._base import Section, number_setting
from cvm.settings.realtime import RealtimeSettings

CHANNELS = ("email", "sms", "push", "mail")
"""Channels with a consent flag in ``customers`` (the campaign builder's channels)."""

WHERE = "cvm.toml [decide]"


class DecideSettings(Section):
    """``[decide]`` of cvm.toml: defaults for the value model and the plan.

    ``offers_file`` names a TOML (or YAML) file of offers instead of ``[[offers]]`` tables.
    """

    SECTION = ("decide",)

    margin: float = 0.3
    response_days: int = 30
    top_k: int = 5
    min_pair_orders: int = 3
    budget: float | None = None
    capacity: dict[str, int] = Field(default_factory=dict)
    control_fraction: float = 0.1
    acquisition_base_rate: float = 0.02
    offers_file: str | None = None
    realtime: RealtimeSettings = Field(default_factory=RealtimeSettings)

    @field_validator("margin", "acquisition_base_rate", mode="before")
    @classmethod
    def _share(cls, value: Any, info: ValidationInfo) -> float:
        return float(number_setting(value, WHERE, str(info.field_name), high=1.0))

    @field_validator("response_days", "min_pair_orders", "top_k", mode="before")
    @classmethod
    def _count(cls, value: Any, info: ValidationInfo) -> int:
        return int(number_setting(value, WHERE, str(info.field_name), low=1, integer=True))

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, value: Any) -> float | None:
        return None if value is None else float(number_setting(value, WHERE, "budget"))

    @field_validator("control_fraction", mode="before")
    @classmethod
    def _fraction(cls, value: Any) -> float:
        fraction = float(number_setting(value, WHERE, "control_fraction", high=1.0))
        if not 0 < fraction < 1:
            raise ConfigError(f"{WHERE}: control_fraction must be within (0, 1), got {fraction}")
        return fraction

    @field_validator("capacity", mode="before")
    @classmethod
    def _capacity(cls, value: Any) -> dict[str, int]:
        if not isinstance(value, dict):
            raise ConfigError(f"{WHERE}: capacity must be a table of channel = number")
        caps = {}
        for channel, cap in value.items():
            if channel not in CHANNELS:
                raise ConfigError(f"{WHERE}: capacity for unknown channel {channel!r}")
            caps[channel] = int(number_setting(cap, WHERE, f"capacity.{channel}", integer=True))
        return caps
