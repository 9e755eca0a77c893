"""Wide survey exports (SurveyMonkey, Qualtrics): one row per respondent, one column per
question, turned into long answers through a mapping and loaded like a long file.

The mapping says which column holds the respondent id (and optionally the customer id, the
date and the survey id) and, for each question column, the brand and attribute it rates, or
the attribute whose importance it asks. It comes from ``cvm.toml``::

    [sources.surveys]
    layout = "wide"
    [sources.surveys.wide]
    preset = "qualtrics"          # ResponseId, ExternalReference, EndDate; 2 extra header rows
    survey_id = "brand-2025-q3"
    [sources.surveys.wide.questions]
    Q1_1 = { brand = "us", attribute = "product quality" }
    Q1_2 = { brand = "Competitor A", attribute = "product quality" }
    Q5_1 = { attribute = "product quality", importance = true }
    Q9 = { brand = "us", attribute = "nps" }

or, without a question list, from column names matching ``pattern`` (default ``brand:
attribute`` or ``brand | attribute``) and ``importance_pattern`` (default ``importance:
attribute``). Unanswered questions (empty cells) are skipped; a bad answer is refused with
its line and question column while the respondent's other answers load.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from cvm._exceptions import ConfigError, IngestError
from cvm._progress import Progress, no_progress
from cvm._sql import load_sql
from cvm.ingest import erased, readers
from cvm.ingest._common import SQL, finish_load, prepare, start_load, status_counts, ts_params
from cvm.ingest.options import resolve_options
from cvm.ingest.profiles import normalise
from cvm.ingest.result import LoadResult
from cvm.ingest.staging import ident
from cvm.ingest.survey_headers import (
    GOOGLE_FORMS_DATE,
    SURVEYMONKEY_DATE,
    read_header,
    write_renamed,
)
from cvm.workspace.connection import transaction

if TYPE_CHECKING:
    from cvm.workspace import Workspace

PKG = "cvm.ingest"
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
_WORK = (
    "_cvm_svw_long", "_cvm_svw_map", "_cvm_sv_rows", "_cvm_sv_status", "_cvm_rejects",
    "_cvm_erasure_key",
)  # fmt: skip


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


def _id_columns(mapping: WideMapping, header: list[str], path: Path) -> dict[str, str]:
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


def _questions(
    mapping: WideMapping, header: list[str], used: set[str], path: Path
) -> dict[str, Question]:
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


def _text(column: str | None) -> str:
    return f"nullif(trim(CAST({ident(column)} AS VARCHAR)), '')" if column else "NULL::VARCHAR"


def _stage(
    con: duckdb.DuckDBPyConnection,
    file: readers.FileSource,
    ids: dict[str, str],
    questions: dict[str, Question],
    mapping: WideMapping,
) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _cvm_svw_map"
        " (question VARCHAR, brand VARCHAR, attribute VARCHAR, is_importance BOOLEAN)"
    )
    con.executemany(
        "INSERT INTO _cvm_svw_map VALUES (?, ?, ?, ?)",
        [[q, s.brand, s.attribute, s.importance] for q, s in questions.items()],
    )
    survey = _text(ids.get("survey_id")) if "survey_id" in ids else "CAST($survey AS VARCHAR)"
    cells = ", ".join(f"{_text(q)} AS {ident(q)}" for q in questions)
    sql = load_sql(PKG, "survey_wide_long.sql")
    for key, value in {
        "{relation}": file.source.relation,
        "{seq}": file.source.seq,
        "{respondent}": _text(ids["respondent_id"]),
        "{customer}": _text(ids.get("customer_id")),
        "{ts}": _text(ids.get("ts")),
        "{survey}": survey,
        "{question_cells}": cells,
        "{questions}": ", ".join(ident(q) for q in questions),
    }.items():
        sql = sql.replace(key, value)
    params: dict[str, object] = {**file.source.params, "header_rows": mapping.header_rows}
    if "survey_id" not in ids:
        params["survey"] = mapping.survey_id
    con.execute(sql, params)


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    for name in _WORK:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    readers.reset_scanner_rejects(con)


def load_survey_wide(
    ws: Workspace,
    path: str | Path,
    mapping: WideMapping | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    score_min: float | None = None,
    score_max: float | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load a wide survey export as long answers, all or nothing, like ``load_file``.

    ``mapping`` defaults to ``cvm.toml`` ``[sources.surveys.wide]``; ``columns`` overrides
    its id columns (respondent_id, customer_id, ts, survey_id). Counts in the result are
    answers (one per respondent and question); a line the CSV scanner cannot read counts once.

    Raises
    ------
    IngestError
        The file is unreadable, or a mapped column (or the respondent id) is missing; nothing
        is loaded.
    """
    from cvm.ingest.tabular import new_load_id

    if mapping is None:
        mapping = wide_mapping(ws.settings.sources.surveys.wide.table(), columns)
    with tempfile.TemporaryDirectory(dir=ws.path, prefix=".survey-") as tmp:
        read_path, mapping, date_format, timezone = _native(
            ws, Path(path), mapping, date_format, timezone, Path(tmp)
        )
        return _load_wide(
            ws, Path(path), read_path, mapping, columns=columns, date_format=date_format,
            timezone=timezone, delimiter=delimiter, encoding=encoding, score_min=score_min,
            score_max=score_max, progress=progress, new_load_id=new_load_id,
        )  # fmt: skip


