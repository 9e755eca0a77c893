"""``cvm.toml`` ``[survey]``: the model lives in :mod:`cvm.settings.survey`."""

from __future__ import annotations

from cvm.settings.survey import PRICE_SCALES, SurveySettings, survey_settings

__all__ = ["PRICE_SCALES", "SurveySettings", "survey_settings"]
