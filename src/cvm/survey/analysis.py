"""Survey analyses on a workspace: the value map, NPS, CSAT, NPS against value, referrals.

Each reads ``survey_responses`` (and scores, segments, events when asked), takes its settings
from ``cvm.toml`` ``[survey]`` with keyword overrides, and returns data frames for the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import DataError
from cvm.engines import sql_file
from cvm.survey.advocacy import csat_table, nps_by_value, nps_class, nps_table
from cvm.survey.answers import read_answers
from cvm.survey.groups import customer_groups, respondent_groups
from cvm.survey.settings import SurveySettings, survey_settings
from cvm.survey.value_map import ValueMap, customer_value_map

if TYPE_CHECKING:
    from cvm.workspace import Workspace

REFERRAL_EVENTS = ("referral sent", "referral completed", "friend referred", "referred a friend")


def settings_of(ws: Workspace, **overrides: Any) -> SurveySettings:
    """``[survey]`` of the workspace's cvm.toml with keyword overrides."""
    return survey_settings(ws.settings.survey, **overrides)


def _groups(ws: Workspace, answers: pd.DataFrame, by: str | pd.Series | None) -> pd.Series | None:
    if by is None:
        return None
    labels = by if isinstance(by, pd.Series) else customer_groups(ws, by)
    per = answers.drop_duplicates("respondent")
    groups = respondent_groups(per["respondent"], per["customer_id"], labels)
    if groups.empty:
        raise DataError(
            f"no respondent is linked to a customer with a {by if isinstance(by, str) else 'group'}"
            " label: survey rows need customer_id"
        )
    return groups


def value_map(ws: Workspace, *, by: str | pd.Series | None = None, **overrides: Any) -> ValueMap:
    """Customer value map of the stored survey answers (see ``customer_value_map``).

    ``by``: ``"segment"``, ``"tier"``, a customers column, or a Series customer_id -> label.
    ``overrides``: any ``SurveySettings`` field (own_brand, price_scale, n_boot, ...).
    """
    settings = settings_of(ws, **overrides)
    answers = read_answers(ws, settings.survey_id)
    return customer_value_map(answers, settings, groups=_groups(ws, answers, by))


def nps(ws: Workspace, *, by: str | pd.Series | None = None, **overrides: Any) -> pd.DataFrame:
    """NPS per brand (promoters, passives, detractors, interval), overall and by group."""
    settings = settings_of(ws, **overrides)
    answers = read_answers(ws, settings.survey_id)
    return nps_table(answers, _groups(ws, answers, by), settings.confidence)


def csat(ws: Workspace, *, by: str | pd.Series | None = None, **overrides: Any) -> pd.DataFrame:
    """CSAT per brand (share satisfied with a Wilson interval, mean score), by group."""
    settings = settings_of(ws, **overrides)
    answers = read_answers(ws, settings.survey_id)
    groups = _groups(ws, answers, by)
    return csat_table(answers, groups, settings.csat_satisfied_min, settings.confidence)


def nps_value(ws: Workspace, *, run_id: str | None = None, **overrides: Any) -> pd.DataFrame:
    """Mean CLV and churn risk of respondents by NPS class, from a CLV run (latest default)."""
    settings = settings_of(ws, **overrides)
    answers = read_answers(ws, settings.survey_id)
    scores = ws.engine.frame(sql_file(__package__, "clv_scores.sql"), {"run_id": run_id})
    if scores.empty:
        raise DataError("no CLV run with scores: run `cvm score` first")
    return nps_by_value(answers, scores, settings.own_brand, settings.confidence)


def referrals(
    ws: Workspace, *, events: tuple[str, ...] = REFERRAL_EVENTS, **overrides: Any
) -> pd.DataFrame:
    """Referral events per linked NPS respondent, by NPS class; empty when none are tracked."""
    settings = settings_of(ws, **overrides)
    answers = read_answers(ws, settings.survey_id)
    names = [e.lower() for e in events]
    counts = ws.engine.frame(sql_file(__package__, "referrals.sql"), {"names": names})
    columns = ["respondents", "referrers", "referrals", "referrals_per_respondent"]
    if counts.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="nps_class"))
    own = answers[(answers["attribute"] == "nps") & (answers["brand"] == settings.own_brand)]
    linked = own.dropna(subset=["customer_id"]).merge(counts, on="customer_id", how="left")
    linked = linked.assign(
        nps_class=nps_class(linked["score"]), referrals=linked["referrals"].fillna(0)
    )
    g = linked.groupby("nps_class")
    table = pd.DataFrame(
        {
            "respondents": g.size(),
            "referrers": g["referrals"].apply(lambda s: int((s > 0).sum())),
            "referrals": g["referrals"].sum(),
        }
    ).reindex(["promoter", "passive", "detractor"], fill_value=0)
    table["referrals_per_respondent"] = table["referrals"] / table["respondents"].where(
        table["respondents"] > 0
    )
    table.index.name = "nps_class"
    return table[columns]
