"""`cvm simulate DIR`: write a synthetic business's source files and its true parameters."""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import console, progress_bar

PROGRESS_FROM = 200_000  # customers from which a progress bar is worth drawing


class BusinessKind(StrEnum):
    retail = "retail"
    subscription = "subscription"


def simulate(
    directory: Annotated[Path, typer.Argument(help="Folder for the files (created if missing).")],
    customers: Annotated[int, typer.Option("--customers", "-n", min=1, help="Customers.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 0,
    kind: Annotated[BusinessKind, typer.Option(help="Kind of business.")] = BusinessKind.retail,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")] = "2023-01-01",
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")] = "2025-12-31",
    events: Annotated[bool, typer.Option(help="Write behavioural events.")] = True,
) -> None:
    """Write a synthetic business (customers, orders, events, ...) and truth.json."""
    from rich.table import Table

    from cvm._progress import no_progress
    from cvm.datasets import simulate as simulate_business
    from cvm.datasets import write_files

    bar = progress_bar("simulating") if customers >= PROGRESS_FROM else nullcontext(no_progress)
    with bar as progress:
        business = simulate_business(
            customers, start=start, end=end, seed=seed, kind=kind.value, events=events,
            progress=progress,
        )  # fmt: skip
        progress(0, None, "writing files")
        paths = write_files(business, directory)

    files = Table(title=f"simulated {kind.value} business in {directory}")
    files.add_column("file")
    files.add_column("rows", justify="right")
    tables = business.tables()
    for name, path in paths.items():
        rows = (
            len(tables[name])
            if name in tables
            else len(business.events)
            if name == "events"
            else None
        )
        files.add_row(path.name, "" if rows is None else f"{rows:,}")
    console.print(files)

    truth = business.truth
    params = Table(title="true parameters (see truth.json)")
    params.add_column("model")
    params.add_column("parameters")
    bg, gg, sbg, camp = truth["bgnbd"], truth["gamma_gamma"], truth["sbg"], truth["campaign"]
    params.add_row("BG/NBD (days)", f"r={bg['r']}  alpha={bg['alpha']}  a={bg['a']}  b={bg['b']}")
    params.add_row(
        "Gamma-Gamma",
        f"p={gg['p']}  q={gg['q']}  gamma={gg['gamma']}  mean spend={gg['mean_spend']:.2f}",
    )
    params.add_row("sBG (months)", f"alpha={sbg['alpha']}  beta={sbg['beta']}")
    params.add_row(
        "campaign lift",
        f"conversion {camp['sate_conversion']:+.4f}  "
        f"revenue/customer {camp['sate_revenue_per_customer']:+.2f}",
    )
    console.print(params)
