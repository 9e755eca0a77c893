"""Segment settings from ``cvm.toml``: the models live in :mod:`cvm.settings.segments`."""

from __future__ import annotations

from cvm.settings.segments import (
    DEFAULT_RFM_MAP,
    DEFAULT_TIER_NAMES,
    DEFAULT_TIER_SHARES,
    LIFECYCLE_DEFAULTS,
    LIFECYCLE_STAGES,
    NAME,
    Rule,
    SegmentSettings,
    lineage,
    parse_rules,
    read_settings,
)

__all__ = [
    "DEFAULT_RFM_MAP",
    "DEFAULT_TIER_NAMES",
    "DEFAULT_TIER_SHARES",
    "LIFECYCLE_DEFAULTS",
    "LIFECYCLE_STAGES",
    "NAME",
    "Rule",
    "SegmentSettings",
    "lineage",
    "parse_rules",
    "read_settings",
]
