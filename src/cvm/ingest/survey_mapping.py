"""How a wide survey export maps to long answers: the respondent's id columns and, per
question column, the brand and attribute it rates (``cvm.ingest.survey_wide`` loads it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvm._exceptions import ConfigError, IngestError
from cvm.ingest.profiles import normalise

__all__ = [
    "ID_ALIASES",
    "PRESETS",
    "Question",
    "WideMapping",
    "id_columns",
    "questions",
    "wide_mapping",
]

DEFAULT_PATTERN = r"^(?P<brand>[^:|]+?)\s*[:|]\s*(?P<attribute>.+?)\s*$"
DEFAULT_IMPORTANCE_PATTERN = r"^importance\s*[:|]\s*(?P<attribute>.+?)\s*$"
ID_ALIASES: dict[str, tuple[str, ...]] = {
    "respondent_id": (
        "respondent_id",
        "ResponseId",
        "Respondent ID",
        "response_id",
        "respondent",
        "Email Address",
        "Timestamp",
    ),
    "customer_id": (
        "customer_id",
        "ExternalReference",
        "External Reference",
        "Custom Data 1",
        "Email Address",
    ),
    "ts": ("ts", "EndDate", "End Date", "RecordedDate", "submitted_at", "date", "Timestamp"),
    "survey_id": ("survey_id", "SurveyID", "wave"),
}
PRESETS: dict[str, dict[str, Any]] = {
    "qualtrics": {"header_rows": 2},  # question text and {"ImportId": ...} rows
    "surveymonkey": {"header_rows": 1},  # the "Response" / sub-question row
    "generic": {"header_rows": 0},
}


@dataclass(frozen=True)
class Question:
    """What a question column asks: a brand's rating of an attribute, or its importance."""

    attribute: str
    brand: str | None = None
    importance: bool = False


@dataclass(frozen=True)
class WideMapping:
    """How a wide export maps to long answers (see the module docstring)."""

    columns: Mapping[str, str] = field(default_factory=dict)  # respondent_id, customer_id, ...
    questions: Mapping[str, Question] = field(default_factory=dict)
    pattern: str = DEFAULT_PATTERN
    importance_pattern: str = DEFAULT_IMPORTANCE_PATTERN
    header_rows: int = 0
    survey_id: str | None = None


def _question(name: str, spec: Any) -> Question:
    if not isinstance(spec, Mapping) or "attribute" not in spec:
        raise ConfigError(
            f"cvm.toml [sources.surveys.wide.questions] {name!r}: expected"
            ' { brand = "...", attribute = "..." } or { attribute = "...", importance = true }'
        )
    importance = bool(spec.get("importance", False))
    brand = spec.get("brand")
    if brand is None and not importance:
        raise ConfigError(f"cvm.toml [sources.surveys.wide.questions] {name!r}: no brand")
    return Question(str(spec["attribute"]), str(brand) if brand is not None else None, importance)


def wide_mapping(
    section: Mapping[str, Any], columns: Mapping[str, str] | None = None
) -> WideMapping:
    """The mapping from a ``[sources.surveys.wide]`` table and ``--map`` id columns."""
    raw = dict(section)
    preset = str(raw.pop("preset", "generic")).lower()
    if preset not in PRESETS:
        raise ConfigError(f"unknown survey preset {preset!r}: expected {', '.join(PRESETS)}")
    questions = raw.pop("questions", {}) or {}
    if not isinstance(questions, Mapping):
        raise ConfigError("cvm.toml [sources.surveys.wide.questions] must be a table")
    ids: dict[str, str] = {
        k: str(raw.pop(k)) for k in ("respondent_id", "customer_id", "ts") if k in raw
    }
    survey_col = raw.pop("survey_id_column", None)
    if survey_col is not None:
        ids["survey_id"] = str(survey_col)
    ids.update(columns or {})
    header_rows = int(raw.pop("header_rows", PRESETS[preset]["header_rows"]))
    survey_id = raw.pop("survey_id", None)
    pattern = str(raw.pop("pattern", DEFAULT_PATTERN))
    imp_pattern = str(raw.pop("importance_pattern", DEFAULT_IMPORTANCE_PATTERN))
    if raw:
        raise ConfigError(f"cvm.toml [sources.surveys.wide]: unknown setting {sorted(raw)[0]!r}")
    for name, pat, groups in (
        ("pattern", pattern, ("brand", "attribute")),
        ("importance_pattern", imp_pattern, ("attribute",)),
    ):
        try:
            compiled = re.compile(pat, re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"survey {name} {pat!r}: {exc}") from exc
        if not set(groups) <= set(compiled.groupindex):
            raise ConfigError(f"survey {name} must name the groups {', '.join(groups)}")
    return WideMapping(
        columns=ids,
        questions={str(k): _question(str(k), v) for k, v in questions.items()},
        pattern=pattern,
        importance_pattern=imp_pattern,
        header_rows=header_rows,
        survey_id=str(survey_id) if survey_id is not None else None,
    )


def _find(header: list[str], names: tuple[str, ...]) -> str | None:
    by_key = {normalise(h): h for h in reversed(header)}
    for name in names:
        if normalise(name) in by_key:
            return by_key[normalise(name)]
    return None


def id_columns(mapping: WideMapping, header: list[str], path: Path) -> dict[str, str]:
    """Canonical id column -> the file's column: the mapped one, else the first alias found."""
    found: dict[str, str] = {}
    for canonical, aliases in ID_ALIASES.items():
        wanted = mapping.columns.get(canonical)
        hit = _find(header, (wanted,) if wanted else aliases)
        if wanted and hit is None:
            raise IngestError(
                f"{path}: missing column {wanted!r} (mapped to {canonical});"
                f" columns found: {', '.join(header)}"
            )
        if hit is not None:
            found[canonical] = hit
    if "respondent_id" not in found:
        raise IngestError(
            f"{path}: missing required column 'respondent_id' for a wide survey"
            f" (looked for {', '.join(ID_ALIASES['respondent_id'])}; set"
            f" [sources.surveys.wide] respondent_id); columns found: {', '.join(header)}"
        )
    return found


def questions(
    mapping: WideMapping, header: list[str], used: set[str], path: Path
) -> dict[str, Question]:
    """Question column -> what it asks: the mapping's list, else the columns the patterns
    match (the id columns ``used`` aside)."""
    if mapping.questions:
        missing = [q for q in mapping.questions if q not in header]
        if missing:
            raise IngestError(
                f"{path}: missing question column {missing[0]!r}"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                + f" named in [sources.surveys.wide.questions]; columns found: {', '.join(header)}"
            )
        return dict(mapping.questions)
    brand_re = re.compile(mapping.pattern, re.IGNORECASE)
    imp_re = re.compile(mapping.importance_pattern, re.IGNORECASE)
    out: dict[str, Question] = {}
    for col in header:
        if col in used:
            continue
        if m := imp_re.match(col):
            out[col] = Question(m["attribute"].strip(), None, True)
        elif m := brand_re.match(col):
            attribute = m["attribute"].strip()
            if attribute.lower() in ("nps", "csat"):
                attribute = attribute.lower()
            out[col] = Question(attribute, m["brand"].strip())
    if not any(not q.importance for q in out.values()):
        raise IngestError(
            f"{path}: no question column matches the pattern {mapping.pattern!r} and no"
            f" [sources.surveys.wide.questions] are given; columns found: {', '.join(header)}"
        )
    return out
