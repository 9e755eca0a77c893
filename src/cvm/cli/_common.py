"""What every command shares: the workspace option, the console, progress bars, errors."""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

if TYPE_CHECKING:
    import pandas as pd

    from cvm._progress import Progress
    from cvm.workspace import Workspace


def _console(stderr: bool = False) -> Console:
    """A console that is never cut to 80 columns when its output is piped or captured."""
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return Console(stderr=stderr, soft_wrap=stderr)
    return Console(stderr=stderr, width=100_000, soft_wrap=True)


console = _console()
err_console = _console(stderr=True)  # an error line is never cut

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

CampaignId = Annotated[str, typer.Argument(help="Campaign id.")]


def open_workspace(path: Path, *, read_only: bool = False) -> Workspace:
    """The workspace of a command's ``--workspace`` (whose default is ``$CVM_WORKSPACE``):
    read-only for commands that only read, so they never block each other; a locked
    workspace is waited for with a line on stderr saying who holds it (see
    :func:`cvm.workspace.connection.connect`)."""
    from cvm.workspace import Workspace

    def waiting(message: str) -> None:
        err_console.print(f"[yellow]{escape(message)}[/]", highlight=False)

    return Workspace.open(path, read_only=read_only, on_wait=waiting)


def print_warnings(notes: Iterable[str]) -> None:
    """One ``warning:`` line per note of a job's result."""
    for note in notes:
        console.print(f"[yellow]warning:[/] {escape(note)}", highlight=False)


def print_charts(paths: Iterable[Path]) -> None:
    """One ``chart:`` line per chart written."""
    for path in paths:
        console.print(f"chart: {escape(str(path))}", highlight=False)


def _plain_flags(command: Any, ctx: Any) -> None:
    """Show flags bare in help (``--evaluate / --no-evaluate``), not with a ``<bool>``
    placeholder as if they took a value; through every subcommand."""
    for param in command.params:
        if getattr(param, "is_flag", False):
            param.metavar = ""
    helper = command.get_help_option(ctx)
    if helper is not None:
        helper.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        _plain_flags(sub, ctx)


