"""`cvm rejects`: the rows that loads refused, with file, line, reason and raw text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace

app = typer.Typer()  # commands at the top level of `cvm`


@app.command()
def rejects(
    workspace: WorkspaceOption = Path("."),
    load: Annotated[
        str | None,
        typer.Option("--load", help="One load id (as printed by `cvm ingest`), or 'last'."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="transactions, customers, order-items...")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Only reasons containing this text.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows to list (0: summary only).")] = 20,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write every matching row to this CSV.")
    ] = None,
) -> None:
    """List refused rows (file, line, reason, raw) and how many there are by reason."""
    from rich.table import Table

    from cvm.cli._format import count, finite
    from cvm.ingest.rejects import list_rejects, reject_summary

    with open_workspace(workspace, read_only=True) as ws:
        summary = reject_summary(ws, load_id=load, kind=kind, reason=reason)
        rows = list_rejects(ws, load_id=load, kind=kind, reason=reason, limit=limit)
        every = (
            list_rejects(ws, load_id=load, kind=kind, reason=reason, limit=None)
            if out is not None
            else None
        )
    total = int(summary["rows"].sum()) if len(summary) else 0
    if not total:
        console.print("no refused rows match")
        return
    if len(rows):
        listing = Table(title="refused rows", title_justify="left")
        for col in ("file", "line", "reason", "raw"):
            listing.add_column(col, justify="right" if col == "line" else "left", overflow="fold")
        for r in rows.itertuples(index=False):
            line = count(r.line) if finite(r.line) is not None else ""
            listing.add_row(str(r.source), line, str(r.reason), str(r.raw or ""))
        console.print(listing, highlight=False)
    by_reason = Table(title="by reason", title_justify="left")
    for col in ("reason", "rows", "loads", "first line"):
        by_reason.add_column(col, justify="left" if col == "reason" else "right")
    for r in summary.itertuples(index=False):
        first = count(r.first_line) if finite(r.first_line) is not None else ""
        by_reason.add_row(str(r.reason), count(r.rows), count(r.loads), first)
    console.print(by_reason, highlight=False)
    shown = len(rows)
    more = f" (--limit {total} to list them all)" if shown < total else ""
    console.print(f"{count(total)} refused rows; {count(shown)} listed{more}")
    if every is not None and out is not None:
        every.to_csv(out, index=False)
        console.print(f"{count(len(every))} rows written to {out}")
