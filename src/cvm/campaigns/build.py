"""Build a campaign: resolve the audience, apply the contact policy, randomize the arms.

Contact-policy exclusions (:mod:`cvm.campaigns.policy`) happen before randomization, so
treatment and control are drawn from the same eligible customers and stay comparable.
Assignment orders each stratum by a SHA-256 hash of ``campaign_id:customer_id``: rebuilding,
in any process or DuckDB version, gives the same arms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns.design import Campaign, get_campaign, set_status
from cvm.campaigns.policy import contact_policy
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["BuildResult", "build_campaign"]


MIN_ELIGIBLE = 2  # a campaign needs one control and one treated customer at least


@dataclass
class BuildResult:
    """Who was assigned to which arm and who was left out, by reason."""

    campaign_id: str
    audience: int
    arms: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    strata: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def eligible(self) -> int:
        return sum(self.arms.values())


def _resolve_audience(ws: Workspace, c: Campaign) -> None:
    """Materialise the audience's customer ids as the temp table ``campaign_audience_ids``."""
    engine = ws.engine
    kind = c.audience.get("kind", "all")
    if kind == "list":
        engine.run(sql_file(__package__, "audience_list.sql"), {"campaign_id": c.campaign_id})
    elif kind == "all":
        engine.run(sql_file(__package__, "audience_all.sql"))
    elif kind in ("rule", "segment"):
        ids = _rule_audience(ws, c)
        with engine.register("rule_audience", pd.DataFrame({"customer_id": ids})):
            engine.run(sql_file(__package__, "audience_rule.sql"))
    else:
        raise DataError(f"campaign {c.campaign_id!r}: cannot build an audience of kind {kind!r}")


def _rule_audience(ws: Workspace, c: Campaign) -> list[str]:
    """Customer ids of a rule (SQL predicate over the profile) or a named rule segment."""
    from cvm.segments import evaluate_rules, select

    as_of = c.starts.date()
    if c.audience.get("kind") == "rule":
        return [str(x) for x in select(ws, str(c.audience.get("rule", "")), as_of)]
    name = str(c.audience.get("segment", ""))
    rules = ws.settings.segments.rules
    if name not in rules:
        known = ", ".join(sorted(rules)) or "none defined in cvm.toml [segments.rules]"
        raise DataError(f"campaign {c.campaign_id!r}: unknown segment {name!r} (known: {known})")
    members = evaluate_rules(ws, rules, as_of)
    return [str(x) for x in members.index[members[name].to_numpy(bool)]]


def _arm_cuts(c: Campaign, eligible: int) -> pd.DataFrame:
    """[lower, upper) of each arm on the unit interval: control first, then the treatments."""
    if c.control_size is not None:
        if c.control_size >= eligible:
            raise DataError(
                f"control_size {c.control_size} leaves no treated customers among {eligible}"
                " eligible"
            )
        fraction = c.control_size / eligible
    else:
        fraction = float(c.control_fraction or 0)
    names = ["control", *c.arms]
    total = sum(c.arms.values())
    shares = [fraction] + [(1 - fraction) * w / total for w in c.arms.values()]
    upper = pd.Series(shares).cumsum().to_list()
    upper[-1] = 1.0 + 1e-9
    lower = [0.0, *upper[:-1]]
    return pd.DataFrame({"arm": names, "lower": lower, "upper": upper})


def build_campaign(
    ws: Workspace, campaign_id: str, *, assigned_at: datetime | None = None
) -> BuildResult:
    """Assign the campaign's eligible audience to control and treatment arms.

    Rebuilding a campaign that has not been exported replaces its arms with identical ones
    (the same eligible customers give the same arms). All or nothing: an error leaves the
    previous build in place.

    Raises
    ------
    DataError
        unknown campaign, an exported campaign, an empty audience, nobody eligible, or (with
        ``overlap="error"``) customers in another running campaign.
    """
    c = get_campaign(ws, campaign_id)
    if c.status not in ("draft", "built"):
        raise DataError(f"campaign {campaign_id!r} is {c.status}: only a draft can be (re)built")
    engine = ws.engine
    when = assigned_at or c.starts
    key = {"campaign_id": campaign_id}
    with engine.transaction():
        _resolve_audience(ws, c)
        audience = int(engine.scalar(sql_file(__package__, "audience_count.sql")))
        if audience == 0:
            raise DataError(f"campaign {campaign_id!r}: the audience is empty")
        contact_policy(
            ws,
            "campaign_audience_ids",
            [c.channel],
            c.starts,
            c.window_end,
            campaign_id=c.campaign_id,
            overlap=c.overlap,
        )
        engine.run(sql_file(__package__, "candidates.sql"), {"stratify_by": c.stratify_by})
        excluded = dict(engine.rows(sql_file(__package__, "candidates_excluded.sql")))
        if c.overlap == "error" and excluded.get("in_running_campaign"):
            raise DataError(
                f"campaign {campaign_id!r}: {excluded['in_running_campaign']:,} customers are in"
                " another running campaign over the same dates (overlap policy 'error')"
            )
        eligible = audience - sum(excluded.values())
        if eligible < MIN_ELIGIBLE:
            reasons = ", ".join(f"{k} {v:,}" for k, v in excluded.items()) or "none"
            raise DataError(
                f"campaign {campaign_id!r}: {eligible} eligible customers of {audience:,}, below"
                f" the minimum of {MIN_ELIGIBLE} (one control and one treated customer);"
                f" excluded: {reasons}"
            )
        with engine.register("campaign_arm_cuts_df", _arm_cuts(c, eligible)):
            engine.run(sql_file(__package__, "arm_cuts.sql"))
        engine.script(sql_file(__package__, "build_clear.sql"), key)
        engine.run(sql_file(__package__, "assign.sql"), {**key, "assigned_at": when})
        engine.run(sql_file(__package__, "build_exclusions.sql"), key)
        set_status(ws, campaign_id, "built")
        rows = engine.rows(sql_file(__package__, "build_arms.sql"), key)
        engine.script(sql_file(__package__, "build_drop.sql"))
    arms: dict[str, int] = {}
    strata: dict[str, dict[str, Any]] = {}
    for stratum, arm, n in rows:
        arms[arm] = arms.get(arm, 0) + int(n)
        strata.setdefault(stratum, {})[arm] = int(n)
    return BuildResult(campaign_id, audience, arms, excluded, strata)
