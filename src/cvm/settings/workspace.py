"""``[workspace]``: the name, the currency amounts are stored in, the time zone and unit."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from cvm._exceptions import ConfigError
from cvm.settings._base import Section

TIME_UNITS = ("D", "W")


class WorkspaceSettings(Section):
    """``name`` defaults to the workspace folder's name (filled in when the workspace opens)."""

    SECTION = ("workspace",)

    name: str | None = None
    currency: str = "USD"
    timezone: str = "UTC"
    time_unit: str = "D"
    load_memory_limit: str = "1.5GB"

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("time_unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> str:
        unit = str(value).upper()
        if unit not in TIME_UNITS:
            raise ConfigError(f"cvm.toml: workspace.time_unit must be 'D' or 'W', got {unit!r}")
        return unit

    @field_validator("load_memory_limit", mode="before")
    @classmethod
    def _limit(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )
