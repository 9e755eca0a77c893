"""``[sources.<kind>]``, ``[currencies]`` and ``[ingest]``: how files are read and checked.

The sources' shapes and types are checked here; which profile, time zone and decimal
separator exist is ingest's knowledge and checked when a file is loaded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, field_validator

from cvm._exceptions import ConfigError
from cvm._limits import DEFAULT_TIMESTAMP_FLOOR, MAX_RATE, MAX_SCORE, finite_setting
from cvm.settings._base import Section

SURVEY_LAYOUTS = ("long", "wide")


class SourceSettings(Section):
    """``[sources.<kind>]``: column mapping and reading options of one kind of file.

    Unset options (None) fall back to the profile's, the workspace's or the reader's own.
    """

    profile: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    date_format: str | None = None
    timezone: str | None = None
    currency: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    header: bool | None = None
    names: list[str] | None = None
    statuses: list[str] | None = None
    score_min: float = 0.0
    score_max: float = 10.0

    @field_validator("score_min", "score_max", mode="before")
    @classmethod
    def _score(cls, value: Any) -> float:
        try:  # a plain ValueError: the error names the table ([sources.<kind>]) and the key
            return finite_setting(value, "", low=-MAX_SCORE, high=MAX_SCORE)
        except ConfigError as exc:
            raise ValueError(str(exc).strip()) from None


class WideQuestion(Section):
    """One column of a wide survey export: a rating of ``brand`` on ``attribute``, or the
    importance of ``attribute``."""

    attribute: str
    brand: str | None = None
    importance: bool = False


class WideSettings(Section):
    """``[sources.surveys.wide]``: how a wide survey export maps to long answers.

    Unset keys take the preset's values (``cvm.ingest.survey_wide``).
    """

    SECTION = ("sources", "surveys", "wide")

    preset: str = "generic"
    questions: dict[str, WideQuestion] = Field(default_factory=dict)
    respondent_id: str | None = None
    customer_id: str | None = None
    ts: str | None = None
    survey_id_column: str | None = None
    survey_id: str | None = None
    header_rows: int | None = None
    pattern: str | None = None
    importance_pattern: str | None = None

    def table(self) -> dict[str, Any]:
        """The keys the user wrote, as the table they wrote."""
        return self.model_dump(exclude_unset=True)


class SurveySourceSettings(SourceSettings):
    """``[sources.surveys]``: a source, plus the layout of the file (long or wide)."""

    layout: str = "long"
    wide: WideSettings = Field(default_factory=WideSettings)

    @field_validator("layout")
    @classmethod
    def _layout(cls, value: str) -> str:
        if value not in SURVEY_LAYOUTS:
            raise ConfigError(f"survey layout must be 'long' or 'wide', got {value!r}")
        return value


class SourcesSettings(Section):
    """``[sources]``: one table per kind of file."""

    SECTION = ("sources",)

    transactions: SourceSettings = Field(default_factory=SourceSettings)
    order_items: SourceSettings = Field(default_factory=SourceSettings)
    customers: SourceSettings = Field(default_factory=SourceSettings)
    surveys: SurveySourceSettings = Field(default_factory=SurveySourceSettings)
    subscriptions: SourceSettings = Field(default_factory=SourceSettings)

    def kind(self, kind: str) -> SourceSettings:
        """The table of ``kind`` (a canonical kind name); the defaults for a kind declared in
        the ingest registry that has no table here yet (settings cannot import ingest: a
        kind's ``[sources.<kind>]`` table is accepted in cvm.toml once it is a field here)."""
        found = getattr(self, kind, None)
        return found if isinstance(found, SourceSettings) else SourceSettings()


class IngestSettings(Section):
    """``[ingest]``: checks every load applies, whatever the kind."""

    SECTION = ("ingest",)

    timestamp_floor: str = DEFAULT_TIMESTAMP_FLOOR
    """Earlier timestamps are refused: 0001-01-01 or 1900-01-01 are placeholders of source
    systems, not purchases."""

    @field_validator("timestamp_floor", mode="before")
    @classmethod
    def _floor(cls, value: Any) -> str:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ConfigError(
                f"cvm.toml: [ingest] timestamp_floor must be a date (YYYY-MM-DD), got {value!r}"
            ) from exc


def exchange_rates(table: Any) -> dict[str, float]:
    """``[currencies]``: 1 unit of the key = value units of the workspace currency."""
    if not isinstance(table, dict):
        raise ConfigError(f"cvm.toml: [currencies] must be a table, got {table!r}")
    rates: dict[str, float] = {}
    for cur, value in table.items():
        rate = finite_setting(value, f"cvm.toml: [currencies] {cur}", low=0.0, high=MAX_RATE)
        if rate <= 0:
            raise ConfigError(f"cvm.toml: [currencies] {cur} must be positive, got {value!r}")
        rates[str(cur).upper()] = rate
    return rates
