"""`cvm privacy export|erase|compact`: a customer's data on request, and forgetting it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, err_console, open_workspace

app = typer.Typer(
    name="privacy", help="A customer's data on request (access) and erasure.", no_args_is_help=True
)

_ANY_ID = (
    "Customer id, e-mail, phone, anonymous id or CRM id (a merged-away id is followed to the"
    " customer it was merged into)."
)
Customer = Annotated[str, typer.Argument(help=_ANY_ID, show_default=False)]
Customers = Annotated[list[str], typer.Argument(help=_ANY_ID, show_default=False)]


@app.command("export")
def export(
    customer: Customer,
    workspace: WorkspaceOption = Path("."),
    out: Annotated[Path | None, typer.Option("-o", "--out", help="JSON file to write.")] = None,
) -> None:
    """Write every stored row about a customer as JSON (stdout without --out)."""
    import json

    from cvm.privacy import export_customer

    with open_workspace(workspace) as ws:
        data = export_customer(ws, customer)
    text = json.dumps(data, indent=2, default=str)
    if out is None:
        console.print_json(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    counts = ", ".join(f"{table} {len(rows)}" for table, rows in data.items())
    console.print(f"wrote {out}: {counts}")


@app.command("erase")
def erase(
    customers: Customers,
    workspace: WorkspaceOption = Path("."),
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Forget customers: delete every row about them, redact mentions and derived files, and
    rebuild the database so that no byte of them remains; ingest refuses them from then on."""
    from cvm._exceptions import ConfigError
    from cvm.privacy import erase_customers

    if not yes:
        raise ConfigError("erasing cannot be undone: add --yes to confirm")
    with open_workspace(workspace) as ws:
        root = Path(ws.path)
        done = erase_customers(ws, customers)
    for given, result in zip(customers, done, strict=True):
        counts = ", ".join(f"{table} {n}" for table, n in result.items())
        console.print(f"erased {given}: {sum(result.values())} rows ({counts})")
        if result.redacted:
            mentions = ", ".join(f"{t} {n}" for t, n in result.redacted.items())
            console.print(f"  mentions redacted in other rows: {mentions}")
        for path in result.files.redacted:
            console.print(f"  redacted {path.relative_to(root)}")
        for path in result.files.removed:
            console.print(f"  removed {path.relative_to(root)}")
        for path in result.files.not_ours:
            err_console.print(
                f"[bold yellow]warning:[/] {path} still names {given}: cvm did not write it;"
                " delete or edit it yourself",
                highlight=False,
            )
    if done and done[0].compact_seconds is not None:
        console.print(
            f"database rebuilt without the erased bytes in {done[0].compact_seconds:.1f}s"
        )


@app.command("compact")
def compact(workspace: WorkspaceOption = Path(".")) -> None:
    """Rebuild the database file so that deleted rows leave no bytes (erase does it itself;
    run this after an erase that was interrupted)."""
    from cvm.privacy import compact_workspace, compaction_pending

    with open_workspace(workspace) as ws:
        pending = compaction_pending(ws)
        seconds = compact_workspace(ws)
    console.print(f"database rebuilt in {seconds:.1f}s ({pending} erasures were pending)")
