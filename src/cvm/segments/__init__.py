"""Who each customer is and who is about to leave: RFM segments, value tiers, lifecycle
stages, the user's rule segments, migration between dates, and churn risk.

A job package: it builds the profile with CLV through :mod:`cvm.clv.profile`, runs its SQL
(``segments/sql/*.sql``, named parameters, holes filled on the SQLGlot tree) on ``ws.engine``,
and checks every user rule through :mod:`cvm.rules` before anything runs.

    assign.py          RFM scores, the named RFM map, tiers, lifecycle: the segment table
    rule_checks.py     rules checked against a built table (used by assign and rules)
    rules.py           rule segments and ``select``, on the segment table
    churn.py           churn features, labels, training, scoring and stored churn models
    churn_result.py    what a training made, and its notes
    contract_churn.py  contract churn for subscription businesses
    runs.py            a stored segments run, summaries, migration between two days
"""

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
