"""A segments run made on an engine (``cvm segment --engine spark``), read into the workspace.

The engine writes the run as three partitions of the same run id (the contract both sides
keep): the segment table, one row per customer (``profile/run_id=...``); the rule segments'
members, one row per customer and segment (``segments/run_id=...``); and the run's record
(``_runs/run_id=...``). They become a ``segments`` run of the workspace under the same id
and day, stored as :func:`cvm.segments.runs.segment` stores its own: the profile rows in
``scores``, the members in ``segment_members``, the record and the counts per RFM segment,
tier, lifecycle stage and rule in ``model_runs``. Churn risk arrives in the profile rows (the
engine scores it with its newest churn model), so ``customer_profile`` reads it as of the day.

The rows pass the CLV import's checks (:mod:`cvm.clv.imported`, whose steps this module
reuses): text ids, finite numbers in range, known customers, one day; a membership is stored
only with its customer's profile row. A run written before the segment table carried RFM,
tiers and lifecycle is refused whole, with one line saying to run the job again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvm._exceptions import DataError
from cvm._limits import MAX_AMOUNT
from cvm.clv.imported import (
    ImportedRun,
    Screen,
    already_imported,
    checked_rows,
    drop_staged,
    read_record,
    record_import,
    require_columns,
    stage_files,
)
from cvm.engines import sql_file
from cvm.engines.runs import RunFolder
from cvm.segments.runs import run_counts

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["MEMBER_COLUMNS", "PROFILE_COLUMNS", "import_segments_run"]

PROFILE_COLUMNS: dict[str, str | None] = {
    "customer_id": "VARCHAR",
    "frequency": None,
    "recency": None,
    "T": None,
    "monetary_value": None,
    "expected_purchases": None,
    "p_alive": None,
    "clv": None,
    "revenue": None,
    "rfm": None,
    "rfm_segment": None,
    "tier": None,
    "lifecycle": None,
    "churn_risk": None,
    "churn_reasons": None,
    "as_of": None,
}
"""The columns a segments run's profile files must hold (``customer_id`` as text)."""
MEMBER_COLUMNS: dict[str, str | None] = {"customer_id": "VARCHAR", "segment": None, "as_of": None}
"""The columns of its members' files."""
SEGMENT_COLUMNS = ("rfm", "rfm_segment", "tier", "lifecycle")
"""What a profile written before segments runs were whole on the engine lacks."""
NO_RECORD = (
    "no record beside it: its segments are stored, without the rules and settings that made them"
)
AGAIN = "run `cvm segment --engine spark` again"


def import_segments_run(
    ws: Workspace,
    members: RunFolder,
    profile: RunFolder,
    record: RunFolder | None,
    screen: Screen | None = None,
) -> ImportedRun:
    """Store a segments run (its ``members`` and ``profile`` partitions) as a run of the
    workspace; ``record`` is its record's folder when the engine wrote one.

    ``screen`` deletes the staged rows of erased customers (profile rows and memberships) and
    returns how many: they are stored nowhere, not even among the refused rows.

    Raises
    ------
    DataError
        one line naming the folder: no profile partition, a profile from before the
        contract, a file that is not Parquet or lacks a column, ids written as numbers, more
        than one day, or no row that can be stored.
    """
    known = already_imported(ws, members)
    if known is not None:
        return known
    if not profile.files:
        raise DataError(
            f"{members.path}: members of run {members.run_id} without its profile"
            f" ({profile.path} is missing): {AGAIN}"
        )
    engine = ws.engine
    try:
        _stage(ws, members, profile)
        erased = screen("import_rows") if screen is not None else 0
        if screen is not None:
            screen("import_members")  # their profile rows are counted already
        _check(ws, profile)
        result = checked_rows(ws, profile, erased, ("import_members_checked",))
        model, params, metrics = read_record(ws, profile, record, result, NO_RECORD)
        params.setdefault("as_of", str(result.as_of))
        notes = metrics.get("notes")
        if isinstance(notes, list):  # the engine's (why CLV is empty, say): shown as its own
            result.notes.extend(str(n) for n in notes if n)
        run_params = {"run_id": members.run_id}
        with engine.transaction():
            record_import(ws, members, result, "segments", model or "rfm+lifecycle", params,
                          metrics)  # fmt: skip
            engine.run(
                sql_file(__package__, "import_store.sql"), {**run_params, "cutoff": result.as_of}
            )
            engine.run(sql_file(__package__, "import_store_members.sql"), run_params)
            engine.run(sql_file(__package__, "import_reject.sql"), run_params)
            counts = run_counts(ws, members.run_id)
            result.members = sum(counts["rule"].values())
            engine.run(
                sql_file(__package__, "run_metrics.sql"),
                {"metrics": _json({**metrics, **counts}), "run_id": members.run_id},
            )
    finally:
        drop_staged(ws)
    return result


def _stage(ws: Workspace, members: RunFolder, profile: RunFolder) -> None:
    """Stage the profile as ``import_rows`` and the members as ``import_members``; a profile
    without the segment columns is a run from before the contract."""
    found = stage_files(ws, profile, {})
    missing = [name for name in SEGMENT_COLUMNS if name not in found]
    if missing:
        raise DataError(
            f"{profile.path}: a segments run written before segment tables held RFM, tiers and"
            f" lifecycle (no column {missing[0]!r}): {AGAIN}"
        )
    require_columns(ws, profile, PROFILE_COLUMNS, found)
    if members.files:
        stage_files(ws, members, MEMBER_COLUMNS, table="import_members")
    else:
        ws.engine.run(sql_file(__package__, "import_members_empty.sql"))


def _check(ws: Workspace, profile: RunFolder) -> None:
    """Check the staged rows; one line naming the folder when a column has a type the
    contract does not allow (a text where a number or a list of reasons belongs)."""
    try:
        ws.engine.run(sql_file(__package__, "import_check.sql"), {"max_amount": MAX_AMOUNT})
        ws.engine.run(sql_file(__package__, "import_members_check.sql"))
    except ws.engine.error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"{profile.path}: a column does not have the type a segments run gives it: {first}"
        ) from None


def _json(value: object) -> str:
    import json

    return json.dumps(value, default=float)
