"""`cvm privacy export|erase CUSTOMER`: a customer's data on request, and forgetting it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, open_workspace

app = typer.Typer(help="A customer's data on request (access) and erasure.", no_args_is_help=True)

Customer = Annotated[str, typer.Argument(help="Customer id (a merged-away id is followed).")]


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
    customer: Customer,
    workspace: WorkspaceOption = Path("."),
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Delete every row about a customer across all tables (right to be forgotten)."""
    from cvm._exceptions import ConfigError
    from cvm.privacy import erase_customer

    if not yes:
        raise ConfigError("erasing cannot be undone: add --yes to confirm")
    with open_workspace(workspace) as ws:
        deleted = erase_customer(ws, customer)
    counts = ", ".join(f"{table} {n}" for table, n in deleted.items())
    console.print(f"erased {customer}: {sum(deleted.values())} rows ({counts})")
