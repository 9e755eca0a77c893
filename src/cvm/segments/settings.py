"""Segment settings from ``cvm.toml``: the RFM map, value tiers, lifecycle thresholds, rules.

Every table is optional; the defaults below are what an empty ``[segments]`` means.

    [segments.rfm]          bins = 5, optional recency_edges / frequency_edges /
                            monetary_edges (explicit cut points), map (ordered name -> rule)
    [segments.tiers]        shares = [0.01, 0.04, 0.15], names = [...] (one more than shares)
    [segments.lifecycle]    thresholds of the lifecycle stages (see ``LIFECYCLE_DEFAULTS``)
    [segments.rules.NAME]   where = "<SQL expression over the profile>", parent = "OTHER"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cvm._exceptions import ConfigError

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

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


@dataclass
class SegmentSettings:
    """Everything ``[segments]`` configures, with defaults filled in."""

    bins: int = 5
    edges: dict[str, list[float]] = field(default_factory=dict)
    rfm_map: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RFM_MAP))
    tier_shares: tuple[float, ...] = DEFAULT_TIER_SHARES
    tier_names: tuple[str, ...] = DEFAULT_TIER_NAMES
    lifecycle: dict[str, float] = field(default_factory=lambda: dict(LIFECYCLE_DEFAULTS))
    rules: dict[str, Rule] = field(default_factory=dict)
    churn: dict[str, Any] = field(default_factory=dict)


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"cvm.toml: [{where}.{key}] must be a table")
    return value


def read_settings(section: dict[str, Any]) -> SegmentSettings:
    """Check and complete the ``[segments]`` table of ``cvm.toml``."""
    rfm = _table(section, "rfm", "segments")
    tiers = _table(section, "tiers", "segments")
    life = _table(section, "lifecycle", "segments")
    settings = SegmentSettings()
    settings.bins = _bins(rfm.get("bins", 5))
    for dim in ("recency", "frequency", "monetary"):
        if f"{dim}_edges" in rfm:
            settings.edges[dim] = _edges(rfm[f"{dim}_edges"], f"segments.rfm.{dim}_edges")
    if "map" in rfm:
        settings.rfm_map = _rfm_map(rfm["map"])
    elif settings.bins != 5 or settings.edges:
        raise ConfigError(
            "cvm.toml: [segments.rfm] with other bins or edges needs its own"
            " [segments.rfm.map] (the default map is written for 5 scores)"
        )
    settings.tier_shares, settings.tier_names = _tiers(tiers)
    settings.lifecycle = _lifecycle(life)
    settings.rules = parse_rules(_table(section, "rules", "segments"))
    settings.churn = _table(section, "churn", "segments")
    return settings


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
            f"cvm.toml: unknown [segments.lifecycle] setting(s) {', '.join(unknown)};"
            f" known: {', '.join(LIFECYCLE_DEFAULTS)}"
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
        unknown = sorted(set(spec) - {"where", "parent", "description"})
        if unknown:
            raise ConfigError(
                f"cvm.toml: [segments.rules.{name}] has unknown key(s) {', '.join(unknown)}"
                " (known: where, parent, description)"
            )
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
