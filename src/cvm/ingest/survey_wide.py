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

import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm._progress import Progress, no_progress
from cvm.engines import Capability, Engine, fill, sql_file
from cvm.ingest import erased, readers
from cvm.ingest._common import (
    classify_rows,
    drop_tables,
    finish_load,
    kind_sql,
    prepare,
    rows_in,
    run_kind_sql,
    start_load,
    status_counts,
    ts_params,
)
from cvm.ingest.kinds import source_kind
from cvm.ingest.options import resolve_options
from cvm.ingest.result import LoadResult, new_load_id
from cvm.ingest.staging import alias, column
from cvm.ingest.survey_headers import (
    GOOGLE_FORMS_DATE,
    SURVEYMONKEY_DATE,
    read_header,
    write_renamed,
)
from cvm.ingest.survey_mapping import (
    ID_ALIASES,
    Question,
    WideMapping,
    id_columns,
    questions,
    wide_mapping,
)

if TYPE_CHECKING:
    from cvm.workspace import Workspace

SURVEYS = source_kind("surveys")
_WORK = (
    "_cvm_svw_long", "_cvm_svw_map", *SURVEYS.work_tables, "_cvm_rejects",
    "_cvm_erasure_key",
)  # fmt: skip


def _text(name: str | None) -> exp.Expression:
    """A cell as trimmed text, NULL when empty."""
    if not name:
        return exp.cast(exp.null(), "VARCHAR")
    trimmed = exp.Trim(this=exp.cast(column(name), "VARCHAR"))
    return exp.Nullif(this=trimmed, expression=exp.Literal.string(""))


def _stage(
    engine: Engine,
    file: readers.FileSource,
    ids: dict[str, str],
    asked: dict[str, Question],
    mapping: WideMapping,
) -> None:
    """``_cvm_svw_long``: one row per answered question, in the validator's shape."""
    questions_map = pa.table(
        {
            "question": pa.array(list(asked), pa.string()),
            "brand": pa.array([q.brand for q in asked.values()], pa.string()),
            "attribute": pa.array([q.attribute for q in asked.values()], pa.string()),
            "is_importance": pa.array([q.importance for q in asked.values()], pa.bool_()),
        }
    )
    with engine.register("_cvm_svw_map_in", questions_map):
        engine.run(sql_file(__package__, "survey_wide_map.sql"))
    survey = (
        _text(ids.get("survey_id"))
        if "survey_id" in ids
        else exp.cast(exp.Placeholder(this="survey"), "VARCHAR")
    )
    query = fill(
        sql_file(__package__, "survey_wide_long.sql"),
        source=file.source.relation,
        seq=file.source.seq,
        respondent=_text(ids["respondent_id"]),
        customer=_text(ids.get("customer_id")),
        ts=_text(ids.get("ts")),
        survey=survey,
        question_cells=[alias(_text(q), exp.to_identifier(q, quoted=True)) for q in asked],
        questions=[column(q) for q in asked],
    )
    params: dict[str, object] = {**file.source.params, "header_rows": mapping.header_rows}
    if "survey_id" not in ids:
        params["survey"] = mapping.survey_id
    engine.run(query, params)


def _drop(engine: Engine) -> None:
    drop_tables(engine, *_WORK)
    readers.reset_scanner_rejects(engine)


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
    if mapping is None:
        mapping = wide_mapping(ws.settings.sources.surveys.wide.table(), columns)
    with tempfile.TemporaryDirectory(dir=ws.path, prefix=".survey-") as tmp:
        read_path, mapping, date_format, timezone = _native(
            ws, Path(path), mapping, date_format, timezone, Path(tmp)
        )
        return _load_wide(
            ws, Path(path), read_path, mapping, columns=columns, date_format=date_format,
            timezone=timezone, delimiter=delimiter, encoding=encoding, score_min=score_min,
            score_max=score_max, progress=progress,
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
) -> LoadResult:
    opts = resolve_options(
        ws.config, "surveys", date_format=date_format, timezone=timezone,
        delimiter=delimiter, encoding=encoding, score_min=score_min, score_max=score_max,
    )  # fmt: skip
    if columns:
        mapping = WideMapping(**{**mapping.__dict__, "columns": {**mapping.columns, **columns}})
    report = progress or no_progress
    file_path = source_path
    engine = ws.engine
    engine.require(Capability.CSV_SNIFF, f"loading {file_path}")
    engine.require(Capability.REJECT_TABLES, f"loading {file_path}")
    result = LoadResult(kind="surveys", source=str(file_path), load_id=new_load_id("surveys"))
    with engine.transaction():
        _drop(engine)
        file = readers.open_file(engine, read_path, opts)
        ids = id_columns(mapping, file.header, file_path)
        asked = questions(mapping, file.header, set(ids.values()), file_path)
        start_load(engine, result)
        prepare(engine, opts)
        try:
            report(0, 4, f"{result.source}: reshape")
            _stage(engine, file, ids, asked, mapping)
            report(1, 4, f"{result.source}: validate")
            (validate,) = kind_sql(SURVEYS, "surveys_validate.sql", input="_cvm_svw_long")
            lo, hi = opts.score_min, opts.score_max
            engine.run(
                validate,
                {
                    **ts_params(opts),
                    "score_min": lo,
                    "score_max": hi,
                    "score_range": f"{lo:g}..{hi:g}",
                },
            )
            result.erased = erased.refuse_rows(engine, SURVEYS.work("rows"))
            report(2, 4, f"{result.source}: deduplicate")
            classify_rows(engine, SURVEYS)
            report(3, 4, f"{result.source}: insert")
            run_kind_sql(engine, SURVEYS, "surveys_insert.sql", {"load_id": result.load_id})
            counts = status_counts(engine, SURVEYS.work("status"))
            result.rows_read = rows_in(engine, SURVEYS.work("rows")) + result.erased
            result.loaded = counts.get("load", 0)
            result.duplicates = counts.get("duplicate", 0)
            conflict = {"conflict": SURVEYS.conflict}
            run_kind_sql(engine, SURVEYS, "survey_wide_rejects.sql", conflict)
        except engine.error as exc:
            first = str(exc).strip().splitlines()[0]
            raise IngestError(f"{file_path}: cannot load: {first}") from exc
        finish_load(engine, file, result)
        _drop(engine)
    return result


__all__ = ["Question", "WideMapping", "load_survey_wide", "wide_mapping"]
