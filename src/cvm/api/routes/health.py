"""``/api/health``: is the service up and is its workspace there.

It does not open the database: a health probe polled every few milliseconds must never take
the workspace's lock from a writer (an ingest, a scoring run), nor tell an unauthenticated
caller where the workspace lives.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from cvm._exceptions import WorkspaceError
from cvm.api.deps import SettingsDep
from cvm.api.schemas import Health
from cvm.workspace.config import CONFIG_NAME
from cvm.workspace.connection import DB_NAME

router = APIRouter(tags=["health"])


@router.get("/health")
def health(settings: SettingsDep, request: Request) -> Health:
    """Status and the workspace's folder name (503 when it is not a workspace)."""
    root = settings.workspace
    if not (root / CONFIG_NAME).is_file():
        raise WorkspaceError(f"{root} is not a workspace (no {CONFIG_NAME})")
    return Health(
        status="ok",
        workspace=root.resolve().name,
        database=(root / DB_NAME).is_file(),
        profiles_in_memory=request.app.state.live.cache.ready,
    )
