"""`cvm keys create|list|revoke`: the service's keys, each with one role, stored hashed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvm.cli._common import WorkspaceOption, console, err_console, open_workspace, print_frame

app = typer.Typer(
    name="keys",
    help="Keys of the HTTP service: make one per client with a role, list, revoke.",
    no_args_is_help=True,
)

ROLE_HELP = (
    "writer: sends events only (Segment's write key); decider: decisions and profiles;"
    " analyst: reads everything; admin: everything, and the only one to erase, manage keys"
    " and start jobs."
)


def _who() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment (a container without passwd entry)
        return "cli"


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="A name for the key's holder.")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Make a key and print it, once: only its SHA-256 is stored, so it cannot be shown again."""
    from cvm.api.audit import record
    from cvm.api.keys import create_key

    with open_workspace(workspace) as ws:
        key = create_key(ws, name, role)
        record(ws, who=_who(), action="cli keys create", target=name, outcome="ok")
    err_console.print(
        f"key [bold]{name}[/] ({role}) made; store it now, it is not shown again:", highlight=False
    )
    print(key)


@app.command("list")
def list_(workspace: WorkspaceOption = Path(".")) -> None:
    """Every key: name, role, created, last used, revoked (never the key nor its hash)."""
    import pandas as pd

    from cvm.api.keys import list_keys

    with open_workspace(workspace, read_only=True) as ws:
        rows = list_keys(ws)
    if not rows:
        console.print("no keys yet: `cvm keys create --name NAME --role ROLE` makes one")
        return
    frame = pd.DataFrame(rows)
    print_frame(
        frame,
        "keys",
        index=False,
        missing={"last_used_at": "never", "revoked_at": "working"},
    )


@app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="The key's name.", show_default=False)],
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Revoke a key: the service refuses it from then on (it stays listed as revoked)."""
    from cvm.api.audit import record
    from cvm.api.keys import revoke_key

    with open_workspace(workspace) as ws:
        was_working = revoke_key(ws, name)
        record(ws, who=_who(), action="cli keys revoke", target=name, outcome="ok")
    console.print(f"revoked {name}" if was_working else f"{name} was revoked already")
