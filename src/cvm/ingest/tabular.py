"""Load one tabular file (CSV, Parquet, JSON lines) of one kind, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot.expressions as exp

from cvm._exceptions import ConfigError, IngestError
from cvm._progress import Progress, no_progress
from cvm.engines import Capability, Engine, sql_file
from cvm.ingest import readers
from cvm.ingest._common import drop_tables, finish_load, prepare, scalar, start_load
from cvm.ingest.consent import CONSENT_RULES, apply_consent_rules
from cvm.ingest.keyed import loader, work_tables
from cvm.ingest.kinds import source_kind
from cvm.ingest.linking import link_identities, links_profile
from cvm.ingest.options import SourceOptions, resolve_options
from cvm.ingest.profiles import normalise, resolve_columns
from cvm.ingest.result import LoadResult, new_load_id
from cvm.ingest.staging import alias, canonical_select, column
from cvm.ingest.survey_wide import load_survey_wide
from cvm.ingest.transactions import drop_temp

if TYPE_CHECKING:
    from cvm.workspace import Workspace


def _check_required(kind: str, found: Mapping[str, str], options: SourceOptions, file: Any) -> None:
    """Refuse a file without a required column, or with a ``--map`` the load cannot use: a
    column the file lacks, or a name that is no column of the kind (nor a link column)."""
    declared = source_kind(kind)
    mapping = {k: v for k, v in found.items() if k in declared.mappable}
    required = list(declared.required)
    if kind == "order_items" and "amount" not in mapping and "unit_price" not in mapping:
        required.append("amount")
    if kind == "transactions" and options.statuses:
        required.append("financial_status")  # the status column of a status-filtered export
    missing = [c for c in required if c not in mapping]
    bad_maps = [c for c, s in options.columns.items() if c not in mapping and s]
    if not missing and not bad_maps:
        return
    col = (missing or bad_maps)[0]
    wanted = options.columns.get(col)
    what = f"column {col!r}" + (f" (mapped to {wanted!r})" if wanted else "")
    header = ", ".join(file.header) or "none"
    unnamed = bool(file.header) and file.header[0] == "col1" and not options.names
    advice = (
        f"; the file has no header: name its columns with --columns a,b,c or map them by"
        f" position, e.g. --map {col}=col2"
        if unnamed
        else ""
    )
    raise IngestError(
        f"{file.path}: missing required {what} for {kind} (profile {options.profile});"
        f" columns found: {header}{advice}"
    )


def _key_notes(mapping: Mapping[str, str], options: SourceOptions) -> list[str]:
    """Say so when the profile fell back to the e-mail column as the customer key."""
    key = mapping.get("customer_id")
    if not key or "customer_id" in options.columns:
        return []
    if normalise(key) not in ("email", "emailaddress"):
        return []
    return [
        f"no customer id column: customers are keyed by the e-mail column {key!r}"
        " (a changed address becomes a new customer; map an id with --map customer_id=COLUMN)"
    ]


def _period(raw: tuple[Any, Any] | None, kind: str) -> tuple[datetime, datetime] | None:
    """``(from, to)`` of ``replace_period`` as UTC wall-clock datetimes, checked."""
    if raw is None:
        return None
    if kind != "transactions":
        raise ConfigError(f"replace_period applies to transactions only, not {kind}")
    bounds = []
    for value in raw:
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise ConfigError(
                f"--replace-period: {value!r} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)"
            ) from exc
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        bounds.append(moment)
    start, end = bounds
    if not start < end:
        raise ConfigError(f"--replace-period: FROM {raw[0]} must be before TO {raw[1]}")
    return start, end


def _replace_period(engine: Engine, result: LoadResult, period: tuple[datetime, datetime]) -> None:
    """Remove the period's file-loaded transactions (inside the load's transaction)."""
    start, end = period
    params: dict[str, object] = {"start": start, "end": end}
    removed = scalar(engine, sql_file(__package__, "transactions_period_count.sql"), params)
    engine.run(sql_file(__package__, "transactions_period_delete.sql"), params)
    result.notes.append(
        f"replaced the period {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (UTC):"
        f" {removed:,} stored transactions loaded from files removed before this load"
    )


def _drop_work(engine: Engine) -> None:
    drop_temp(engine)
    drop_tables(engine, *work_tables())
    readers.reset_scanner_rejects(engine)


def _json(value: exp.Expression) -> exp.Expression:
    return exp.cast(value, "JSON")


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _object(columns: Sequence[str]) -> exp.Expression:
    """``to_json`` of a struct of ``columns`` keyed by their names."""
    fields = [
        exp.PropertyEQ(this=exp.to_identifier(c, quoted=True), expression=column(c))
        for c in columns
    ]
    return _fn("to_json", exp.Struct(expressions=fields))


def _attributes(file: readers.FileSource, mapping: Mapping[str, str]) -> exp.Expression:
    """A JSON object of the source columns no canonical customer column took.

    A column named ``attributes`` that holds a JSON object (an export of this same table) is
    merged in key by key rather than nested as text.
    """
    used = set(mapping.values())
    extra = [c for c in file.header if c not in used]
    nested = next((c for c in extra if c.lower() == "attributes"), None)
    flat = [c for c in extra if c != nested]
    others = _object(flat) if flat else _json(exp.Literal.string("{}"))
    if nested is None:
        return alias(others if flat else _json(exp.null()), "attributes")
    parsed = exp.TryCast(this=exp.cast(column(nested), "VARCHAR"), to=exp.DataType.build("JSON"))
    is_object = exp.EQ(this=_fn("json_type", parsed), expression=exp.Literal.string("OBJECT"))
    as_object = exp.case().when(is_object, parsed.copy()).else_(_object([nested]))
    merged = _fn(
        "json_merge_patch",
        others,
        exp.Coalesce(this=as_object, expressions=[_json(exp.Literal.string("{}"))]),
    )
    return alias(merged, "attributes")


def _wide_survey(ws: Workspace, kind: str, layout: str | None) -> bool:
    """Whether a survey file is in the wide layout (argument, else cvm.toml; long default)."""
    if kind.replace("-", "_") not in ("surveys", "survey", "survey_responses"):
        return False
    chosen = str(layout or ws.settings.sources.surveys.layout)
    if chosen not in ("long", "wide"):
        raise ConfigError(f"survey layout must be 'long' or 'wide', got {chosen!r}")
    return chosen == "wide"


def load_file(
    ws: Workspace,
    kind: str,
    path: str | Path,
    *,
    profile: str | None = None,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    currency: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    score_min: float | None = None,
    score_max: float | None = None,
    progress: Progress | None = None,
    layout: str | None = None,
    decimal: str | None = None,
    header: bool | None = None,
    names: Sequence[str] | None = None,
    replace_period: tuple[Any, Any] | None = None,
) -> LoadResult:
    """Load one file of ``kind`` (transactions, order_items, customers, subscriptions, surveys).

    ``decimal=","`` reads numbers written as ``1.234,50`` (European exports).
    ``delimiter="whitespace"`` reads fields separated by runs of spaces (sniffed for ``.txt``);
    ``header=False`` reads a text file without a header line (columns ``col1..colN``) and
    ``names`` names the columns in order.

    ``replace_period=(from, to)`` (transactions only) loads a corrected re-export of a period:
    in the same transaction, the stored transactions with ``from <= ts < to`` (UTC) that came
    from file loads (not from events or the API) are removed first, then the file loads.

    Surveys in ``layout="wide"`` (or ``[sources.surveys] layout = "wide"``), one row per
    respondent, load through ``cvm.ingest.survey_wide``.

    Options left out come from ``cvm.toml`` ``[sources.<kind>]``. Every row is checked; bad
    rows go to ``rejected_rows`` with their line and reason, good rows load once (rows already
    stored count as duplicates). The whole load is one DuckDB transaction recorded in
    ``loads``: a crash leaves the workspace as it was.

    Raises
    ------
    IngestError
        The file is missing, unreadable, or lacks a required column; nothing is loaded.
    """
    if _wide_survey(ws, kind, layout):
        return load_survey_wide(
            ws, path, columns=columns, date_format=date_format, timezone=timezone,
            delimiter=delimiter, encoding=encoding, score_min=score_min, score_max=score_max,
            progress=progress,
        )  # fmt: skip
    opts = resolve_options(
        ws.config,
        kind,
        profile=profile,
        columns=columns,
        date_format=date_format,
        timezone=timezone,
        currency=currency,
        delimiter=delimiter,
        encoding=encoding,
        score_min=score_min,
        score_max=score_max,
        decimal=decimal,
        header=header,
        names=names,
    )
    period = _period(replace_period, opts.kind)
    report = progress or no_progress
    file_path = Path(path)
    engine = ws.engine
    require_file_capabilities(engine, f"loading {file_path}")
    kind_ = source_kind(opts.kind)
    result = LoadResult(kind=opts.kind, source=str(file_path), load_id=new_load_id(opts.kind))
    with engine.memory_limit(ws.config.load_memory_limit), engine.transaction():
        _drop_work(engine)
        file = readers.open_file(engine, file_path, opts)
        found = resolve_columns(opts.kind, opts.profile, file.header, opts.columns)
        mapping = {k: v for k, v in found.items() if k in kind_.slots}
        _check_required(opts.kind, found, opts, file)
        result.notes.extend(_key_notes(mapping, opts))
        start_load(engine, result)
        if period is not None:
            _replace_period(engine, result, period)
        prepare(engine, opts)
        extra = [_attributes(file, mapping)] if opts.kind == "customers" else []
        source = file.source
        if opts.kind == "customers" and opts.profile in CONSENT_RULES:
            source, derived, consent = apply_consent_rules(
                engine, opts.profile, source, file.header, opts.columns
            )
            mapping.update(derived)
            result.notes += consent.notes()
        select = canonical_select(opts.kind, source, mapping, extra)
        try:
            loader(opts.kind)(engine, select, source.params, opts, result, report)
        except engine.error as exc:
            first = str(exc).strip().splitlines()[0]
            raise IngestError(f"{file_path}: cannot load: {first}") from exc
        finish_load(engine, file, result)
        if links_profile(opts) and result.loaded:
            result.customers_merged = link_identities(engine, opts, result, file.source, found)
        _drop_work(engine)
    return result


def require_file_capabilities(engine: Engine, what: str) -> None:
    """File loads sniff CSV dialects and types and keep the scanner's refused rows: DuckDB's."""
    engine.require(Capability.CSV_SNIFF, what)
    engine.require(Capability.REJECT_TABLES, what)


__all__ = ["load_file", "new_load_id", "require_file_capabilities"]
