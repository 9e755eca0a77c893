"""A CLV run scored on an engine (``cvm score --engine spark``), read into the workspace.

The run's Parquet files become a ``clv`` run of the workspace under the same run id, as of
the same day, with the engine and the folder it came from in its parameters. The rows pass
the workspace's checks on the way in: customer ids stay text (an id stored as a number would
have lost its leading zeros, so such a file is refused whole), scores are finite and in range,
and a customer the workspace does not know (never loaded, or erased) is not stored. Every
refused row lands in ``rejected_rows`` with its file, position and reason. The run's record
(models and parameters, written beside the scores) comes with it, so the service scores live
profiles with that fit, as after ``cvm score``. Reading the same run again changes nothing.

The steps (staging, the one day, the counts, the record, the erased screen) are shared with
the import of segments runs (:mod:`cvm.segments.imported`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import DataError
from cvm._limits import MAX_AMOUNT
from cvm.engines import fill, sql_file
from cvm.engines.runs import RunFolder

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = [
    "ImportedRun",
    "Screen",
    "already_imported",
    "checked_rows",
    "drop_staged",
    "import_clv_run",
    "read_record",
    "record_import",
    "require_columns",
    "stage_files",
]

UNKNOWN = "customer unknown to the workspace"
COLUMNS = {
    "customer_id": "VARCHAR",
    "frequency": None,
    "recency": None,
    "T": None,
    "monetary_value": None,
    "expected_purchases": None,
    "p_alive": None,
    "expected_spend": None,
    "clv": None,
    "clv_lower": None,
    "clv_upper": None,
    "spend_imputed": None,
    "cutoff": None,
}
"""The columns a CLV run's files must hold (``customer_id`` as text)."""


@dataclass
class ImportedRun:
    """What reading one run into the workspace did."""

    run_id: str
    kind: str
    as_of: date | None
    stored: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    already: bool = False
    erased: int = 0
    notes: list[str] = field(default_factory=list)
    members: int = 0  # a segments run's rule-segment memberships stored
    error: str | None = None  # why the run was not read (one line), when it was not

    @property
    def unknown(self) -> int:
        """Rows refused because the workspace does not know their customer."""
        return self.rejected.get(UNKNOWN, 0)


Screen = Callable[[str], int]
"""Deletes a staged table's rows of erased customers and returns how many (the command line
passes :func:`cvm.ingest.erased.refuse_rows`, which a job may not import itself)."""


def stage_files(
    ws: Workspace, run: RunFolder, columns: dict[str, str | None], table: str = "import_rows"
) -> dict[str, str]:
    """Stage ``run``'s files as ``table``; one line naming the file when one is not Parquet or
    lacks a column, or when ``customer_id`` is not text. Returns the staged columns' types."""
    if not run.files:
        raise DataError(f"{run.path}: no Parquet files in this run's folder")
    try:
        ws.engine.run(
            fill(sql_file(__package__, "import_stage.sql"), rows=table),
            {"files": [str(f) for f in run.files]},
        )
    except ws.engine.error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{run.path}: cannot read the run's Parquet files: {first}") from None
    types = dict(ws.engine.rows(sql_file(__package__, "import_columns.sql"), {"table": table}))
    found = {str(k): str(v) for k, v in types.items()}
    require_columns(ws, run, columns, found)
    return found


def require_columns(
    ws: Workspace, run: RunFolder, columns: dict[str, str | None], found: dict[str, str]
) -> None:
    """One line naming the file when a staged run lacks one of ``columns`` (name: type, or
    None for any type), or when ``customer_id`` is not text."""
    for name, kind in columns.items():
        if name not in found:
            file = _file_without(ws, run, name)
            raise DataError(
                f"{file}: no column {name!r} (a {run.kind} run needs"
                f" {', '.join(c for c in columns)})"
            )
        if kind is not None and found[name] != kind:
            raise DataError(
                f"{run.path}: {name} is {found[name]}, not text: ids written as numbers have"
                " lost their leading zeros; write them as strings and run the job again"
            )


def _file_without(ws: Workspace, run: RunFolder, column: str) -> str:
    """The first of ``run``'s files that lacks ``column`` (the folder when all have it)."""
    import pyarrow.parquet as pq

    for path in run.files:
        try:
            if column not in pq.read_schema(path).names:
                return str(path)
        except (OSError, ValueError):
            return str(path)
    return str(run.path)


