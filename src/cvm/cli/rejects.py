"""`cvm rejects`: the rows that loads refused, with file, line, reason and raw text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace, print_frame, tabular

app = typer.Typer()  # commands at the top level of `cvm`


@app.command()
@tabular
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
    from cvm.cli._format import count
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
        listing = rows.rename(columns={"source": "file"})[["file", "line", "reason", "raw"]]
        print_frame(listing, "refused rows", index=False, missing={"line": "", "raw": ""})
    by_reason = summary[["reason", "rows", "loads", "first_line"]].rename(
        columns={"first_line": "first line"}
    )
    print_frame(by_reason, "by reason", index=False, missing={"first line": ""})
    shown = len(rows)
    more = f" (--limit {total} to list them all)" if shown < total else ""
    console.print(f"{count(total)} refused rows; {count(shown)} listed{more}")
    if every is not None and out is not None:
        every.to_csv(out, index=False)
        console.print(f"{count(len(every))} rows written to {out}")
