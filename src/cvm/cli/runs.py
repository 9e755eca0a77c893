"""`cvm runs import`: read runs made on an engine (Spark) into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cvm.cli._common import WorkspaceOption, console, open_workspace, print_warnings

if TYPE_CHECKING:
    from cvm.clv.imported import ImportedRun
    from cvm.workspace import Workspace

app = typer.Typer(name="runs", help="Runs made on an engine: read them into the workspace.",
                  no_args_is_help=True)  # fmt: skip

ResultsArgument = Annotated[
    str | None,
    typer.Argument(help="The results folder (default: [spark] output in cvm.toml)."),
]
RunOption = Annotated[
    str | None, typer.Option("--run", help="One run id (default: the newest run of each kind).")
]


@app.command("import")
def import_(
    results: ResultsArgument = None,
    workspace: WorkspaceOption = Path("."),
    run: RunOption = None,
) -> None:
    """Store the newest CLV run (or --run ID) of a results folder as a run of the workspace.

    The run keeps its id and as-of day; `cvm plan`, `cvm publish`, the report and the service
    then use it as the newest run. Rows the workspace refuses (unknown customers, numbers out
    of range) go to `cvm rejects`. Reading a run again changes nothing.
    """
    with open_workspace(workspace) as ws:
        for done in import_results(ws, folder_of(workspace, results), run):
            report_import(done)


def folder_of(workspace: Path, results: str | None) -> str:
    """``results``, else ``[spark] output`` of the workspace's cvm.toml; one line when neither."""
    from cvm._exceptions import ConfigError
    from cvm.cli._spark import workspace_settings

    folder = results or workspace_settings(workspace).spark.output
    if not folder:
        raise ConfigError("name the results folder: cvm runs import DIR, or [spark] output")
    return str(folder)


def import_results(ws: Workspace, folder: str, run_id: str | None) -> list[ImportedRun]:
    """Read the chosen runs of ``folder`` into ``ws`` (the CLV runs; others are named)."""
    from cvm.clv.imported import ImportedRun, import_clv_run
    from cvm.clv.on_engine import RUN_RECORDS
    from cvm.engines import location
    from cvm.engines.runs import newest_runs, run_folders
    from cvm.ingest import erased

    done = []
    where = location(folder, RUN_RECORDS)
    records = {r.run_id: r for r in run_folders(where)} if Path(str(where)).is_dir() else {}

    def screen() -> int:  # erased customers' rows: neither stored nor kept as refused
        return erased.refuse_rows(ws.engine, "import_rows")

    for found in newest_runs(folder, run_id):
        if found.kind == "clv":
            any_erased = erased.install(ws.engine)
            try:
                record = records.get(found.run_id)
                done.append(import_clv_run(ws, found, record, screen if any_erased else None))
            finally:
                if any_erased:
                    erased.uninstall(ws.engine)
        else:
            skipped = ImportedRun(found.run_id, found.kind, None)
            skipped.notes.append(
                f"run {found.run_id}: {found.kind} runs stay in {found.path} (only CLV runs"
                " are read into the workspace)"
            )
            done.append(skipped)
    return done


def report_import(done: ImportedRun) -> None:
    """One line per run read: stored, already there, or not read; refusals counted."""
    if done.already:
        console.print(f"run {done.run_id} is already in the workspace: nothing to do")
        return
    if done.as_of is None:
        print_warnings(done.notes)
        return
    refused = sum(done.rejected.values())
    console.print(
        f"run {done.run_id} ({done.kind}, as of {done.as_of}) stored: {done.stored:,} customers",
        highlight=False,
    )
    if done.erased:
        console.print(f"{done.erased:,} rows of erased customers dropped", highlight=False)
    if done.unknown:
        console.print(
            f"{done.unknown:,} customers unknown to the workspace not stored (cvm rejects)",
            highlight=False,
        )
    other = refused - done.unknown
    if other:
        reasons = "; ".join(f"{n:,} {escape(r)}" for r, n in done.rejected.items()
                            if r != "customer unknown to the workspace")  # fmt: skip
        console.print(f"{other:,} rows refused: {reasons} (cvm rejects)", highlight=False)
    print_warnings(done.notes)
