"""`cvm simulate DIR`: write a synthetic business's source files and its true parameters."""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import print_frame, progress_bar, tabular

app = typer.Typer()  # commands at the top level of `cvm`

PROGRESS_FROM = 200_000  # customers from which a progress bar is worth drawing


class BusinessKind(StrEnum):
    retail = "retail"
    subscription = "subscription"


@app.command()
@tabular
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
    import pandas as pd

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

    tables = business.tables()
    rows = [
        (path.name, len(tables[name]) if name in tables
         else len(business.events) if name == "events" else None)
        for name, path in paths.items()
    ]  # fmt: skip
    files = pd.DataFrame(rows, columns=["file", "rows"]).astype({"rows": "Int64"})
    print_frame(files, f"simulated {kind.value} business in {directory}", index=False)

    truth = business.truth
    bg, gg, sbg, camp = truth["bgnbd"], truth["gamma_gamma"], truth["sbg"], truth["campaign"]
    params = pd.DataFrame(
        [
            ("BG/NBD (days)", f"r={bg['r']}  alpha={bg['alpha']}  a={bg['a']}  b={bg['b']}"),
            ("Gamma-Gamma", f"p={gg['p']}  q={gg['q']}  gamma={gg['gamma']}"
             f"  mean spend={gg['mean_spend']:.2f}"),
            ("sBG (months)", f"alpha={sbg['alpha']}  beta={sbg['beta']}"),
            ("campaign lift", f"conversion {camp['sate_conversion']:+.4f}  "
             f"revenue/customer {camp['sate_revenue_per_customer']:+.2f}"),
        ],
        columns=["model", "parameters"],
    )  # fmt: skip
    print_frame(params, "true parameters (see truth.json)", index=False)
