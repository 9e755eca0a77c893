"""What every command shares: the workspace option, the console, progress bars, errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

if TYPE_CHECKING:
    from cvm._progress import Progress
    from cvm.workspace import Workspace

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # an error line is never cut

WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $CVM_WORKSPACE or the current folder).",
        envvar="CVM_WORKSPACE",
        show_default=False,
    ),
]


def open_workspace(path: Path | None = None, *, read_only: bool = False) -> Workspace:
    """The workspace for a command: read-only for commands that only read, so they never
    block each other; a locked workspace is waited for with a line on stderr saying who
    holds it (see :func:`cvm.workspace.connection.connect`)."""
    from cvm.workspace import Workspace

    def waiting(message: str) -> None:
        err_console.print(f"[yellow]{message}[/]", highlight=False)

    root = path or Path(os.environ.get("CVM_WORKSPACE", "."))
    return Workspace.open(root, read_only=read_only, on_wait=waiting)


class CvmGroup(TyperGroup):
    """Turns every ``CvmError`` raised below into one line on stderr and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        from cvm._exceptions import CvmError

        try:
            return super().invoke(ctx)
        except CvmError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


@contextmanager
def progress_bar(description: str = "working") -> Iterator[Progress]:
    """A rich progress bar exposed as the library's ``Progress`` callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    with RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int | None, desc: str) -> None:
            bar.update(task, completed=done, total=total, description=desc or description)

        yield report
