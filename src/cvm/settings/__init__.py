"""Typed settings: one pydantic model per ``cvm.toml`` section, parsed once per open.

Defaults and validators live in the section models (one module per section); nothing else
writes a default for a ``cvm.toml`` key. :func:`parse_settings` checks the whole file when
the workspace opens, so ``ws.settings.campaigns.margin_rate`` is typed and already valid. An
unknown key, at any depth, is refused with the closest known one::

    cvm.toml: unknown key [campaigns] margn_rate; did you mean margin_rate?

This package sits at the bottom with the workspace: it imports nothing else of cvm but
``cvm._exceptions`` and ``cvm._limits``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, field_validator

from cvm.settings._base import CONFIG_NAME, Section, number_setting, settings_error, suggest
from cvm.settings.campaigns import CampaignSettings, FrequencyCaps
from cvm.settings.decide import CHANNELS, DecideSettings
from cvm.settings.engines import DuckDBSettings, EngineName, SparkSettings
from cvm.settings.ingest import (
    IngestSettings,
    SourceSettings,
    SourcesSettings,
    SurveySourceSettings,
    WideSettings,
    exchange_rates,
)
from cvm.settings.segments import SegmentSettings
from cvm.settings.serve import ServeSettings
from cvm.settings.survey import SurveySettings
from cvm.settings.workspace import WorkspaceSettings

__all__ = [
    "CHANNELS",
    "CONFIG_NAME",
    "CampaignSettings",
    "DecideSettings",
    "DuckDBSettings",
    "FrequencyCaps",
    "IngestSettings",
    "SegmentSettings",
    "ServeSettings",
    "Settings",
    "SourceSettings",
    "SourcesSettings",
    "SparkSettings",
    "SurveySettings",
    "SurveySourceSettings",
    "WideSettings",
    "WorkspaceSettings",
    "number_setting",
    "parse_settings",
    "suggest",
]


class Settings(Section):
    """The whole ``cvm.toml``: every section, defaults filled in.

    ``offers`` (``[[offers]]``) is kept as written: the offer catalog checks each offer,
    field by field, when it is loaded (:func:`cvm.decide.load_catalog`).
    """

    engine: EngineName = "duckdb"
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    duckdb: DuckDBSettings = Field(default_factory=DuckDBSettings)
    spark: SparkSettings = Field(default_factory=SparkSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    currencies: dict[str, float] = Field(default_factory=dict)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    segments: SegmentSettings = Field(default_factory=SegmentSettings)
    campaigns: CampaignSettings = Field(default_factory=CampaignSettings)
    decide: DecideSettings = Field(default_factory=DecideSettings)
    offers: list[dict[str, Any]] | None = None
    survey: SurveySettings = Field(default_factory=SurveySettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    @field_validator("currencies", mode="before")
    @classmethod
    def _rates(cls, value: Any) -> dict[str, float]:
        return exchange_rates(value)


def parse_settings(raw: dict[str, Any]) -> Settings:
    """Check a parsed ``cvm.toml`` against every section model; one ``ConfigError`` line
    naming the table and key of the first problem."""
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise settings_error(exc, Settings) from None
