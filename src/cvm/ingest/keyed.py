"""The loaders per kind, once the source is a SELECT of staged columns.

A keyed kind loads in three SQL steps named after it (``cvm.ingest.kinds``):
``<kind>_validate.sql`` types and checks the rows into ``<prefix>_rows``, ``<kind>_status.sql``
classifies them (load, update, duplicate, conflict) into ``<prefix>_status``, and
``<kind>_<write>.sql`` writes the new ones. Transactions have their own loader
(``cvm.ingest.transactions``), after an optional stage for status-filtered vendor exports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sqlglot.expressions as exp

from cvm._progress import Progress, no_progress
from cvm.engines import Engine, sql_file
from cvm.ingest import erased
from cvm.ingest._common import (
    bound,
    classify_rows,
    drop_tables,
    kind_sql,
    prepare,
    rows_in,
    run_kind_sql,
    status_counts,
    store_rejects,
    ts_params,
)
from cvm.ingest.kinds import SOURCE_KINDS, SourceKind, source_kind
from cvm.ingest.options import SourceOptions
from cvm.ingest.profiles import RESOLVE_BY_EMAIL
from cvm.ingest.result import LoadResult
from cvm.ingest.staging import canonical_select, table_source, with_input
from cvm.ingest.transactions import validate_and_insert

__all__ = ["Loader", "load_order_items_from", "loader", "work_tables"]

Loader = Callable[
    [Engine, exp.Expression, Mapping[str, object], SourceOptions, LoadResult, Progress], None
]
SHOP = "_cvm_shop"  # status-filtered vendor exports: the rows that are purchases


def load_params(options: SourceOptions) -> dict[str, object]:
    """Every option a validator may read; each SQL file takes the ones it names."""
    lo, hi = options.score_min, options.score_max
    return {
        **ts_params(options),
        "currency": options.currency,
        "score_min": lo,
        "score_max": hi,
        "score_range": f"{lo:g}..{hi:g}",
    }


def rejects_of(engine: Engine, kind: SourceKind) -> None:
    """The kind's refused rows (failed checks, conflicting keys) into ``_cvm_rejects``."""
    run_kind_sql(engine, kind, "rows_rejects.sql", {"conflict": kind.conflict})


def _load_transactions(
    engine: Engine,
    select: exp.Expression,
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
        engine.run(with_input(sql_file(__package__, stage), select), {**params, **stage_params})
        result.skipped = int(engine.scalar(sql_file(__package__, "shop_skipped.sql")) or 0)
        select, params = sql_file(__package__, "shopify_transactions.sql").tree(), {}
    validate_and_insert(engine, select, params, options, result, progress)


def _keyed_loader(kind: SourceKind) -> Loader:
    def load(
        engine: Engine,
        select: exp.Expression,
        params: Mapping[str, object],
        options: SourceOptions,
        result: LoadResult,
        progress: Progress,
    ) -> None:
        progress(0, 3, f"{result.source}: read and validate")
        (validate,) = kind_sql(kind, f"{kind.name}_validate.sql", input=select)
        engine.run(validate, {**params, **bound(engine, validate, load_params(options))})
        refused = erased.refuse_rows(engine, kind.work("rows"))
        result.rows_read += refused
        result.erased += refused
        progress(1, 3, f"{result.source}: deduplicate")
        classify_rows(engine, kind)
        progress(2, 3, f"{result.source}: {kind.write}")
        run_kind_sql(engine, kind, f"{kind.name}_{kind.write}.sql", {"load_id": result.load_id})
        _finish_counts(engine, result, kind)
        rejects_of(engine, kind)

    return load


def _finish_counts(engine: Engine, result: LoadResult, kind: SourceKind) -> None:
    counts = status_counts(engine, kind.work("status"))
    result.rows_read += rows_in(engine, kind.work("rows"))
    result.updated += counts.get("update", 0)
    result.loaded += counts.get("load", 0) + counts.get("update", 0)
    result.duplicates += counts.get("duplicate", 0)


def loader(kind: str) -> Loader:
    """The loader of ``kind``: transactions' own, the three keyed steps for the others."""
    found = source_kind(kind)
    return _load_transactions if found.name == "transactions" else _keyed_loader(found)


def work_tables() -> tuple[str, ...]:
    """Every working table a file load may leave on the engine (dropped before and after)."""
    per_kind = tuple(t for kind in SOURCE_KINDS.values() for t in kind.work_tables)
    return (SHOP, *per_kind, "_cvm_rejects", "_cvm_rates", "_cvm_limits", erased.KEY_TABLE)


def load_order_items_from(
    engine: Engine,
    table_name: str,
    *,
    load_id: str,
    source: str,
    options: SourceOptions | None = None,
) -> LoadResult:
    """Load order lines already staged in ``table_name`` (e.g. the products of Segment
    "Order Completed" events), with the checks and dedup of a file load.

    The staged table holds canonical order-item columns (``transaction_id``, ``line_no``,
    ``product_id``, ``category``, ``quantity``, ``amount`` or ``unit_price``, ``currency``) plus
    ``_line``/``_raw`` for refused rows. Like ``load_transactions_from`` it neither opens a
    transaction nor writes a ``loads`` row.
    """
    opts = options or SourceOptions(kind="order_items")
    kind = source_kind("order_items")
    src = table_source(engine, table_name)
    mapping = {c: c for c in src.columns if not c.startswith("_")}
    result = LoadResult(kind=kind.name, source=source, load_id=load_id)
    prepare(engine, opts)
    select = canonical_select(kind.name, src, mapping)
    loader(kind.name)(engine, select, src.params, opts, result, no_progress)
    store_rejects(engine, result)
    drop_tables(engine, kind.work("rows"), kind.work("status"), "_cvm_rejects")
    return result
