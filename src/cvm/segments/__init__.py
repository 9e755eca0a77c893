"""Who each customer is and who is about to leave: RFM segments, value tiers, lifecycle
stages, the user's rule segments, migration between dates, and churn risk."""

from cvm.segments.assign import SEGMENT_TABLE, default_as_of, segment_frame, segment_table
from cvm.segments.rules import evaluate_rules, select
from cvm.segments.settings import (
    DEFAULT_RFM_MAP,
    LIFECYCLE_DEFAULTS,
    LIFECYCLE_STAGES,
    Rule,
    SegmentSettings,
    read_settings,
)

__all__ = [
    "DEFAULT_RFM_MAP",
    "LIFECYCLE_DEFAULTS",
    "LIFECYCLE_STAGES",
    "SEGMENT_TABLE",
    "Rule",
    "SegmentSettings",
    "default_as_of",
    "evaluate_rules",
    "read_settings",
    "segment_frame",
    "segment_table",
    "select",
]
