"""Import a past campaign and its arms (``campaigns.csv``, ``assignments.csv``) with validation.

Rows that cannot be used (unknown customer, unknown campaign, a duplicate, a bad date) land in
``rejected_rows`` with their line and reason; the rest load in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from cvm._exceptions import DataError, IngestError
from cvm.campaigns.files import cell, file_columns, named, raw_line, reader
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["ImportResult", "import_campaign"]

_CAMPAIGN_COLUMNS = (
    "campaign_id",
    "name",
    "offer_id",
    "channel",
    "audience",
    "starts",
    "ends",
    "response_days",
    "control_fraction",
    "status",
    "definition",
)
_ASSIGNMENT_COLUMNS = ("campaign_id", "customer_id", "arm", "stratum", "assigned_at")
_REQUIRED = {
    "campaigns": ("campaign_id", "starts", "ends"),
    "assignments": ("campaign_id", "customer_id", "arm"),
}


@dataclass
class ImportResult:
    """Campaigns and assignments loaded, and the rejected rows' reasons with their counts."""

    load_id: str
    campaigns: list[str] = field(default_factory=list)
    assignments: int = 0
    rejected: dict[str, int] = field(default_factory=dict)


def _stage(ws: Workspace, path: Path, table: str, kind: str, columns: tuple[str, ...]) -> None:
    """Read ``path`` as text columns into the temp table ``table`` with 1-based file lines."""
    found = file_columns(ws, path, f"as {kind}")
    missing = [c for c in _REQUIRED[kind] if c not in found]
    if missing:
        raise IngestError(
            f"{path}: {kind} need columns {', '.join(missing)} (found: {', '.join(found)})"
        )
    select = [
        named(
            cell("varchar_value", c) if c in found else exp.cast(exp.null(), "VARCHAR"),
            c,
        )
        for c in columns
    ]
    stage = fill(
        sql_file(__package__, "import_stage.sql"),
        table=table,
        columns=select,
        raw=raw_line([c for c in columns if c in found]),
        source=reader(path),
    )
    ws.engine.run(stage, {"path": str(path)})


def import_campaign(
    ws: Workspace, campaigns_file: str | Path, assignments_file: str | Path
) -> ImportResult:
    """Load past campaigns and their assignments so they can be measured and learned from.

    Every assignment must name a campaign in ``campaigns_file`` and a customer already in the
    workspace; the others are rejected with the reason. A campaign already in the workspace is
    rejected (import once). Raises ``DataError`` when nothing can be loaded.
    """
    campaigns_path, assignments_path = Path(campaigns_file), Path(assignments_file)
    load_id = f"campaigns-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    engine = ws.engine
    with engine.transaction():
        _stage(ws, campaigns_path, "campaign_import_raw", "campaigns", _CAMPAIGN_COLUMNS)
        _stage(ws, assignments_path, "assignment_import_raw", "assignments", _ASSIGNMENT_COLUMNS)
        engine.run(sql_file(__package__, "import_campaigns.sql"))
        engine.run(sql_file(__package__, "import_assignments.sql"))
        loaded = [r[0] for r in engine.rows(sql_file(__package__, "import_loaded.sql"))]
        if not loaded:
            reasons = engine.rows(sql_file(__package__, "import_reasons.sql"))
            shown = "; ".join(str(r[0]) for r in reasons) or "the file is empty"
            raise DataError(f"{campaigns_path}: no campaign could be imported ({shown})")
        engine.script(sql_file(__package__, "import_store.sql"))
        arms = engine.rows(sql_file(__package__, "import_arms.sql"))
        armless = sorted(set(loaded) - {r[0] for r in arms if r[1] and r[2]})
        if armless:
            raise DataError(
                f"{assignments_path}: campaign(s) {', '.join(armless)} need valid assignments to"
                " a 'control' arm and at least one treatment arm"
            )
        rejected = _store_rejects(ws, load_id, campaigns_path, assignments_path)
        n_assigned, read = engine.one(sql_file(__package__, "import_counts.sql")) or (0, 0)
        engine.run(
            sql_file(__package__, "import_load.sql"),
            {
                "load_id": load_id,
                "source": str(assignments_path),
                "started": datetime.now(UTC).replace(tzinfo=None),
                "read": read,
                "loaded": n_assigned,
                "rejected": read - n_assigned,
            },
        )
        engine.script(sql_file(__package__, "import_drop.sql"))
    return ImportResult(load_id, loaded, n_assigned, rejected)


def _store_rejects(
    ws: Workspace, load_id: str, campaigns: Path, assignments: Path
) -> dict[str, int]:
    engine = ws.engine
    for kind, table, path in (
        ("campaigns", "campaign_import", campaigns),
        ("assignments", "assignment_import", assignments),
    ):
        engine.run(
            fill(sql_file(__package__, "import_rejects.sql"), checked=table),
            {"load_id": load_id, "kind": kind, "source": str(path)},
        )
    rows = engine.rows(sql_file(__package__, "import_reject_counts.sql"))
    return {str(r): int(n) for r, n in rows}
