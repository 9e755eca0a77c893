"""Shared dependencies: settings, a cursor of the served workspace, the caller and its roles."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Query, Request
from pydantic import AfterValidator

from cvm._dates import check_day
from cvm.api.config import Settings
from cvm.api.service import WorkspaceOwner
from cvm.workspace import Workspace

__all__ = [
    "ROLES",
    "AsOfQuery",
    "Caller",
    "CurrentCaller",
    "SettingsDep",
    "WorkspaceDep",
    "current_caller",
    "get_settings",
    "get_workspace",
    "require_role",
]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_workspace(request: Request) -> Iterator[Workspace]:
    """This request's cursor of the workspace the service owns, closed after the response."""
    owner: WorkspaceOwner = request.app.state.owner
    ws = owner.get().cursor()
    try:
        yield ws
    finally:
        ws.close()


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


# The roles a key can carry: ``reader`` reads the JSON API; ``admin`` is for privileged calls
# (keys, erasure). The service's one key (``CVM_API_KEY``) carries every role.
ROLES = ("reader", "analyst", "admin")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key they sent (None on an open service) and its roles."""

    key: str | None
    roles: frozenset[str]


def current_caller(
    settings: SettingsDep,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Caller:
    """The caller of this request. With ``CVM_API_KEY`` set, a request that does not carry
    that key is refused (401); without one the service is open and every caller holds
    every role."""
    if settings.api_key is None:
        return Caller(key=None, roles=frozenset(ROLES))
    # bytes, not str: compare_digest refuses a str holding non-ASCII characters, and a header
    # may carry any byte (Starlette reads headers as Latin-1)
    sent = (x_api_key or "").encode("utf-8", "surrogateescape")
    if x_api_key is None or not secrets.compare_digest(sent, settings.api_key.encode("utf-8")):
        raise HTTPException(status_code=401, detail="missing or wrong X-API-Key header")
    return Caller(key="CVM_API_KEY", roles=frozenset(ROLES))


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require_role(role: str) -> Any:
    """A guard for a route or router, ``dependencies=[require_role("admin")]``: a caller
    whose key lacks ``role`` is refused (403); one without a right key, 401."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")

    def guard(caller: CurrentCaller) -> Caller:
        if role not in caller.roles:
            raise HTTPException(status_code=403, detail=f"this key does not have the {role} role")
        return caller

    return Depends(guard)


# A day in a query: a date within the shared range (:mod:`cvm._dates`), else 422.
AsOfQuery = Annotated[
    date | None,
    Query(description="A day, YYYY-MM-DD (default: the last purchase day)"),
    AfterValidator(check_day),
]