def _warning_line(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    """A library warning as one ``warning:`` line on stderr, without file and source line."""
    err_console.print(f"[yellow]warning:[/] {escape(str(message))}", highlight=False)


class CvmGroup(TyperGroup):
    """Turns every ``CvmError`` raised below into one line on stderr and exit code 1."""

    def get_params(self, ctx: Any) -> Any:
        _plain_flags(self, ctx)
        return super().get_params(ctx)

    def invoke(self, ctx: Any) -> Any:
        from cvm._exceptions import CvmError

        try:
            with warnings.catch_warnings():
                warnings.showwarning = _warning_line
                return super().invoke(ctx)
        except CvmError as exc:
            # escaped: "[campaigns]" in a message is text, not rich markup
            err_console.print(
                f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(1) from None
        except Exception as exc:
            line = spark_failure(exc)
            if line is None:
                raise
            err_console.print(
                f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(1) from None


def spark_failure(exc: BaseException) -> str | None:
    """One line for a step Spark refused (its error class and message, without the plan and
    the Java stack), or None when ``exc`` is not Spark's: a job on a cluster fails on data
    cvm could not check beforehand, and that is the user's to read, not a traceback."""
    if not type(exc).__module__.startswith(("pyspark.", "py4j.")):
        return None
    text = str(exc).strip()
    first = text.splitlines()[0].strip() if text else type(exc).__name__
    return f"spark could not run a step of the job: {first}"


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


# --- tables: one printer for every command, as a table, CSV or JSON -------------------------

FORMATS = ("table", "csv", "json")
FormatOption = Annotated[
    str, typer.Option("--format", help="How tables are printed: table, csv or json.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", help="Write the tables to this file instead of the screen."),
]


@dataclass
class _Output:
    """Where the tables of the running command go."""

    format: str = "table"
    file: Path | None = None
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    document: Any = None  # a command's own JSON document, written instead of its tables


def output_format() -> str:
    """The ``--format`` of the running command (table, csv or json)."""
    return _output.format


def set_json_document(document: Any) -> None:
    """With ``--format json``, write ``document`` instead of the collected tables."""
    _output.document = document


_output = _Output()


def _cell(value: Any, column: str, digits: int | None, missing: Any) -> str:
    """A table cell: dates as dates, numbers by what their column holds (``_format.cell``)."""
    import pandas as pd

    from cvm.cli._format import cell

    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}" if value == value.normalize() else str(value)
    return cell(value, column, missing, digits=digits)


def print_frame(
    frame: pd.DataFrame,
    title: str,
    *,
    digits: int | None = None,
    index: bool = True,
    missing: Mapping[str, str] | None = None,
    empty: Mapping[str, str] | None = None,
    by_row: str | None = None,
) -> None:
    """Print one table of a command: a rich table on the screen, or collected for CSV/JSON.

    ``index`` shows the frame's index as leading column(s) (unnamed default indexes are
    dropped); ``digits`` fixes decimals of measures in the table view (CSV and JSON keep full
    precision); ``missing`` maps a column to the text that says why a value is absent there;
    ``empty`` does the same for a column only when it is missing in every row (a table with
    no CLV run at all); ``by_row`` names the column whose text says what each row's values
    are (a KPI name), else each column's name does. Long text folds onto more lines on a
    narrow screen; it is never cut.
    """
    import pandas as pd

    shown = frame
    named = any(n is not None for n in frame.index.names)
    if index and (named or not isinstance(frame.index, pd.RangeIndex)):
        shown = frame.reset_index()
        shown.columns = [str(c) if str(c) != "index" else "" for c in shown.columns]
    elif index is False or not named:
        shown = frame.reset_index(drop=True)
    if _output.format != "table":
        _output.tables.append((title, shown))
        return
    from rich.table import Table
    from rich.text import Text

    absent = dict(missing or {})
    for col, why in (empty or {}).items():
        if col in shown.columns and bool(shown[col].isna().all()):
            absent[col] = why
    table = Table(title=title, title_justify="left")
    for col in shown.columns:
        numeric = pd.api.types.is_numeric_dtype(shown[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    columns = [str(c) for c in shown.columns]
    for row in shown.itertuples(index=False):
        names = [str(row[columns.index(by_row)])] * len(columns) if by_row else columns
        cells = [_cell(v, n, digits, absent) for v, n in zip(row, names, strict=True)]
        table.add_row(*map(Text, cells))  # text as it is: no markup read in the data
    if _output.file is not None:
        with open(_output.file, "a", encoding="utf-8") as fh:
            Console(file=fh, width=100_000).print(table)
        return
    console.print(table)


def _flush() -> None:
    """Write the collected tables as CSV or JSON (one JSON document; CSV tables apart)."""
    import json

    tables, fmt, out = _output.tables, _output.format, _output.file
    if fmt == "json" and _output.document is not None:
        _emit(json.dumps(_output.document, indent=2, ensure_ascii=False) + "\n", out)
        return
    if fmt == "json":
        docs = [
            {"title": t, "rows": json.loads(f.to_json(orient="records", date_format="iso"))}
            for t, f in tables
        ]
        text = json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False)
        _emit(text + "\n", out)
        return
    for k, (title, frame) in enumerate(tables):
        target = out
        if out is not None and k:
            target = out.with_name(f"{out.stem}_{k + 1}{out.suffix}")
        text = frame.to_csv(index=False)
        if out is None and len(tables) > 1:
            text = f"# {title}\n{text}\n"
        _emit(text, target)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        out.write_text(text, encoding="utf-8")


F = TypeVar("F", bound=Callable[..., Any])


def tabular(command: F) -> F:
    """Give a command that prints tables the ``--format`` and ``--output`` options.

    With ``--format csv|json`` its other messages go to stderr, so stdout (or ``--output``)
    holds only the tables.
    """
    sig = inspect.signature(command, eval_str=True)
    extra = [
        inspect.Parameter("format_", inspect.Parameter.KEYWORD_ONLY, default="table",
                          annotation=FormatOption),
        inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default=None,
                          annotation=OutputOption),
    ]  # fmt: skip
    params = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        else p
        for p in sig.parameters.values()
    ]

    @functools.wraps(command)
    def run(*args: Any, format_: str = "table", output: Path | None = None, **kw: Any) -> Any:
        from cvm._exceptions import ConfigError

        if format_ not in FORMATS:
            raise ConfigError(f"--format {format_!r}: use table, csv or json")
        global _output
        _output = _Output(format_, output)
        if format_ != "table":
            console.stderr = True  # messages apart from the tables
        elif output is not None:
            output.write_text("", encoding="utf-8")
        try:
            result = command(*args, **kw)
            if format_ != "table":
                _flush()
            return result
        finally:
            console.stderr = False
            _output = _Output()

    run.__signature__ = sig.replace(parameters=[*params, *extra])  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]
