"""`cvm ingest KIND FILE...`: load source files into the workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvm.cli._common import WorkspaceOption, console, err_console, open_workspace, progress_bar

if TYPE_CHECKING:
    from cvm.ingest import LoadResult

app = typer.Typer(
    help="Load source files (CSV, Parquet, JSON lines) into the workspace.", no_args_is_help=True
)

Files = Annotated[list[Path], typer.Argument(help="Files to load (CSV, .gz, Parquet, .jsonl).")]
Profile = Annotated[
    str | None, typer.Option("--profile", help="Column mapping: generic, shopify, crm.")
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
Delimiter = Annotated[str | None, typer.Option("--delimiter", help="CSV delimiter (sniffed).")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="CSV encoding (sniffed).")]
Decimal = Annotated[
    str | None, typer.Option("--decimal", help="Decimal separator of numbers: . (default) or ,")
]


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
    from rich.table import Table

    table = Table(title=f"{result.kind} from {result.source}", title_justify="left")
    table.add_column("rows read", justify="right")
    table.add_column("loaded", justify="right")
    table.add_column("duplicates", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("erased", justify="right")
    table.add_row(
        f"{result.rows_read:,}",
        f"{result.loaded:,}",
        f"{result.duplicates:,}",
        f"{result.rejected:,}",
        f"{result.erased:,}",
    )
    console.print(table)
    if result.updated:
        console.print(f"  {result.updated:,} updated (changed since the last snapshot)")
    if result.skipped:
        console.print(f"  {result.skipped:,} line-item rows skipped (not order rows)")
    if result.erased:
        console.print(f"  {result.erased:,} rows of erased customers refused (not stored)")
    if result.top_reasons:
        reasons = Table(title="top reject reasons", title_justify="left")
        reasons.add_column("reason")
        reasons.add_column("rows", justify="right")
        for reason, n in result.top_reasons:
            reasons.add_row(reason, f"{n:,}")
        console.print(reasons)
        console.print(f"  see rejected_rows where load_id = '{result.load_id}'")


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
                err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
                failed += 1
                continue
            _show(result)
            if result.rows_read and not (result.loaded or result.duplicates or result.erased):
                err_console.print(f"[bold red]error:[/] {path}: no row could be loaded")
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
) -> None:
    from cvm.ingest import load_file

    columns = _parse_maps(maps)
    options: dict[str, Any] = {
        "profile": profile, "columns": columns, "date_format": date_format,
        "currency": currency, "timezone": timezone, "delimiter": delimiter,
        "encoding": encoding, "layout": layout, "decimal": decimal,
    }  # fmt: skip
    _load_each(
        files,
        workspace,
        lambda ws, path, progress: load_file(ws, kind, path, progress=progress, **options),
    )


def _tabular_command(kind: str, doc: str) -> Callable[..., None]:
    """One `cvm ingest KIND` command; every tabular kind takes the same options."""

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
    ) -> None:
        _run(
            kind,
            files,
            workspace,
            profile,
            map_,
            date_format,
            currency,
            timezone,
            delimiter,
            encoding,
            decimal=decimal,
        )

    command.__doc__ = doc
    return command


for _kind, _doc in {
    "transactions": "Load orders (one row per order; a negative amount or a refund flag is a"
    " refund).",
    "order-items": "Load order lines (one row per product in an order).",
    "customers": "Load a customer snapshot (changed customers are updated; consent from yes/no).",
    "subscriptions": "Load contracts (one row per subscription; empty end date while active;"
    " a snapshot).",
}.items():
    app.command(_kind)(_tabular_command(_kind.replace("-", "_"), _doc))


@app.command()
def surveys(
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
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="One row per respondent, one column per question (SurveyMonkey, Qualtrics);"
            " mapped by cvm.toml [sources.surveys.wide].",
        ),
    ] = False,
) -> None:
    """Load survey answers: long format (respondent, brand, attribute, score) or --wide."""
    _run(
        "surveys",
        files,
        workspace,
        profile,
        map_,
        date_format,
        currency,
        timezone,
        delimiter,
        encoding,
        layout="wide" if wide else None,
        decimal=decimal,
    )


@app.command()
def events(
    files: Annotated[
        list[Path],
        typer.Argument(help="Segment-spec messages: .jsonl/.ndjson (.gz) or a .json array."),
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
