"""``/api/health``: is the service up and can it read the workspace."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cvm.api.deps import WorkspaceDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(ws: WorkspaceDep) -> dict[str, Any]:
    """Status, the workspace and the rows in each of its tables."""
    return {"status": "ok", "workspace": str(ws.path), "tables": ws.table_counts()}
