"""The contact policy: who may be contacted on which channel, and if not, why.

One set of rules for everyone who contacts customers: the campaign builder applies it to a
campaign's audience on its channel, the export re-checks consent and suppressions on the
treated just before sending, and the next-best-action planner applies it to every customer on
every channel at once. The rules live here because they read what campaigns own (contacts,
running campaigns' arms, suppression lists, ``[campaigns.frequency_caps]``); the planner
already depends on campaigns for its hand-off, so nothing depends the other way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cvm._exceptions import DataError
from cvm.campaigns.design import CHANNELS
from cvm.engines import fill, sql_file
from cvm.settings import FrequencyCaps

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["DEFAULT_CAPS", "REASONS", "contact_policy", "frequency_caps"]

DEFAULT_CAPS = FrequencyCaps().model_dump()
REASONS = (
    "no_customer_record",
    "no_consent",
    "no_email",
    "no_phone",
    "suppressed",
    "control_in_running_campaign",
    "in_running_campaign",
    "frequency_cap_7d",
    "frequency_cap_30d",
)
"""Exclusion reasons in the order the rules are tried (a customer gets the first that holds)."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def frequency_caps(ws: Workspace) -> dict[str, int]:
    """Max contacts per customer over 7 and 30 days, from ``[campaigns.frequency_caps]``."""
    return ws.settings.campaigns.frequency_caps.model_dump()


def contact_policy(
    ws: Workspace,
    candidates: str,
    channels: Sequence[str],
    start: datetime,
    end: datetime | None = None,
    *,
    campaign_id: str | None = None,
    overlap: str = "exclude",
    history: bool = True,
) -> None:
    """Fill the temp table ``contact_policy (customer_id, channel, reason)``.

    One row per distinct customer of ``candidates`` and channel; ``reason`` is the first
    rule of :data:`REASONS` that forbids contact, NULL when none does.

    Parameters
    ----------
    ws : the workspace.
    candidates : name of a table or view with a ``customer_id`` column.
    channels : the channels to check (``email``, ``sms``, ``push``, ``mail``).
    start, end : when contact would happen (``end`` defaults to ``start``). Frequency caps
        count contacts in the 7 and 30 days before ``start``; campaigns whose dates and
        response window meet ``[start, end]`` are running.
    campaign_id : the campaign being built, left out of running campaigns and of the
        contact history.
    overlap : ``allow`` lets treated customers of running campaigns through (``exclude`` and
        ``error`` give them ``in_running_campaign``); control groups are always left out.
    history : apply the rules that read contact history (running campaigns, frequency caps);
        without it only the record, consent, address and suppressions are checked.
    """
    if not _IDENTIFIER.fullmatch(candidates):
        raise DataError(f"contact policy: {candidates!r} is not a table name")
    unknown = sorted(set(channels) - set(CHANNELS))
    if unknown or not channels:
        raise DataError(
            f"contact policy: channels {unknown or list(channels)}: use {', '.join(CHANNELS)}"
        )
    if overlap not in ("exclude", "error", "allow"):
        raise DataError(f"overlap {overlap!r}: use exclude, error or allow")
    caps = frequency_caps(ws)
    engine = ws.engine
    engine.run(fill(sql_file(__package__, "policy_candidates.sql"), candidates=candidates))
    try:
        engine.run(sql_file(__package__, "suppressed.sql"))
        engine.run(
            sql_file(__package__, "policy.sql"),
            {
                "channels": list(channels),
                "period_start": start,
                "period_end": end if end is not None else start,
                "campaign_id": campaign_id,
                "overlap": overlap,
                "history": history,
                "cap_7": caps["days_7"],
                "cap_30": caps["days_30"],
            },
        )
    finally:
        engine.script(sql_file(__package__, "policy_drop.sql"))
