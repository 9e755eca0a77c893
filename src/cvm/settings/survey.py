"""``[survey]``: which brand is ours, how price is rated, how to bootstrap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from cvm._exceptions import ConfigError
from cvm.settings._base import Section

PRICE_SCALES = ("satisfaction", "level")


class SurveySettings(Section):
    """How survey answers are read into quality, price and value ratios.

    ``price_scale`` is how respondents rated the price attribute: ``"satisfaction"`` (higher
    means better value for the money; the simulator's and most questionnaires' convention) or
    ``"level"`` (higher means more expensive). The relative price ratio always means "our price
    relative to theirs", above 1 dearer: ``own / competitor`` for a level rating and
    ``competitor / own`` (the inverted satisfaction) for a satisfaction rating.

    ``shares`` weights the competitors in the market average (e.g. market shares); equal
    weights when empty. ``weights`` fixes attribute importance instead of reading it from the
    respondents' importance answers.
    """

    SECTION = ("survey",)

    own_brand: str = "us"
    price_attribute: str = "price"
    price_scale: str = "satisfaction"
    shares: Mapping[str, float] = Field(default_factory=dict)
    weights: Mapping[str, float] = Field(default_factory=dict)
    confidence: float = 0.95
    n_boot: int = 1000
    seed: int = 0
    csat_satisfied_min: float | None = None
    survey_id: str | None = None

    @field_validator("price_scale")
    @classmethod
    def _scale(cls, value: str) -> str:
        if value not in PRICE_SCALES:
            raise ConfigError(
                f"survey price_scale must be one of {', '.join(PRICE_SCALES)}, got {value!r}"
            )
        return value

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: float) -> float:
        if not 0 < value < 1:
            raise ConfigError(f"survey confidence must lie in (0, 1), got {value!r}")
        return value

    @field_validator("n_boot")
    @classmethod
    def _n_boot(cls, value: int) -> int:
        if value < 50:
            raise ConfigError(f"survey n_boot must be at least 50, got {value!r}")
        return value

    @field_validator("shares", "weights")
    @classmethod
    def _non_negative(cls, table: Mapping[str, float], info: ValidationInfo) -> dict[str, float]:
        bad = [k for k, v in table.items() if not float(v) >= 0]
        if bad:
            raise ConfigError(f"survey {info.field_name}: {bad[0]!r} must be a non-negative number")
        return dict(table)


def survey_settings(
    section: SurveySettings | Mapping[str, Any] | None = None, **overrides: Any
) -> SurveySettings:
    """Settings from a ``[survey]`` table with explicit keyword overrides (``None`` ignored)."""
    base = section if isinstance(section, SurveySettings) else SurveySettings(**dict(section or {}))
    chosen = {k: v for k, v in overrides.items() if v is not None}
    return SurveySettings(**{**base.model_dump(exclude_unset=True), **chosen}) if chosen else base
