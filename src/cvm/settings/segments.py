"""``[segments]``: the RFM map, value tiers, lifecycle thresholds, churn, rule segments.

Every table is optional; the defaults below are what an empty ``[segments]`` means.

    [segments.rfm]          bins = 5, optional recency_edges / frequency_edges /
                            monetary_edges (explicit cut points), map (ordered name -> rule)
    [segments.tiers]        shares = [0.01, 0.04, 0.15], names = [...] (one more than shares)
    [segments.lifecycle]    thresholds of the lifecycle stages (see ``LIFECYCLE_DEFAULTS``)
    [segments.churn]        horizon_days = 90
    [segments.rules.NAME]   where = "<SQL expression over the profile>", parent = "OTHER"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import Field, SkipValidation, ValidationInfo, field_validator, model_validator

from cvm._exceptions import ConfigError
from cvm.settings._base import Section, suggest, unknown_key

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RULE_KEYS = ("where", "parent", "description")

# First match wins. r, f, m are the 1..5 scores (5 = most recent / frequent / valuable) and
# fm = (f + m) / 2; the grid follows the common R x FM segment table, with Lost as the rest.
DEFAULT_RFM_MAP: dict[str, str] = {
    "Champions": "r >= 4 AND fm >= 4",
    "New": "r >= 4 AND f = 1",
    "Loyal": "r >= 3 AND fm >= 3",
    "Potential loyalist": "r >= 4 AND fm >= 2",
    "Promising": "r >= 4",
    "Need attention": "r = 3 AND fm >= 2",
    "About to sleep": "r = 3 OR (r = 2 AND fm >= 2 AND fm < 3)",
    "Can't lose them": "r = 1 AND fm >= 4",
    "At risk": "r <= 2 AND fm >= 3",
    "Hibernating": "r = 2 OR fm >= 2",
    "Lost": "TRUE",
}

DEFAULT_TIER_SHARES = (0.01, 0.04, 0.15)
DEFAULT_TIER_NAMES = ("Platinum", "Gold", "Silver", "Bronze")

LIFECYCLE_DEFAULTS: dict[str, float] = {
    "new_days": 90,  # first purchase within this many days: new
    "reactivated_days": 90,  # bought within this many days after a long gap: reactivated
    "reactivation_gap_days": 180,  # a gap at least this long before the last purchase
    "at_risk_ratio": 2.0,  # days since last / own mean gap at least this: at risk
    "lapsed_ratio": 4.0,  # ... at least this: lapsed
    "at_risk_p_alive": 0.5,  # or P(alive) below this: at risk
    "lapsed_p_alive": 0.25,  # or below this: lapsed
    "churned_p_alive": 0.1,  # or below this: churned
    "churned_days": 365,  # or no purchase for this many days: churned
}
LIFECYCLE_STAGES = (
    "prospect",
    "new",
    "active",
    "at_risk",
    "lapsed",
    "reactivated",
    "churned",
)


@dataclass(frozen=True)
class Rule:
    """A user's rule segment: members satisfy ``where`` and every ancestor's ``where``."""

    name: str
    where: str
    parent: str | None = None
    description: str = ""


class RfmSettings(Section):
    """``[segments.rfm]``: scores 1..bins per axis (quantiles, or explicit cut points)."""

    SECTION = ("segments", "rfm")

    bins: int = 5
    recency_edges: list[float] | None = None
    frequency_edges: list[float] | None = None
    monetary_edges: list[float] | None = None
    map: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RFM_MAP))

    @field_validator("bins", mode="before")
    @classmethod
    def _bins(cls, value: Any) -> int:
        return _bins(value)

    @field_validator("recency_edges", "frequency_edges", "monetary_edges", mode="before")
    @classmethod
    def _edges(cls, value: Any, info: ValidationInfo) -> list[float]:
        return _edges(value, f"segments.rfm.{info.field_name}")

    @field_validator("map", mode="before")
    @classmethod
    def _map(cls, value: Any) -> dict[str, str]:
        return _rfm_map(value)

    @model_validator(mode="after")
    def _own_map(self) -> RfmSettings:
        edges = self.recency_edges or self.frequency_edges or self.monetary_edges
        if "map" not in self.model_fields_set and (self.bins != 5 or edges):
            raise ConfigError(
                "cvm.toml: [segments.rfm] with other bins or edges needs its own"
                " [segments.rfm.map] (the default map is written for 5 scores)"
            )
        return self


class TierSettings(Section):
    """``[segments.tiers]``: the top shares of customers by value, and the tiers' names."""

    SECTION = ("segments", "tiers")

    shares: tuple[float, ...] = DEFAULT_TIER_SHARES
    names: tuple[str, ...] = DEFAULT_TIER_NAMES

    @model_validator(mode="before")
    @classmethod
    def _tiers(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        unknown = sorted(set(value) - {"shares", "names"})
        if unknown:  # extra keys are named by the section's own check
            return value
        shares, names = _tiers(value)
        return {"shares": shares, "names": names}


class ChurnSettings(Section):
    """``[segments.churn]``: churn = no purchase (or contract ended) within ``horizon_days``."""

    SECTION = ("segments", "churn")

    horizon_days: int = 90

    @field_validator("horizon_days", mode="before")
    @classmethod
    def _horizon(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"cvm.toml: segments.churn.horizon_days must be an integer >= 1, got {value!r}"
            )
        return value


class SegmentSettings(Section):
    """Everything ``[segments]`` configures, with defaults filled in."""

    SECTION = ("segments",)

    rfm: RfmSettings = Field(default_factory=RfmSettings)
    tiers: TierSettings = Field(default_factory=TierSettings)
    lifecycle: dict[str, float] = Field(default_factory=lambda: dict(LIFECYCLE_DEFAULTS))
    rules: SkipValidation[dict[str, Rule]] = Field(default_factory=dict)
    churn: ChurnSettings = Field(default_factory=ChurnSettings)

    @field_validator("lifecycle", "rules", mode="before")
    @classmethod
    def _tables(cls, value: Any, info: ValidationInfo) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ConfigError(
                f"cvm.toml: [segments.{info.field_name}] must be a table, got {value!r}"
            )
        return _lifecycle(value) if info.field_name == "lifecycle" else parse_rules(value)

    @property
    def bins(self) -> int:
        return self.rfm.bins

    @property
    def edges(self) -> dict[str, list[float]]:
        """Explicit RFM cut points by axis (recency, frequency, monetary), when set."""
        edges = {
            "recency": self.rfm.recency_edges,
            "frequency": self.rfm.frequency_edges,
            "monetary": self.rfm.monetary_edges,
        }
        return {axis: cuts for axis, cuts in edges.items() if cuts is not None}

    @property
    def rfm_map(self) -> dict[str, str]:
        return self.rfm.map

    @property
    def tier_shares(self) -> tuple[float, ...]:
        return self.tiers.shares

    @property
    def tier_names(self) -> tuple[str, ...]:
        return self.tiers.names


def read_settings(section: dict[str, Any]) -> SegmentSettings:
    """Check and complete the ``[segments]`` table of ``cvm.toml``."""
    return SegmentSettings(**section)


def _bins(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 10:
        raise ConfigError(f"cvm.toml: segments.rfm.bins must be an integer 2..10, got {value!r}")
    return value


def _edges(value: Any, where: str) -> list[float]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ConfigError(f"cvm.toml: {where} must be a list of numbers, got {value!r}")
    if sorted(value) != value or len(set(value)) != len(value):
        raise ConfigError(f"cvm.toml: {where} must be strictly increasing, got {value!r}")
    return [float(v) for v in value]


def _rfm_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise ConfigError('cvm.toml: [segments.rfm.map] must be a table of name = "rule"')
    for name, rule in value.items():
        if not isinstance(rule, str) or not rule.strip():
            raise ConfigError(f"cvm.toml: segments.rfm.map.{name!r} must be a non-empty string")
    return {str(k): str(v) for k, v in value.items()}


def _tiers(tiers: dict[str, Any]) -> tuple[tuple[float, ...], tuple[str, ...]]:
    shares = tiers.get("shares", list(DEFAULT_TIER_SHARES))
    if not isinstance(shares, list) or not all(
        isinstance(s, int | float) and not isinstance(s, bool) and 0 < s < 1 for s in shares
    ):
        raise ConfigError(
            f"cvm.toml: segments.tiers.shares must be a list of shares in (0, 1), got {shares!r}"
        )
    if sum(shares) >= 1:
        raise ConfigError(
            f"cvm.toml: segments.tiers.shares must add up to less than 1 (the rest is the last"
            f" tier), got {sum(shares):g}"
        )
    default_names = DEFAULT_TIER_NAMES if len(shares) == 3 else None
    names = tiers.get("names", list(default_names) if default_names else None)
    if names is None:
        names = [f"tier_{i + 1}" for i in range(len(shares) + 1)]
    if not isinstance(names, list) or len(names) != len(shares) + 1:
        raise ConfigError(
            f"cvm.toml: segments.tiers.names needs {len(shares) + 1} names (one per share and"
            f" one for the rest), got {names!r}"
        )
    return tuple(float(s) for s in shares), tuple(str(n) for n in names)


def _lifecycle(life: dict[str, Any]) -> dict[str, float]:
    unknown = sorted(set(life) - set(LIFECYCLE_DEFAULTS))
    if unknown:
        raise ConfigError(
            f"cvm.toml: unknown [segments.lifecycle] setting {unknown[0]}"
            + suggest(unknown[0], list(LIFECYCLE_DEFAULTS))
        )
    out = dict(LIFECYCLE_DEFAULTS)
    for key, value in life.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(
                f"cvm.toml: segments.lifecycle.{key} must be a non-negative number, got {value!r}"
            )
        out[key] = float(value)
    return out


def parse_rules(table: dict[str, Any]) -> dict[str, Rule]:
    """Rule segments from ``[segments.rules]``; names, shapes and parents are checked here,
    the expressions against the profile by :func:`cvm.segments.rules.check_rules`."""
    rules: dict[str, Rule] = {}
    for name, spec in table.items():
        if not NAME.match(name):
            raise ConfigError(
                f"cvm.toml: segment name {name!r} must be letters, digits and _ (not first digit)"
            )
        if not isinstance(spec, dict) or not isinstance(spec.get("where"), str):
            raise ConfigError(f'cvm.toml: [segments.rules.{name}] needs where = "<expression>"')
        unknown = sorted(set(spec) - set(RULE_KEYS))
        if unknown:
            raise unknown_key(("segments", "rules", name), unknown[0], list(RULE_KEYS))
        parent = spec.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise ConfigError(f"cvm.toml: segments.rules.{name}.parent must be a segment name")
        rules[name] = Rule(name, spec["where"], parent, str(spec.get("description", "")))
    for rule in rules.values():
        lineage(rule, rules)
    return rules


def lineage(rule: Rule, rules: dict[str, Rule]) -> list[Rule]:
    """The rule and its ancestors, nearest first; an unknown parent or a cycle is refused."""
    chain = [rule]
    seen = {rule.name}
    while chain[-1].parent is not None:
        parent = chain[-1].parent
        if parent not in rules:
            raise ConfigError(
                f"cvm.toml: segment {chain[-1].name!r} has parent {parent!r}, which is not a"
                f" segment (defined: {', '.join(sorted(rules)) or 'none'})"
            )
        if parent in seen:
            cycle = " -> ".join([r.name for r in chain] + [parent])
            raise ConfigError(f"cvm.toml: segment parents form a cycle: {cycle}")
        seen.add(parent)
        chain.append(rules[parent])
    return chain
