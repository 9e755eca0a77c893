"""Load one tabular file (CSV, Parquet, JSON lines) of one kind, all or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from cvm._exceptions import ConfigError, IngestError
from cvm._progress import Progress, no_progress
from cvm._sql import load_sql
from cvm.ingest import erased, readers
from cvm.ingest._common import (
    SQL,
    finish_load,
    prepare,
    scalar,
    start_load,
    status_counts,
    store_rejects,
    ts_params,
)
from cvm.ingest.consent import CONSENT_RULES, apply_consent_rules
from cvm.ingest.linking import link_identities, links_profile
from cvm.ingest.options import SourceOptions, resolve_options
from cvm.ingest.profiles import CANONICAL, REQUIRED, RESOLVE_BY_EMAIL, normalise, resolve_columns
from cvm.ingest.result import LoadResult
from cvm.ingest.staging import SLOTS, canonical_select, ident, table_source, with_input
from cvm.ingest.transactions import drop_temp, validate_and_insert
from cvm.workspace.connection import memory_limit, transaction

if TYPE_CHECKING:
    from cvm.workspace import Workspace

Loader = Callable[
    [duckdb.DuckDBPyConnection, str, Mapping[str, object], SourceOptions, LoadResult, Progress],
    None,
]


def new_load_id(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _check_required(kind: str, mapping: Mapping[str, str], options: SourceOptions, file: Any):
    required = list(REQUIRED[kind])
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
    found = ", ".join(file.header) or "none"
    unnamed = bool(file.header) and file.header[0] == "col1" and not options.names
    advice = (
        f"; the file has no header: name its columns with --columns a,b,c or map them by"
        f" position, e.g. --map {col}=col2"
        if unnamed
        else ""
    )
    raise IngestError(
        f"{file.path}: missing required {what} for {kind} (profile {options.profile});"
        f" columns found: {found}{advice}"
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


def _replace_period(
    con: duckdb.DuckDBPyConnection, result: LoadResult, period: tuple[datetime, datetime]
) -> None:
    """Remove the period's file-loaded transactions (inside the load's transaction)."""
    start, end = period
    params = {"start": start, "end": end}
    removed = scalar(con, load_sql(SQL, "transactions_period_count.sql"), params)
    con.execute(load_sql(SQL, "transactions_period_delete.sql"), params)
    result.notes.append(
        f"replaced the period {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (UTC):"
        f" {removed:,} stored transactions loaded from files removed before this load"
    )


def _rejects_of(con: duckdb.DuckDBPyConnection, rows: str, status: str, conflict: str) -> None:
    sql = load_sql(SQL, "rows_rejects.sql").replace("{rows}", rows).replace("{status}", status)
    con.execute(sql, {"conflict": conflict})


def _load_transactions(
    con: duckdb.DuckDBPyConnection,
    select: str,
    params: Mapping[str, object],
    options: SourceOptions,
    result: LoadResult,
    progress: Progress,
) -> None:
    stage = None
    stage_params: dict[str, object] = {}
    if options.profile == "shopify":
        stage = "shopify_stage.sql"
    elif options.statuses:
        stage = "status_stage.sql"
        stage_params = {
            "statuses": list(options.statuses),
            "by_email": options.profile in RESOLVE_BY_EMAIL,
        }
    if stage is not None:
        sql = with_input(load_sql(SQL, stage), "_cvm_shop_in", select)
        con.execute(sql, {**params, **stage_params})
        result.skipped = scalar(con, "SELECT count(*) FROM _cvm_shop WHERE skipped")
        select, params = load_sql(SQL, "shopify_transactions.sql").rstrip().rstrip(";"), {}
    validate_and_insert(con, select, params, options, result, progress)


@dataclass(frozen=True)
class _Keyed:
    """A keyed load in three SQL steps: ``<stem>_validate.sql`` types and checks the rows into
    ``<prefix>_rows``, ``<stem>_status.sql`` classifies them (load, update, duplicate, conflict)
    into ``<prefix>_status``, ``<stem>_<write>.sql`` writes the new ones."""

    stem: str
    prefix: str
    write: str  # insert (append-only answers and lines) or upsert (snapshots)
    conflict: str  # reason for a key seen twice with different content
    params: Callable[[SourceOptions], dict[str, object]]


def _score_range(options: SourceOptions) -> dict[str, object]:
    lo, hi = options.score_min, options.score_max
    return {"score_min": lo, "score_max": hi, "score_range": f"{lo:g}..{hi:g}"}


KEYED: dict[str, _Keyed] = {
    "order_items": _Keyed(
        "order_items", "_cvm_oi", "insert", "duplicate order line with different content",
        lambda o: {"currency": o.currency},
    ),
    "customers": _Keyed(
        "customers", "_cvm_cu", "upsert", "duplicate customer_id with different content",
        ts_params,
    ),
    "surveys": _Keyed(
        "surveys", "_cvm_sv", "insert", "duplicate answer with different content",
        lambda o: {**ts_params(o), **_score_range(o)},
    ),
    "subscriptions": _Keyed(
        "subscriptions", "_cvm_sb", "upsert", "duplicate subscription_id with different content",
        lambda o: {**ts_params(o), "currency": o.currency},
    ),
}  # fmt: skip


def _keyed_loader(spec: _Keyed) -> Loader:
    def load(
        con: duckdb.DuckDBPyConnection,
        select: str,
        params: Mapping[str, object],
        options: SourceOptions,
        result: LoadResult,
        progress: Progress,
    ) -> None:
        progress(0, 3, f"{result.source}: read and validate")
        sql = with_input(load_sql(SQL, f"{spec.stem}_validate.sql"), f"{spec.prefix}_in", select)
        con.execute(sql, {**params, **spec.params(options)})
        refused = erased.refuse_rows(con, f"{spec.prefix}_rows")
        result.rows_read += refused
        result.erased += refused
        progress(1, 3, f"{result.source}: deduplicate")
        con.execute(load_sql(SQL, f"{spec.stem}_status.sql"))
        progress(2, 3, f"{result.source}: {spec.write}")
        con.execute(load_sql(SQL, f"{spec.stem}_{spec.write}.sql"), {"load_id": result.load_id})
        _finish_counts(con, result, f"{spec.prefix}_rows", f"{spec.prefix}_status")
        _rejects_of(con, f"{spec.prefix}_rows", f"{spec.prefix}_status", spec.conflict)

    return load


def _finish_counts(
    con: duckdb.DuckDBPyConnection, result: LoadResult, rows: str, status: str
) -> None:
    counts = status_counts(con, status)
    result.rows_read += scalar(con, f"SELECT count(*) FROM {rows}")
    result.updated += counts.get("update", 0)
    result.loaded += counts.get("load", 0) + counts.get("update", 0)
    result.duplicates += counts.get("duplicate", 0)


LOADERS: dict[str, Loader] = {
    "transactions": _load_transactions,
    **{kind: _keyed_loader(spec) for kind, spec in KEYED.items()},
}

_WORK_TABLES = (
    "_cvm_shop",
    *(f"{spec.prefix}_{t}" for spec in KEYED.values() for t in ("rows", "status", "new")),
    "_cvm_rejects",
    "_cvm_rates",
    "_cvm_limits",
    "_cvm_erasure_key",
)


def _drop_work(con: duckdb.DuckDBPyConnection) -> None:
    drop_temp(con)
    for name in _WORK_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    readers.reset_scanner_rejects(con)


def _attributes(file: readers.FileSource, mapping: Mapping[str, str]) -> str:
    """A JSON object of the source columns no canonical customer column took.

    A column named ``attributes`` that holds a JSON object (an export of this same table) is
    merged in key by key rather than nested as text.
    """
    used = set(mapping.values())
    extra = [c for c in file.header if c not in used]
    nested = next((c for c in extra if c.lower() == "attributes"), None)
    flat = [c for c in extra if c != nested]
    fields = ", ".join(f"{ident(c)} := {ident(c)}" for c in flat)
    others = f"to_json(struct_pack({fields}))" if flat else "'{}'::JSON"
    if nested is None:
        return f"{others} AS attributes" if flat else "NULL::JSON AS attributes"
    parsed = f"try_cast(CAST({ident(nested)} AS VARCHAR) AS JSON)"
    as_object = (
        f"CASE WHEN json_type({parsed}) = 'OBJECT' THEN {parsed}"
        f" ELSE to_json(struct_pack({ident(nested)} := {ident(nested)})) END"
    )
    return f"json_merge_patch({others}, coalesce({as_object}, '{{}}'::JSON)) AS attributes"


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
        from cvm.ingest.survey_wide import load_survey_wide

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
    con = ws.con
    result = LoadResult(kind=opts.kind, source=str(file_path), load_id=new_load_id(opts.kind))
    with memory_limit(con, ws.config.load_memory_limit), transaction(con):
        _drop_work(con)
        file = readers.open_file(con, file_path, opts)
        found = resolve_columns(opts.kind, opts.profile, file.header, opts.columns)
        mapping = {k: v for k, v in found.items() if k in SLOTS[opts.kind]}
        _check_required(opts.kind, mapping, opts, file)
        result.notes.extend(_key_notes(mapping, opts))
        start_load(con, result)
        if period is not None:
            _replace_period(con, result, period)
        prepare(con, opts)
        extra = [_attributes(file, mapping)] if opts.kind == "customers" else []
        source = file.source
        if opts.kind == "customers" and opts.profile in CONSENT_RULES:
            source, derived, consent = apply_consent_rules(
                con, opts.profile, source, file.header, opts.columns
            )
            mapping.update(derived)
            result.notes += consent.notes()
        select = canonical_select(opts.kind, source, mapping, extra)
        try:
            LOADERS[opts.kind](con, select, source.params, opts, result, report)
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise IngestError(f"{file_path}: cannot load: {first}") from exc
        finish_load(con, file, result)
        if links_profile(opts) and result.loaded:
            rel, par = file.source.relation, file.source.params
            result.customers_merged = link_identities(con, opts, result, rel, par, found)
        _drop_work(con)
    return result


__all__ = ["CANONICAL", "load_file", "new_load_id"]


def load_order_items_from(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    *,
    load_id: str,
    source: str,
    options: SourceOptions | None = None,
) -> LoadResult:
    """Load order lines already staged in ``table_name`` on ``con`` (e.g. the products of
    Segment "Order Completed" events), with the checks and dedup of a file load.

    The staged table holds canonical order-item columns (``transaction_id``, ``line_no``,
    ``product_id``, ``category``, ``quantity``, ``amount`` or ``unit_price``, ``currency``) plus
    ``_line``/``_raw`` for refused rows. Like ``load_transactions_from`` it neither opens a
    transaction nor writes a ``loads`` row.
    """
    opts = options or SourceOptions(kind="order_items")
    src = table_source(con, table_name)
    mapping = {c: c for c in src.columns if not c.startswith("_")}
    result = LoadResult(kind="order_items", source=source, load_id=load_id)
    prepare(con, opts)
    LOADERS["order_items"](
        con, canonical_select("order_items", src, mapping), src.params, opts, result, no_progress
    )
    store_rejects(con, result)
    for name in ("_cvm_oi_rows", "_cvm_oi_status", "_cvm_rejects"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return result