def import_clv_run(
    ws: Workspace,
    run: RunFolder,
    record: RunFolder | None,
    screen: Screen | None = None,
) -> ImportedRun:
    """Store ``run`` (a ``clv`` run's folder) as a run of the workspace; ``record`` is its
    record's folder (``_runs/run_id=...``) when the engine wrote one.

    ``screen`` deletes the staged rows of erased customers and returns how many: they are
    neither stored nor kept among the refused rows."""
    engine = ws.engine
    known = already_imported(ws, run)
    if known is not None:
        return known
    stage_files(ws, run, COLUMNS)
    try:
        erased = screen("import_rows") if screen is not None else 0
        engine.run(sql_file(__package__, "import_check.sql"), {"max_amount": MAX_AMOUNT})
        result = checked_rows(ws, run, erased)
        model, params, metrics = read_record(ws, run, record, result, NO_RECORD)
        with engine.transaction():
            record_import(ws, run, result, "clv", model, params, metrics)
            params_run = {"run_id": run.run_id}
            engine.run(
                sql_file(__package__, "import_scores.sql"), {**params_run, "cutoff": result.as_of}
            )
            engine.run(sql_file(__package__, "import_reject.sql"), params_run)
    finally:
        drop_staged(ws)
    return result


NO_RECORD = (
    "no record of its fit beside it: its scores are stored, and live profiles keep the newest"
    " fit that has one (score again to write the record)"
)


def already_imported(ws: Workspace, run: RunFolder) -> ImportedRun | None:
    """What to say when the workspace holds a run of this id already (None: it does not)."""
    known = ws.engine.one(sql_file(__package__, "import_known_run.sql"), {"run_id": run.run_id})
    if known is None:
        return None
    day = None if known[0] is None else pd.Timestamp(known[0]).date()
    return ImportedRun(run.run_id, run.kind, day, already=True)


def checked_rows(
    ws: Workspace, run: RunFolder, erased: int, others: tuple[str, ...] = ()
) -> ImportedRun:
    """Counts of the checked rows (``import_checked``: a ``cutoff`` day and a ``reason``, NULL
    when kept) as a result; the tables ``others`` (checked alike) count as refused too and
    share the run's one day. One line when the run has more than one day or nothing to store."""
    counts = ws.engine.frame(fill(sql_file(__package__, "import_summary.sql"),
                                  checked="import_checked"))  # fmt: skip
    rest = [
        ws.engine.frame(fill(sql_file(__package__, "import_summary.sql"), checked=t))
        for t in others
    ]
    days = {d for c in (counts, *rest) for d in pd.concat([c["first_day"], c["last_day"]]).dropna()}
    if len(days) != 1:
        found = ", ".join(sorted(str(pd.Timestamp(d).date()) for d in days)) or "none"
        raise DataError(f"{run.path}: a run has one cutoff day; found {found}")
    result = ImportedRun(run.run_id, run.kind, pd.Timestamp(days.pop()).date(), erased=erased)
    result.stored = int(counts.loc[counts["reason"].isna(), "n"].sum())
    for frame in (counts, *rest):
        for reason, n in frame.dropna(subset=["reason"])[["reason", "n"]].values:
            result.rejected[str(reason)] = result.rejected.get(str(reason), 0) + int(n)
    if result.stored == 0:
        raise DataError(
            f"{run.path}: no row of run {run.run_id} can be stored"
            f" ({_reasons(result.rejected)}): load its customers first"
        )
    return result


def record_import(
    ws: Workspace,
    run: RunFolder,
    result: ImportedRun,
    kind: str,
    model: str | None,
    params: dict[str, Any],
    metrics: dict[str, Any],
) -> None:
    """The imported run's row of ``model_runs`` (inside the caller's transaction)."""
    ws.engine.run(
        sql_file("cvm.workspace", "record_run.sql"),
        {
            "run_id": run.run_id,
            "kind": kind,
            "model": model,
            "params": json.dumps(params, default=float),
            "metrics": json.dumps(metrics, default=float),
            "cutoff": pd.Timestamp(str(result.as_of)).to_pydatetime(),
        },
    )


def drop_staged(ws: Workspace) -> None:
    """Drop the staging tables of an import, stored or not."""
    ws.engine.script(sql_file(__package__, "import_drop.sql"))


def read_record(
    ws: Workspace, run: RunFolder, record: RunFolder | None, result: ImportedRun, missing: str
) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """The run's model, parameters and metrics: its record's, with where it came from
    (``missing`` completes the note saying what the workspace lacks without a record)."""
    model: str | None = None
    params: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    if record is not None and record.files:
        row = ws.engine.one(
            sql_file(__package__, "import_record.sql"), {"files": [str(f) for f in record.files]}
        )
        if row is not None:
            model = None if row[0] is None else str(row[0])
            params = json.loads(row[1] or "{}")
            metrics = json.loads(row[2] or "{}")
    else:
        result.notes.append(f"run {run.run_id} has {missing}")
    params.setdefault("engine", "spark")
    params["imported_from"] = str(run.path)
    metrics.update(customers=result.stored, rejected=sum(result.rejected.values()))
    return model, params, metrics


def _reasons(rejected: dict[str, int]) -> str:
    return "; ".join(f"{n:,} {reason}" for reason, n in rejected.items()) or "no rows"
