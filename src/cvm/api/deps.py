"""Shared dependencies: settings, a read-only workspace per request, the API key check."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from cvm.api.config import Settings
from cvm.workspace import Workspace

__all__ = ["ApiKey", "SettingsDep", "WorkspaceDep", "get_settings", "get_workspace"]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_workspace(settings: SettingsDep) -> Iterator[Workspace]:
    """The workspace opened read-only for this request, closed after the response."""
    ws = Workspace.open(settings.workspace, read_only=True)
    try:
        yield ws
    finally:
        ws.close()


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def check_api_key(
    settings: SettingsDep,
    x_api_key: Annotated[str | None, Header()] = None,
) -> None:
    """With ``CVM_API_KEY`` set, refuse a request that does not carry it (401)."""
    if settings.api_key is None:
        return
    if x_api_key is None or not secrets.compare_digest(x_api_key, settings.api_key):
        raise HTTPException(status_code=401, detail="missing or wrong X-API-Key header")


ApiKey = Depends(check_api_key)
