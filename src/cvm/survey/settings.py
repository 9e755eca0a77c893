"""``cvm.toml`` ``[survey]``: which brand is ours, how price is rated, how to bootstrap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cvm._exceptions import ConfigError

PRICE_SCALES = ("satisfaction", "level")


@dataclass(frozen=True)
class SurveySettings:
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

    own_brand: str = "us"
    price_attribute: str = "price"
    price_scale: str = "satisfaction"
    shares: Mapping[str, float] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    confidence: float = 0.95
    n_boot: int = 1000
    seed: int = 0
    csat_satisfied_min: float | None = None
    survey_id: str | None = None

    def __post_init__(self) -> None:
        if self.price_scale not in PRICE_SCALES:
            raise ConfigError(
                f"survey price_scale must be one of {', '.join(PRICE_SCALES)},"
                f" got {self.price_scale!r}"
            )
        if not 0 < self.confidence < 1:
            raise ConfigError(f"survey confidence must lie in (0, 1), got {self.confidence!r}")
        if self.n_boot < 50:
            raise ConfigError(f"survey n_boot must be at least 50, got {self.n_boot!r}")
        for name, table in (("shares", self.shares), ("weights", self.weights)):
            bad = [k for k, v in table.items() if not float(v) >= 0]
            if bad:
                raise ConfigError(f"survey {name}: {bad[0]!r} must be a non-negative number")


def survey_settings(section: Mapping[str, Any] | None = None, **overrides: Any) -> SurveySettings:
    """Settings from a ``[survey]`` table with explicit keyword overrides (``None`` ignored)."""
    raw = dict(section or {})
    known = set(SurveySettings.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"cvm.toml [survey]: unknown setting {unknown[0]!r}")
    try:
        base = SurveySettings(**raw)
    except TypeError as exc:
        raise ConfigError(f"cvm.toml [survey]: {exc}") from exc
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})
