"""Review exports (Trustpilot, Google Play, the App Store) as a CSAT source, text kept.

Each review is stored in ``reviews`` with its title, text, language and the business's reply,
and its stars (1-5) enter ``survey_responses`` as a CSAT answer (attribute ``csat``, score =
stars, respondent ``<source>:<review id>``): CSAT is then the share of 4 and 5 star reviews,
with the survey tools' intervals. A reviewer whose e-mail (or reference) is a known customer is
linked to that customer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm.engines import Capability, Engine, fill, sql_file
from cvm.ingest import readers
from cvm.ingest._common import drop_tables, finish_load, prepare, start_load, ts_params
from cvm.ingest.identity import run_named
from cvm.ingest.options import resolve_options
from cvm.ingest.profiles import normalise
from cvm.ingest.result import LoadResult, new_load_id
from cvm.ingest.staging import alias, column

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["REVIEW_SOURCES", "load_reviews"]

_FIELDS = ("review_id", "ts", "stars", "title", "body", "reviewer", "language", "brand", "reply")

REVIEW_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    # Trustpilot Business > Service reviews > Download (CSV)
    "trustpilot": {
        "review_id": ("Review ID",),
        "ts": ("Review Created (UTC)", "Review Created"),
        "stars": ("Review Stars",),
        "title": ("Review Title",),
        "body": ("Review Content",),
        "reviewer": ("Email", "Email Address", "Consumer Email", "Reference Id",
                     "Reference Number", "Review Consumer User ID"),
        "language": ("Review Language",),
        "brand": ("Webshop Name", "Domain URL"),
        "reply": ("Reply Content", "Company Reply"),
    },
    # Google Play Console monthly reviews report (reviews_<package>_<yyyymm>.csv)
    "google_play": {
        "review_id": ("Review Link", "Review Submit Millis Since Epoch"),
        "ts": ("Review Submit Date and Time",),
        "stars": ("Star Rating",),
        "title": ("Review Title",),
        "body": ("Review Text",),
        "reviewer": (),
        "language": ("Reviewer Language",),
        "brand": ("Package Name",),
        "reply": ("Developer Reply Text",),
    },
    # App Store Connect customer reviews (the API's attributes, as report tools export them)
    "app_store": {
        "review_id": ("id", "Review ID"),
        "ts": ("createdDate", "Date", "Created Date"),
        "stars": ("rating", "Rating"),
        "title": ("title", "Title"),
        "body": ("body", "Review", "Body"),
        "reviewer": ("reviewerNickname", "Nickname", "Reviewer"),
        "language": ("territory", "Territory", "Country"),
        "brand": ("App Name", "app", "App"),
        "reply": ("response", "Developer Response"),
    },
}  # fmt: skip
"""Per review source, the export's column names for each review field (first found wins)."""

_REQUIRED = ("review_id", "stars")


def _detect(header: list[str]) -> str | None:
    keys = {normalise(h) for h in header}
    for source, fields in REVIEW_SOURCES.items():
        if all(any(normalise(n) in keys for n in fields[f]) for f in _REQUIRED):
            return source
    return None


def _columns(source: str, header: list[str]) -> dict[str, str]:
    by_key = {normalise(h): h for h in reversed(header)}
    found: dict[str, str] = {}
    for f, names in REVIEW_SOURCES[source].items():
        for name in names:
            if normalise(name) in by_key:
                found[f] = by_key[normalise(name)]
                break
    return found


def _utf16(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
    except OSError:
        return None
    return "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else None


def _run(engine: Engine, query: str, **params: object) -> None:
    run_named(engine, "reviews.sql", query, **params)


def _fields(cols: dict[str, str]) -> list[exp.Expression]:
    """The review fields as text columns (the brand bound as ``$brand`` when the file has
    none); ``ts`` and ``stars`` as the text the validator parses."""
    items: list[exp.Expression] = []
    for f in _FIELDS:
        name = "ts_text" if f == "ts" else "stars_text" if f == "stars" else f
        col = cols.get(f)
        value: exp.Expression = exp.cast(column(col) if col else exp.null(), "VARCHAR")
        if f == "brand" and col is None:
            value = exp.cast(exp.Placeholder(this="brand"), "VARCHAR")
        items.append(alias(value, name))
    return items


def load_reviews(
    ws: Workspace,
    path: str | Path,
    *,
    source: str | None = None,
    brand: str | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
) -> LoadResult:
    """Load one review export; ``source`` is detected from the header when not given.

    ``brand`` names the business or app reviewed when the file does not (default ``us``).
    Reviews already stored (same source and review id) count as duplicates; a review without
    an id or with stars outside 1-5 is refused into ``rejected_rows`` with its line.

    Raises
    ------
    IngestError
        The file is unreadable, of no known review source, or lacks the id or stars column.
    """
    file_path = Path(path)
    encoding = _utf16(file_path)  # Play Console writes its review reports in UTF-16
    opts = resolve_options(
        ws.config, "surveys", date_format=date_format, timezone=timezone, encoding=encoding
    )
    engine = ws.engine
    engine.require(Capability.CSV_SNIFF, f"loading {file_path}")
    engine.require(Capability.REJECT_TABLES, f"loading {file_path}")
    result = LoadResult(kind="reviews", source=str(file_path), load_id=new_load_id("reviews"))
    with engine.transaction():
        readers.reset_scanner_rejects(engine)
        file = readers.open_file(engine, file_path, opts)
        kind = source.replace("-", "_") if source else _detect(file.header)
        if kind not in REVIEW_SOURCES:
            raise IngestError(
                f"{file_path}: not a Trustpilot, Google Play or App Store review export"
                f" (use --source {'|'.join(REVIEW_SOURCES)}); columns found:"
                f" {', '.join(file.header)}"
            )
        cols = _columns(kind, file.header)
        missing = [f for f in _REQUIRED if f not in cols]
        if missing:
            raise IngestError(
                f"{file_path}: missing the {missing[0]} column of a {kind} review export"
                f" ({' or '.join(REVIEW_SOURCES[kind][missing[0]])}); columns found:"
                f" {', '.join(file.header)}"
            )
        stage = fill(
            sql_file(__package__, "reviews_stage.sql"),
            fields=_fields(cols),
            seq=file.source.seq,
            source=file.source.relation,
        )
        start_load(engine, result)
        prepare(engine, opts)
        params = dict(file.source.params)
        if "brand" not in cols:
            params["brand"] = brand or "us"
        try:
            engine.run(stage, params)
            _run(engine, "validate", **ts_params(opts))
            _run(engine, "status", source=kind)
            _run(engine, "insert", source=kind, load_id=result.load_id)
            _run(engine, "answers", source=kind, load_id=result.load_id)
            _run(engine, "rejects")
        except engine.error as exc:
            first = str(exc).strip().splitlines()[0]
            raise IngestError(f"{file_path}: cannot load: {first}") from exc
        counts = {
            str(k): int(n) for k, n in engine.rows(sql_file(__package__, "reviews_counts.sql"))
        }
        result.rows_read = sum(counts.values())
        result.loaded = counts.get("load", 0)
        result.duplicates = counts.get("duplicate", 0)
        finish_load(engine, file, result)
        drop_tables(
            engine, "_cvm_rv_in", "_cvm_rv_rows", "_cvm_rv_status", "_cvm_rejects", "_cvm_rates"
        )
        readers.reset_scanner_rejects(engine)
    return result
