"""Rule segments: SQL predicates over the customer profile, checked before they run.

Every rule passes :mod:`cvm.rules`: parsed, allow-listed (a misspelt column is named with the
closest profile columns), type-checked against the segment table, and evaluated on a locked
in-memory database, so nothing fails half-way through a run and nothing else can run.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm.rules import evaluate
from cvm.segments.assign import default_as_of, segment_table
from cvm.segments.rule_checks import check_expression, check_rules
from cvm.segments.settings import Rule, SegmentSettings, lineage

if TYPE_CHECKING:
    from cvm.workspace import Workspace


def rule_expression(rule: Rule, rules: dict[str, Rule]) -> str:
    """The rule's own condition AND its ancestors' (NULL counts as false)."""
    return " AND ".join(f"coalesce(({r.where}), false)" for r in reversed(lineage(rule, rules)))


def run_params(
    day: date, churn_run: str | None, rules: dict[str, Rule], settings: SegmentSettings
) -> dict[str, Any]:
    """What a segments run keeps as its ``params``, on the workspace and on an engine alike:
    the day, the churn model, each rule with its ancestors', the RFM map, tiers and stages."""
    return {
        "as_of": str(day),
        "churn_run": churn_run,
        "rules": {n: rule_expression(r, rules) for n, r in rules.items()},
        "rfm_map": settings.rfm_map,
        "tiers": dict(zip(settings.tier_names, [*settings.tier_shares, None], strict=True)),
        "lifecycle": settings.lifecycle,
    }


def evaluate_rules(
    ws: Workspace,
    rules: dict[str, Rule] | None = None,
    as_of: date | str | None = None,
    *,
    table: str | None = None,
) -> pd.DataFrame:
    """Membership of every customer in every rule segment as of a day.

    Parameters
    ----------
    ws : the workspace.
    rules : rule segments (default: ``[segments.rules]`` of cvm.toml).
    as_of : the day (default: the last transaction's day); ignored when ``table`` is given.
    table : an existing segment table on ``ws.engine`` (as made by
        :func:`cvm.segments.segment_table`) to evaluate on instead of building one.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with one boolean column per segment; a customer can
    be in several (segments overlap) and a child's members are always members of its parent.
    """
    if rules is None:
        rules = ws.settings.segments.rules
    if table is None:
        table = _segment_table(ws, as_of)
    checked = check_rules(ws.engine, table, rules)
    own = evaluate(ws.engine, table, checked).sort_index()
    members = pd.DataFrame(index=own.index)
    for name, rule in rules.items():
        chain = [r.name for r in lineage(rule, rules)]
        members[name] = own[chain].all(axis=1) if chain else True
    return members


def select(ws: Workspace, expression: str, as_of: date | str | None = None) -> pd.Index:
    """Ids of the customers for whom ``expression`` is true as of a day.

    ``expression`` is a rule over the segment table's columns (the profile columns plus
    ``r_score, f_score, m_score, rfm, rfm_segment, tier, lifecycle``), e.g.
    ``"lifecycle = 'at_risk' AND clv > 100 AND consent_email"``.
    """
    table = _segment_table(ws, as_of)
    checked = check_expression(ws.engine, table, expression, "rule")
    hit = evaluate(ws.engine, table, {"rule": checked})["rule"].sort_index()
    return pd.Index(
        [str(x) for x in hit.index[hit.to_numpy(bool)]], name="customer_id", dtype=object
    )


def _segment_table(ws: Workspace, as_of: date | str | None) -> str:
    return segment_table(ws, as_of if as_of is not None else default_as_of(ws))
