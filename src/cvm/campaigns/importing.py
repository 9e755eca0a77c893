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

from cvm._exceptions import DataError, IngestError
from cvm._sql import load_sql

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
    if not path.exists():
        raise IngestError(f"{path}: no such file")
    con = ws.con
    reader = (
        "read_parquet(?)"
        if path.suffix.lower() in {".parquet", ".pq"}
        else ("read_csv(?, all_varchar = true, header = true)")
    )
    try:
        found = [
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}", [str(path)]).fetchall()
        ]
    except Exception as exc:  # duckdb raises several error types for unreadable files
        raise IngestError(f"{path}: cannot read as {kind}: {exc}") from exc
    missing = [c for c in _REQUIRED[kind] if c not in found]
    if missing:
        raise IngestError(
            f"{path}: {kind} need columns {', '.join(missing)} (found: {', '.join(found)})"
        )
    select = ", ".join(
        f"CAST({c} AS VARCHAR) AS {c}" if c in found else f"CAST(NULL AS VARCHAR) AS {c}"
        for c in columns
    )
    raw = " || ',' || ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in columns if c in found)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT row_number() OVER () + 1 AS line,"
        f" {select}, {raw} AS raw FROM {reader}",
        [str(path)],
    )


def import_campaign(
    ws: Workspace, campaigns_file: str | Path, assignments_file: str | Path
) -> ImportResult:
    """Load past campaigns and their assignments so they can be measured and learned from.

    Every assignment must name a campaign in ``campaigns_file`` and a customer already in the
    workspace; the others are rejected with the reason. A campaign already in the workspace is
    rejected (import once). Raises ``DataError`` when nothing can be loaded.
    """
    from cvm.workspace import transaction

    campaigns_path, assignments_path = Path(campaigns_file), Path(assignments_file)
    load_id = f"campaigns-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    con = ws.con
    with transaction(con):
        _stage(ws, campaigns_path, "campaign_import_raw", "campaigns", _CAMPAIGN_COLUMNS)
        _stage(ws, assignments_path, "assignment_import_raw", "assignments", _ASSIGNMENT_COLUMNS)
        con.execute(load_sql("cvm.campaigns", "import_campaigns.sql"))
        con.execute(load_sql("cvm.campaigns", "import_assignments.sql"))
        loaded = [
            r[0]
            for r in con.execute(
                "SELECT campaign_id FROM campaign_import WHERE reason IS NULL ORDER BY line"
            ).fetchall()
        ]
        if not loaded:
            reasons = con.execute(
                "SELECT DISTINCT reason FROM campaign_import ORDER BY 1 LIMIT 3"
            ).fetchall()
            shown = "; ".join(str(r[0]) for r in reasons) or "the file is empty"
            raise DataError(f"{campaigns_path}: no campaign could be imported ({shown})")
        con.execute(
            "INSERT INTO campaigns (campaign_id, name, offer_id, channel, audience, starts, ends,"
            " response_days, control_fraction, status, definition)"
            " SELECT campaign_id, name, offer_id, coalesce(channel, 'email'), audience,"
            " CAST(starts AS TIMESTAMP), CAST(ends AS TIMESTAMP),"
            " coalesce(try_cast(response_days AS INTEGER), 30),"
            " try_cast(control_fraction AS DOUBLE),"
            " coalesce(nullif(status, ''), 'completed'), try_cast(definition AS JSON)"
            " FROM campaign_import WHERE reason IS NULL"
        )
        con.execute(
            "INSERT INTO assignments (campaign_id, customer_id, arm, stratum, assigned_at)"
            " SELECT campaign_id, customer_id, arm, nullif(stratum, ''), assigned_ts"
            " FROM assignment_import WHERE reason IS NULL"
        )
        arms = con.execute(
            "SELECT campaign_id, count(DISTINCT arm) FILTER (WHERE arm = 'control'),"
            " count(DISTINCT arm) FILTER (WHERE arm <> 'control')"
            " FROM assignment_import WHERE reason IS NULL GROUP BY campaign_id"
        ).fetchall()
        armless = sorted(set(loaded) - {r[0] for r in arms if r[1] and r[2]})
        if armless:
            raise DataError(
                f"{assignments_path}: campaign(s) {', '.join(armless)} need valid assignments to"
                " a 'control' arm and at least one treatment arm"
            )
        rejected = _store_rejects(ws, load_id, campaigns_path, assignments_path)
        n_assigned = int(
            con.execute("SELECT count(*) FROM assignment_import WHERE reason IS NULL").fetchall()[
                0
            ][0]
        )
        read = int(con.execute("SELECT count(*) FROM assignment_import").fetchall()[0][0])
        con.execute(
            "INSERT INTO loads VALUES (?, 'assignments', ?, ?, current_timestamp, ?, ?, 0, ?)",
            [
                load_id,
                str(assignments_path),
                datetime.now(UTC).replace(tzinfo=None),
                read,
                n_assigned,
                read - n_assigned,
            ],
        )
        for t in (
            "campaign_import_raw",
            "assignment_import_raw",
            "campaign_import",
            "assignment_import",
        ):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    return ImportResult(load_id, loaded, n_assigned, rejected)


def _store_rejects(
    ws: Workspace, load_id: str, campaigns: Path, assignments: Path
) -> dict[str, int]:
    con = ws.con
    for kind, table, path in (
        ("campaigns", "campaign_import", campaigns),
        ("assignments", "assignment_import", assignments),
    ):
        con.execute(
            f"INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)"
            f" SELECT ?, ?, ?, line, raw, reason FROM {table} WHERE reason IS NOT NULL",
            [load_id, kind, str(path)],
        )
    rows = con.execute(
        "SELECT reason, count(*) FROM (SELECT reason FROM campaign_import UNION ALL"
        " SELECT regexp_replace(reason, '^(unknown (customer|campaign)) .*$', '\\1')"
        " FROM assignment_import) WHERE reason IS NOT NULL GROUP BY reason ORDER BY 2 DESC"
    ).fetchall()
    return {str(r): int(n) for r, n in rows}