def _native(
    ws: Workspace,
    path: Path,
    mapping: WideMapping,
    date_format: str | None,
    timezone: str | None,
    tmp: Path,
) -> tuple[Path, WideMapping, str | None, str | None]:
    """The file to read, the mapping, date format and zone, adjusted to the export's tool
    (``cvm.ingest.survey_headers``): SurveyMonkey's two header rows become one, Qualtrics'
    zone of the date column and Google Forms' date order are used unless given."""
    if not path.is_file():
        return path, mapping, date_format, timezone
    header = read_header(path)
    if header is None:
        return path, mapping, date_format, timezone
    surveys = ws.settings.sources.surveys
    if mapping.header_rows == 0 and "header_rows" not in surveys.wide.model_fields_set:
        mapping = replace(mapping, header_rows=header.header_rows)
    configured_fmt = date_format or surveys.date_format
    if header.tool == "google-forms" and not configured_fmt:
        date_format = GOOGLE_FORMS_DATE
    if header.tool == "surveymonkey" and header.names:
        if not configured_fmt:
            date_format = SURVEYMONKEY_DATE
        path = write_renamed(path, header.names, tmp / path.name.removesuffix(".gz"))
    if header.tool == "qualtrics" and timezone is None and not surveys.timezone:
        ts_col = mapping.columns.get("ts") or next(
            (c for c in ID_ALIASES["ts"] if c in header.zones), None
        )
        timezone = header.zone_of(ts_col) or timezone
    return path, mapping, date_format, timezone


def _load_wide(
    ws: Workspace,
    source_path: Path,
    read_path: Path,
    mapping: WideMapping,
    *,
    columns: Mapping[str, str] | None,
    date_format: str | None,
    timezone: str | None,
    delimiter: str | None,
    encoding: str | None,
    score_min: float | None,
    score_max: float | None,
    progress: Progress | None,
    new_load_id: Any,
) -> LoadResult:
    opts = resolve_options(
        ws.config, "surveys", date_format=date_format, timezone=timezone,
        delimiter=delimiter, encoding=encoding, score_min=score_min, score_max=score_max,
    )  # fmt: skip
    if columns:
        mapping = WideMapping(**{**mapping.__dict__, "columns": {**mapping.columns, **columns}})
    report = progress or no_progress
    file_path = source_path
    con = ws.con
    result = LoadResult(kind="surveys", source=str(file_path), load_id=new_load_id("surveys"))
    with transaction(con):
        _drop(con)
        file = readers.open_file(con, read_path, opts)
        ids = _id_columns(mapping, file.header, file_path)
        questions = _questions(mapping, file.header, set(ids.values()), file_path)
        start_load(con, result)
        prepare(con, opts)
        try:
            report(0, 4, f"{result.source}: reshape")
            _stage(con, file, ids, questions, mapping)
            report(1, 4, f"{result.source}: validate")
            validate = load_sql(SQL, "surveys_validate.sql").replace(
                "FROM _cvm_sv_in", "FROM _cvm_svw_long AS _cvm_sv_in"
            )
            lo, hi = opts.score_min, opts.score_max
            con.execute(
                validate,
                {
                    **ts_params(opts),
                    "score_min": lo,
                    "score_max": hi,
                    "score_range": f"{lo:g}..{hi:g}",
                },
            )
            result.erased = erased.refuse_rows(con, "_cvm_sv_rows")
            report(2, 4, f"{result.source}: deduplicate")
            con.execute(load_sql(SQL, "surveys_status.sql"))
            report(3, 4, f"{result.source}: insert")
            con.execute(load_sql(SQL, "surveys_insert.sql"), {"load_id": result.load_id})
            counts = status_counts(con, "_cvm_sv_status")
            rows = con.execute("SELECT count(*) FROM _cvm_sv_rows").fetchall()[0][0]
            result.rows_read = int(rows) + result.erased
            result.loaded = counts.get("load", 0)
            result.duplicates = counts.get("duplicate", 0)
            con.execute(
                load_sql(PKG, "survey_wide_rejects.sql"),
                {"conflict": "duplicate answer with different content"},
            )
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise IngestError(f"{file_path}: cannot load: {first}") from exc
        finish_load(con, file, result)
        _drop(con)
    return result


__all__ = ["Question", "WideMapping", "load_survey_wide", "wide_mapping"]
