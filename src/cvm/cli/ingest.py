"""`cvm ingest KIND FILE...`: load source files into the workspace."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cvm.cli._common import (
    WorkspaceOption,
    console,
    err_console,
    open_workspace,
    print_frame,
    progress_bar,
    tabular,
)

if TYPE_CHECKING:
    from cvm.ingest import LoadResult

app = typer.Typer(
    name="ingest",
    help="Load source files (CSV, Parquet, JSON lines) into the workspace.",
    no_args_is_help=True,
)

Files = Annotated[list[Path], typer.Argument(help="Files to load (CSV, .gz, Parquet, .jsonl).")]
Profile = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Column mapping of a vendor export: generic, crm, salesforce-contacts,"
        " hubspot-contacts, dynamics-contacts, salesforce-opportunities, hubspot-deals,"
        " shopify-orders (shopify), woocommerce-orders, stripe-charges.",
    ),
]
Maps = Annotated[
    list[str] | None,
    typer.Option("--map", help="canonical=source column, e.g. --map customer_id=client."),
]
DateFormat = Annotated[
    str | None, typer.Option("--date-format", help="strptime format, e.g. %d/%m/%Y %H:%M.")
]
Currency = Annotated[str | None, typer.Option("--currency", help="Currency of rows without one.")]
TimeZone = Annotated[
    str | None, typer.Option("--timezone", help="Zone of timestamps without an offset.")
]
Delimiter = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        help="CSV delimiter (sniffed), or 'whitespace' for fields separated by runs of spaces"
        " (sniffed for .txt files).",
    ),
]
Header = Annotated[
    bool | None,
    typer.Option(
        "--header/--no-header",
        help="Whether the first line names the columns (default: yes; whitespace files:"
        " no when it holds a number). Without one the columns are col1, col2...",
        show_default=False,
    ),
]
Columns = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="Names of the file's columns in order, e.g. customer_id,ts,amount (a file"
        " without a header); --map still maps them.",
    ),
]
Encoding = Annotated[str | None, typer.Option("--encoding", help="CSV encoding (sniffed).")]
Decimal = Annotated[
    str | None, typer.Option("--decimal", help="Decimal separator of numbers: . (default) or ,")
]


SHOWN_REASONS = 10  # reasons listed after a load; the rest are counted, `cvm rejects` lists all


def _parse_maps(maps: list[str] | None) -> dict[str, str]:
    from cvm._exceptions import ConfigError

    out: dict[str, str] = {}
    for item in maps or []:
        canonical, sep, source = item.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise ConfigError(f"--map {item!r}: expected canonical=source")
        out[canonical.strip()] = source.strip()
    return out


def _show(result: LoadResult) -> None:
    import pandas as pd

    counts = pd.DataFrame(
        {
            "file": [result.source],
            "kind": [result.kind],
            "rows read": [result.rows_read],
            "loaded": [result.loaded],
            "duplicates": [result.duplicates],
            "rejected": [result.rejected],
            "erased": [result.erased],
            "load_id": [result.load_id],
        }
    )
    print_frame(counts, f"{result.kind} from {result.source}", index=False)
    if result.updated:
        console.print(f"  {result.updated:,} updated (changed since the last snapshot)")
    if result.skipped:
        console.print(
            f"  {result.skipped:,} rows skipped (later line items of an order, or a status"
            " that is not a purchase)"
        )
    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    if result.erased:
        console.print(f"  {result.erased:,} rows of erased customers refused (not stored)")
    if result.top_reasons:
        reasons = pd.DataFrame(result.top_reasons[:SHOWN_REASONS], columns=["reason", "rows"])
        print_frame(reasons, "reject reasons", index=False)
        hidden = len(result.top_reasons) - SHOWN_REASONS
        if hidden > 0:
            rows = sum(n for _, n in result.top_reasons[SHOWN_REASONS:])
            console.print(
                f"  and {hidden:,} more reasons ({rows:,} rows):"
                f" cvm rejects --load {result.load_id}"
            )
        for hint in result.hints:
            console.print(f"[yellow]hint:[/] {escape(hint)}", highlight=False)
        console.print(f"  list them: cvm rejects --load {result.load_id}", highlight=False)


def _load_each(files: list[Path], workspace: Path, load: Callable[..., LoadResult]) -> None:
    """Load every file with ``load(ws, path, progress)``; a file that fails is reported and the
    others still load; exit 1 when any file could not be read or loaded nothing."""
    from cvm._exceptions import IngestError

    failed = 0
    with open_workspace(workspace) as ws:
        for path in files:
            try:
                with progress_bar(f"loading {path.name}") as progress:
                    result = load(ws, path, progress)
            except IngestError as exc:
                err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
                failed += 1
                continue
            _show(result)
            if result.rows_read and not (result.loaded or result.duplicates or result.erased):
                err_console.print(
                    f"[bold red]error:[/] {escape(str(path))}: no row could be loaded"
                )
                failed += 1
    if failed:
        raise typer.Exit(1)


def _run(
    kind: str,
    files: list[Path],
    workspace: Path,
    profile: str | None,
    maps: list[str] | None,
    date_format: str | None,
    currency: str | None,
    timezone: str | None,
    delimiter: str | None,
    encoding: str | None,
    layout: str | None = None,
    decimal: str | None = None,
    header: bool | None = None,
    names: str | None = None,
    replace_period: tuple[str, str] | None = None,
) -> None:
    from cvm.ingest import load_file

    columns = _parse_maps(maps)
    options: dict[str, Any] = {
        "profile": profile, "columns": columns, "date_format": date_format,
        "currency": currency, "timezone": timezone, "delimiter": delimiter,
        "encoding": encoding, "layout": layout, "decimal": decimal,
    }  # fmt: skip
    if header is not None:
        options["header"] = header
    if names:
        options["names"] = [n.strip() for n in names.split(",")]
    if replace_period and all(replace_period):
        options["replace_period"] = replace_period
    _load_each(
        files,
        workspace,
        lambda ws, path, progress: load_file(ws, kind, path, progress=progress, **options),
    )


ReplacePeriod = Annotated[
    tuple[str, str] | None,
    typer.Option(
        "--replace-period",
        metavar="FROM TO",
        help="A corrected re-export of a period: first remove the stored transactions with"
        " FROM <= time < TO (UTC dates) that came from files, then load.",
    ),
]
Wide = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="One row per respondent, one column per question (SurveyMonkey, Qualtrics);"
        " mapped by cvm.toml [sources.surveys.wide].",
    ),
]

# The options a tabular kind does not take (every other option of `_tabular_command` it does).
_NOT_TAKEN = {
    "transactions": {"wide"},
    "order_items": {"wide", "replace_period"},
    "customers": {"wide", "replace_period"},
    "subscriptions": {"wide", "replace_period"},
    "surveys": {"header", "columns", "replace_period"},
}


def _tabular_command(kind: str, doc: str) -> Callable[..., None]:
    """One `cvm ingest KIND` command: the tabular kinds share their options, less the ones
    ``_NOT_TAKEN`` names for the kind."""

    def command(
        files: Files,
        workspace: WorkspaceOption = Path("."),
        profile: Profile = None,
        map_: Maps = None,
        date_format: DateFormat = None,
        currency: Currency = None,
        timezone: TimeZone = None,
        delimiter: Delimiter = None,
        encoding: Encoding = None,
        decimal: Decimal = None,
        header: Header = None,
        columns: Columns = None,
        replace_period: ReplacePeriod = None,
        wide: Wide = False,
    ) -> None:
        _run(
            kind, files, workspace, profile, map_, date_format, currency, timezone, delimiter,
            encoding, layout="wide" if wide else None, decimal=decimal, header=header,
            names=columns, replace_period=replace_period,
        )  # fmt: skip

    signature = inspect.signature(command, eval_str=True)
    taken = [p for p in signature.parameters.values() if p.name not in _NOT_TAKEN[kind]]
    command.__signature__ = signature.replace(parameters=taken)  # type: ignore[attr-defined]
    command.__doc__ = doc
    return tabular(command)


for _kind, _doc in {
    "transactions": "Load orders (one row per order; a negative amount or a refund flag is a"
    " refund).",
    "order-items": "Load order lines (one row per product in an order).",
    "customers": "Load a customer snapshot (changed customers are updated; consent from yes/no).",
    "subscriptions": "Load contracts (one row per subscription; empty end date while active;"
    " a snapshot).",
    "surveys": "Load survey answers: long format (respondent, brand, attribute, score) or --wide.",
}.items():
    app.command(_kind)(_tabular_command(_kind.replace("-", "_"), _doc))


@app.command()
@tabular
def events(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Segment/RudderStack messages: .jsonl/.ndjson (.gz), a .json array or batch"
            " envelope, or a warehouse table export (tracks, identifies, pages, per-event"
            " tables) as .parquet or .csv."
        ),
    ],
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Load Segment-spec events (identify, track, page, alias...), resolving identities.

    "Order Completed" and "Order Refunded" also load as transactions.
    """
    from cvm.ingest.events import load_events

    def load(ws: Any, path: Path, progress: Any) -> LoadResult:
        result = load_events(ws, path, progress=progress)
        if result.orders is not None:
            _show(result.orders)
        if result.customers_merged:
            console.print(f"  {result.customers_merged:,} customer ids merged into another")
        return result

    _load_each(files, workspace, load)


@app.command()
@tabular
def reviews(
    files: Files,
    workspace: WorkspaceOption = Path("."),
    source: Annotated[
        str | None,
        typer.Option(help="trustpilot, google-play or app-store (detected from the header)."),
    ] = None,
    brand: Annotated[
        str | None, typer.Option(help="The business or app reviewed, when the file lacks it.")
    ] = None,
    date_format: DateFormat = None,
    timezone: TimeZone = None,
) -> None:
    """Load review exports: text kept in reviews, stars (1-5) as CSAT answers."""
    from cvm.ingest.reviews import load_reviews

    _load_each(
        files,
        workspace,
        lambda ws, path, progress: load_reviews(
            ws, path, source=source, brand=brand, date_format=date_format, timezone=timezone
        ),
    )
