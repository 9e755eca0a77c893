"""Shared dependencies: settings, a read-only workspace per request, the API key check."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request
from pydantic import AfterValidator

from cvm._dates import check_day
from cvm.api.config import Settings
from cvm.workspace import Workspace

__all__ = ["ApiKey", "AsOfQuery", "SettingsDep", "WorkspaceDep", "get_settings", "get_workspace"]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


# A request waits this long for a writer to release the workspace before answering 503.
REQUEST_LOCK_WAIT = 2.0


def get_workspace(settings: SettingsDep) -> Iterator[Workspace]:
    """The workspace opened read-only for this request, closed after the response."""
    ws = Workspace.open(settings.workspace, read_only=True, wait=REQUEST_LOCK_WAIT)
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
    # bytes, not str: compare_digest refuses a str holding non-ASCII characters, and a header
    # may carry any byte (Starlette reads headers as Latin-1)
    sent = (x_api_key or "").encode("utf-8", "surrogateescape")
    if x_api_key is None or not secrets.compare_digest(sent, settings.api_key.encode("utf-8")):
        raise HTTPException(status_code=401, detail="missing or wrong X-API-Key header")


ApiKey = Depends(check_api_key)

# A day in a query: a date within the shared range (:mod:`cvm._dates`), else 422.
AsOfQuery = Annotated[
    date | None,
    Query(description="A day, YYYY-MM-DD (default: the last purchase day)"),
    AfterValidator(check_day),
]
