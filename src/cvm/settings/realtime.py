"""``[decide.realtime]``: the real-time decisions of ``POST /v1/decisions``.

The hold-out share and its salt make the real-time control group (a customer is held out when
a hash of salt and id falls below the share, so the same customer is always on the same side);
the exploration cap bounds what a Thompson draw may cost against the posterior-mean choice.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo, field_validator

from cvm._exceptions import ConfigError
from cvm.settings._base import Section, number_setting

WHERE = "cvm.toml [decide.realtime]"


class RealtimeSettings(Section):
    """``holdout_share``: share of customers held out (never offered, logged as control).
    ``salt``: hashed with the customer id to pick them; a new salt draws a new group.
    ``exploration_cap``: the most expected value (money per decision) an exploratory draw may
    give up against the posterior-mean best choice; 0 turns exploration off.
    ``prior_strength``: pseudo-observations behind each offer's prior response rates.
    ``attribution_days``: purchases this many days after a decision are its response
    (default: ``[decide] response_days``).
    ``refresh_seconds``: how long the in-memory snapshot of offers, scores and policy is used
    before it is rebuilt (counted from when the last one was ready; a rebuild of a million
    customers takes minutes of one core).
    ``use_plan``: when a plan is stored, its budget and capacities bound real-time offers.
    ``fresh_consent``: honour a consent changed since the snapshot (the service reads the
    consent of the customers of each committed batch of events, and of an erased customer),
    so a withdrawal or an erasure applies within moments, with no table read per decision;
    off, consent is the snapshot's (as old as ``refresh_seconds``).
    ``journal_fsync``: each decision is journaled before it is answered (a killed service
    replays it on start); on, each journal write is also forced to disk (``fdatasync``), so a
    power loss loses none either, at the cost of a disk flush per decision.
    """

    SECTION = ("decide", "realtime")

    holdout_share: float = 0.1
    salt: str = "cvm-realtime"
    exploration_cap: float = 1.0
    prior_strength: float = 20.0
    attribution_days: int | None = None
    refresh_seconds: float = 900.0
    use_plan: bool = True
    fresh_consent: bool = True
    journal_fsync: bool = False

    @field_validator("holdout_share", mode="before")
    @classmethod
    def _share(cls, value: Any) -> float:
        share = float(number_setting(value, WHERE, "holdout_share", high=1.0))
        if not share < 1:
            raise ConfigError(f"{WHERE}: holdout_share must be within [0, 1), got {share}")
        return share

    @field_validator("exploration_cap", "prior_strength", "refresh_seconds", mode="before")
    @classmethod
    def _amount(cls, value: Any, info: ValidationInfo) -> float:
        return float(number_setting(value, WHERE, str(info.field_name)))

    @field_validator("attribution_days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> int | None:
        if value is None:
            return None
        return int(number_setting(value, WHERE, "attribution_days", low=1, integer=True))

    @field_validator("salt", mode="before")
    @classmethod
    def _salt(cls, value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{WHERE}: salt must be a non-empty text")
        return value
