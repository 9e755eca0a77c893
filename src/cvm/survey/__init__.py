"""Listening to customers: the customer value map (Gale), NPS and CSAT from survey answers.

Answers and customer groups are read through ``ws.engine`` (``survey/sql/*.sql``; the
grouping column is a hole filled on the SQLGlot tree); the statistics are numpy on frames.
"""

from cvm.survey.advocacy import (
    csat_table,
    net_promoter,
    nps_by_value,
    nps_class,
    nps_table,
    satisfaction,
)
from cvm.survey.analysis import csat, nps, nps_value, referrals, settings_of, value_map
from cvm.survey.answers import RatingCube, rating_cube, read_answers
from cvm.survey.groups import customer_groups
from cvm.survey.settings import SurveySettings, survey_settings
from cvm.survey.value_map import ValueMap, customer_value_map

__all__ = [
    "RatingCube",
    "SurveySettings",
    "ValueMap",
    "csat",
    "csat_table",
    "customer_groups",
    "customer_value_map",
    "net_promoter",
    "nps",
    "nps_by_value",
    "nps_class",
    "nps_table",
    "nps_value",
    "rating_cube",
    "read_answers",
    "referrals",
    "satisfaction",
    "settings_of",
    "survey_settings",
    "value_map",
]
