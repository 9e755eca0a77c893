"""Small readers of workspace tables for the ingest tests."""

from __future__ import annotations

from pathlib import Path

from cvm.workspace import Workspace
from handmade import rows, set_config

__all__ = ["DATA", "rejected", "rows", "set_config"]

DATA = Path(__file__).parents[1] / "data" / "ingest"


def rejected(ws: Workspace, load_id: str | None = None) -> list[tuple[int, str, str]]:
    """(line, raw, reason) of refused rows, in line order."""
    sql = "SELECT line, raw, reason FROM rejected_rows"
    params: list[str] = []
    if load_id:
        sql += " WHERE load_id = ?"
        params.append(load_id)
    return [tuple(r) for r in ws.con.execute(sql + " ORDER BY line", params).fetchall()]  # type: ignore[misc]
