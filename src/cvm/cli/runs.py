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
    """Store the newest CLV and segments runs (or --run ID) of a results folder in the workspace.

    Each run keeps its id and as-of day; `cvm plan`, `cvm segments`, `cvm publish`, campaigns,
    the report and the service then use it as the newest run of its kind. Rows the workspace
    refuses (unknown customers, numbers out of range) go to `cvm rejects`. Reading a run again
    changes nothing. Churn runs are named: their risk comes in with a segments run.
    """
    from cvm._exceptions import DataError

    with open_workspace(workspace) as ws:
        done = import_results(ws, folder_of(workspace, results), run)
    for one in done:
        report_import(one)
    failed = [one.error for one in done if one.error]
    if failed:
        print_warnings(failed[1:])
        raise DataError(failed[0])


def folder_of(workspace: Path, results: str | None) -> str:
    """``results``, else ``[spark] output`` of the workspace's cvm.toml; one line when neither."""
    from cvm._exceptions import ConfigError
    from cvm.cli._spark import workspace_settings

    folder = results or workspace_settings(workspace).spark.output
    if not folder:
        raise ConfigError("name the results folder: cvm runs import DIR, or [spark] output")
    return str(folder)


def import_results(ws: Workspace, folder: str, run_id: str | None) -> list[ImportedRun]:
    """Read the chosen runs of ``folder`` into ``ws``: CLV and segments runs are stored, churn
    runs named. A run that cannot be read carries its one line in ``error`` (the others are
    read all the same: each run is stored whole or not at all)."""
    from cvm._exceptions import DataError
    from cvm.clv.imported import ImportedRun, import_clv_run
    from cvm.engines import location
    from cvm.engines.runs import PROFILES, newest_runs, run_folders, run_partition
    from cvm.features.on_engine import RUN_RECORDS
    from cvm.ingest import erased
    from cvm.segments.imported import import_segments_run

    done = []
    where = location(folder, RUN_RECORDS)
    records = {r.run_id: r for r in run_folders(where)} if Path(str(where)).is_dir() else {}

    def screen(table: str) -> int:  # erased customers' rows: neither stored nor kept as refused
        return erased.refuse_rows(ws.engine, table)

    found_runs = newest_runs(folder, run_id)
    any_erased = erased.install(ws.engine)
    try:
        for found in found_runs:
            record = records.get(found.run_id)
            try:
                if found.kind == "clv":
                    done.append(import_clv_run(ws, found, record, screen if any_erased else None))
                elif found.kind == "segments":
                    members = run_partition(folder, "segments", found.run_id)
                    profile = run_partition(folder, PROFILES, found.run_id)
                    done.append(import_segments_run(ws, members, profile, record,
                                                    screen if any_erased else None))  # fmt: skip
                else:
                    done.append(_named(found.run_id, found.kind, found.path))
            except DataError as exc:
                done.append(ImportedRun(found.run_id, found.kind, None, error=str(exc)))
    finally:
        if any_erased:
            erased.uninstall(ws.engine)
    return done


def _named(run_id: str, kind: str, path: Path) -> ImportedRun:
    """A churn run: not stored; its risk enters the workspace with a segments run."""
    from cvm.clv.imported import ImportedRun

    named = ImportedRun(run_id, kind, None)
    named.notes.append(
        f"run {run_id}: churn risk enters the workspace with a segments run (`cvm segment"
        f" --engine spark` scores churn with the same newest model); this run's Parquet stays"
        f" in {path}"
    )
    return named


def report_import(done: ImportedRun) -> None:
    """One line per run read: stored, already there, or not read; refusals counted."""
    if done.already:
        console.print(f"run {done.run_id} is already in the workspace: nothing to do")
        return
    if done.as_of is None:
        print_warnings(done.notes)
        return
    refused = sum(done.rejected.values())
    members = f" and {done.members:,} rule-segment memberships" if done.kind == "segments" else ""
    console.print(
        f"run {done.run_id} ({done.kind}, as of {done.as_of}) stored: {done.stored:,}"
        f" customers{members}",
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
