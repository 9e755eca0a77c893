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
from cvm._sql import load_sql
from cvm.campaigns.design import Campaign, get_campaign, set_status
from cvm.campaigns.policy import contact_policy

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["BuildResult", "build_campaign"]

_PKG = "cvm.campaigns"


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
    con = ws.con
    kind = c.audience.get("kind", "all")
    if kind == "list":
        con.execute(
            "CREATE OR REPLACE TEMP TABLE campaign_audience_ids AS SELECT DISTINCT customer_id"
            " FROM campaign_audiences WHERE campaign_id = ?",
            [c.campaign_id],
        )
    elif kind == "all":
        con.execute(
            "CREATE OR REPLACE TEMP TABLE campaign_audience_ids AS"
            " SELECT customer_id FROM customers"
        )
    elif kind in ("rule", "segment"):
        ids = _rule_audience(ws, c)
        con.register("rule_audience", pd.DataFrame({"customer_id": ids}))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE campaign_audience_ids AS"
            " SELECT DISTINCT CAST(customer_id AS VARCHAR) AS customer_id FROM rule_audience"
        )
        con.unregister("rule_audience")
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
    from cvm.workspace import transaction

    c = get_campaign(ws, campaign_id)
    if c.status not in ("draft", "built"):
        raise DataError(f"campaign {campaign_id!r} is {c.status}: only a draft can be (re)built")
    con = ws.con
    when = assigned_at or c.starts
    with transaction(con):
        _resolve_audience(ws, c)
        audience = int(con.execute("SELECT count(*) FROM campaign_audience_ids").fetchall()[0][0])
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
        con.execute(load_sql(_PKG, "candidates.sql"), [c.stratify_by])
        excluded = dict(
            con.execute(
                "SELECT reason, count(*) FROM campaign_candidates WHERE reason IS NOT NULL"
                " GROUP BY reason ORDER BY 2 DESC"
            ).fetchall()
        )
        if c.overlap == "error" and excluded.get("in_running_campaign"):
            raise DataError(
                f"campaign {campaign_id!r}: {excluded['in_running_campaign']:,} customers are in"
                " another running campaign over the same dates (overlap policy 'error')"
            )
        eligible = audience - sum(excluded.values())
        if eligible < 2:
            reasons = ", ".join(f"{k} {v:,}" for k, v in excluded.items()) or "none"
            raise DataError(
                f"campaign {campaign_id!r}: {eligible} eligible customers of {audience:,}"
                f" (excluded: {reasons})"
            )
        con.register("campaign_arm_cuts_df", _arm_cuts(c, eligible))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE campaign_arm_cuts AS SELECT * FROM campaign_arm_cuts_df"
        )
        con.unregister("campaign_arm_cuts_df")
        con.execute("DELETE FROM assignments WHERE campaign_id = ?", [campaign_id])
        con.execute(
            "DELETE FROM campaign_exclusions WHERE campaign_id = ? AND stage = 'build'",
            [campaign_id],
        )
        con.execute(load_sql(_PKG, "assign.sql"), [campaign_id, when])
        con.execute(
            "INSERT INTO campaign_exclusions SELECT ?, customer_id, 'build', reason"
            " FROM campaign_candidates WHERE reason IS NOT NULL",
            [campaign_id],
        )
        set_status(ws, campaign_id, "built")
        rows = con.execute(
            "SELECT coalesce(stratum, 'all'), arm, count(*) FROM assignments"
            " WHERE campaign_id = ? GROUP BY ALL ORDER BY ALL",
            [campaign_id],
        ).fetchall()
        con.execute("DROP TABLE IF EXISTS campaign_candidates")
        con.execute("DROP TABLE IF EXISTS contact_policy")
        con.execute("DROP TABLE IF EXISTS campaign_audience_ids")
        con.execute("DROP TABLE IF EXISTS campaign_arm_cuts")
    arms: dict[str, int] = {}
    strata: dict[str, dict[str, Any]] = {}
    for stratum, arm, n in rows:
        arms[arm] = arms.get(arm, 0) + int(n)
        strata.setdefault(stratum, {})[arm] = int(n)
    return BuildResult(campaign_id, audience, arms, excluded, strata)
