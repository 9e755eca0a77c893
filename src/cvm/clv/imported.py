"""A CLV run scored on an engine (``cvm score --engine spark``), read into the workspace.

The run's Parquet files become a ``clv`` run of the workspace under the same run id, as of
the same day, with the engine and the folder it came from in its parameters. The rows pass
the workspace's checks on the way in: customer ids stay text (an id stored as a number would
have lost its leading zeros, so such a file is refused whole), scores are finite and in range,
and a customer the workspace does not know (never loaded, or erased) is not stored. Every
refused row lands in ``rejected_rows`` with its file, position and reason. The run's record
(models and parameters, written beside the scores) comes with it, so the service scores live
profiles with that fit, as after ``cvm score``. Reading the same run again changes nothing.
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
from cvm.engines import sql_file
from cvm.engines.runs import RunFolder

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["ImportedRun", "import_clv_run", "stage_files"]

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

    @property
    def unknown(self) -> int:
        """Rows refused because the workspace does not know their customer."""
        return self.rejected.get(UNKNOWN, 0)


def stage_files(ws: Workspace, run: RunFolder, columns: dict[str, str | None]) -> None:
    """Stage ``run``'s files as ``import_rows``; one line naming the file when one is not
    Parquet or lacks a column, or when ``customer_id`` is not text."""
    if not run.files:
        raise DataError(f"{run.path}: no Parquet files in this run's folder")
    try:
        ws.engine.run(
            sql_file(__package__, "import_stage.sql"), {"files": [str(f) for f in run.files]}
        )
    except ws.engine.error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{run.path}: cannot read the run's Parquet files: {first}") from None
    types = dict(ws.engine.rows(sql_file(__package__, "import_columns.sql")))
    for name, kind in columns.items():
        if name not in types:
            file = _file_without(ws, run, name)
            raise DataError(
                f"{file}: no column {name!r} (a {run.kind} run needs"
                f" {', '.join(c for c in columns)})"
            )
        if kind is not None and types[name] != kind:
            raise DataError(
                f"{run.path}: {name} is {types[name]}, not text: ids written as numbers have"
                " lost their leading zeros; write them as strings and score again"
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
    screen: Callable[[], int] | None = None,
) -> ImportedRun:
    """Store ``run`` (a ``clv`` run's folder) as a run of the workspace; ``record`` is its
    record's folder (``_runs/run_id=...``) when the engine wrote one.

    ``screen`` deletes the staged rows (``import_rows``) of erased customers and returns how
    many: they are neither stored nor kept among the refused rows
    (:func:`cvm.ingest.erased.refuse_rows`, which this job may not import itself)."""
    engine = ws.engine
    known = engine.one(sql_file(__package__, "import_known_run.sql"), {"run_id": run.run_id})
    if known is not None:
        day = None if known[0] is None else pd.Timestamp(known[0]).date()
        return ImportedRun(run.run_id, run.kind, day, already=True)
    stage_files(ws, run, COLUMNS)
    try:
        erased = screen() if screen is not None else 0
        engine.run(sql_file(__package__, "import_check.sql"), {"max_amount": MAX_AMOUNT})
        counts = engine.frame(sql_file(__package__, "import_summary.sql"))
        kept = counts[counts["reason"].isna()]
        days = {d for d in pd.concat([counts["first_day"], counts["last_day"]]).dropna()}
        if len(days) != 1:
            found = ", ".join(sorted(str(d) for d in days)) or "none"
            raise DataError(f"{run.path}: a run has one cutoff day; found {found}")
        day = pd.Timestamp(days.pop()).date()
        result = ImportedRun(run.run_id, run.kind, day, erased=erased)
        result.stored = int(kept["n"].sum())
        result.rejected = {
            str(r): int(n) for r, n in counts.dropna(subset=["reason"])[["reason", "n"]].values
        }
        if result.stored == 0:
            raise DataError(
                f"{run.path}: no row of run {run.run_id} can be stored"
                f" ({_reasons(result.rejected)}): load the customers it scores first"
            )
        model, params, metrics = _record(ws, run, record, result)
        with engine.transaction():
            engine.run(
                sql_file("cvm.workspace", "record_run.sql"),
                {
                    "run_id": run.run_id,
                    "kind": "clv",
                    "model": model,
                    "params": json.dumps(params, default=float),
                    "metrics": json.dumps(metrics, default=float),
                    "cutoff": pd.Timestamp(day).to_pydatetime(),
                },
            )
            params_run = {"run_id": run.run_id}
            engine.run(sql_file(__package__, "import_scores.sql"), {**params_run, "cutoff": day})
            engine.run(sql_file(__package__, "import_reject.sql"), params_run)
    finally:
        engine.script(sql_file(__package__, "import_drop.sql"))
    return result


def _record(
    ws: Workspace, run: RunFolder, record: RunFolder | None, result: ImportedRun
) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """The run's model, parameters and metrics: its record's, with where it came from."""
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
        result.notes.append(
            f"run {run.run_id} has no record of its fit beside it: its scores are stored, and"
            " live profiles keep the newest fit that has one (score again to write the record)"
        )
    params.setdefault("engine", "spark")
    params["imported_from"] = str(run.path)
    metrics.update(customers=result.stored, rejected=sum(result.rejected.values()))
    return model, params, metrics


def _reasons(rejected: dict[str, int]) -> str:
    return "; ".join(f"{n:,} {reason}" for reason, n in rejected.items()) or "no rows"
