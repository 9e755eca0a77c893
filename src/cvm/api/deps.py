"""Shared dependencies: settings, a cursor of the served workspace, the caller and its roles."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from pydantic import AfterValidator
from starlette.concurrency import run_in_threadpool

from cvm._dates import check_day
from cvm.api import audit
from cvm.api.config import Settings
from cvm.api.keys import KeyRing, StoredKey, hash_key, match_hash, write_use
from cvm.api.service import WorkspaceOwner
from cvm.workspace import Workspace

log = logging.getLogger(__name__)

__all__ = [
    "GRANTS",
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


async def get_settings(request: Request) -> Settings:
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


# The names a guard may ask for, and what each key role holds. A key is made with one of
# ``KEY_ROLES`` (cvm.api.keys); ``reader`` is kept as another name for what ``analyst`` holds,
# so routes guarded with it before roles existed keep their meaning.
#   writer  - sends events (the collection routes), nothing else
#   decider - asks for decisions and reads profiles
#   analyst - reads everything (``reader``), decides nothing, writes nothing
#   admin   - everything; the only role that erases, manages keys and starts jobs
ROLES = ("admin", "analyst", "decider", "writer", "reader")
GRANTS: dict[str, frozenset[str]] = {
    "admin": frozenset(ROLES),
    "analyst": frozenset({"analyst", "reader"}),
    "decider": frozenset({"decider"}),
    "writer": frozenset({"writer"}),
}
"""key role -> the guard names its key passes. A route guarded with several names
(``require_role("decider", "analyst")``, the profiles) passes a key holding any of them."""

OPEN_CALLER = "(open service)"
"""The caller's name in the audit log on a service opened for local demo use."""

ALIASES = {"reader": "analyst"}
"""A guard or a caller naming ``reader`` means ``analyst`` (the name before roles existed)."""

ENV_KEY_NAME = "CVM_API_KEY"
"""The caller's name in the audit log when it sent the environment's admin key."""

WWW_AUTHENTICATE = {"WWW-Authenticate": 'Basic realm="cvm", charset="UTF-8"'}
"""Sent with every 401, so a browser asks for the key (as the user name) on the dashboard."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: the name of the key they sent (None on an open service), and the guard
    names it passes (:data:`GRANTS`)."""

    key: str | None
    roles: frozenset[str]
    role: str | None = None


def _sent_key(request: Request) -> bytes | None:
    """The key the request carries: ``X-API-Key``, ``Authorization: Bearer KEY`` or HTTP Basic
    with the key as user name and an empty password (as Segment's clients send a write key;
    a key sent as the password with an empty user name is taken too). Bytes as sent."""
    return sent_key(request.headers)


def sent_key(headers: Mapping[str, str]) -> bytes | None:
    """:func:`_sent_key` of a request's headers."""
    raw = headers.get("x-api-key")
    if raw is not None:
        return raw.encode("latin-1")
    auth = headers.get("authorization")
    if auth is None:
        return None
    scheme, _, value = auth.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value.encode("latin-1") if value else None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.encode("latin-1"), validate=True)
        except (binascii.Error, ValueError):
            return None
        user, _, password = decoded.partition(b":")
        return user or password or None
    return None


def _route_is_privileged(request: Request) -> bool:
    dependant = getattr(audit.matched_route(request.scope), "dependant", None)
    return dependant is not None and _admin_only(dependant)


def _admin_only(dependant: Any) -> bool:
    if getattr(dependant.call, "cvm_roles", None) == ("admin",):
        return True
    return any(_admin_only(d) for d in dependant.dependencies)


def _refuse(request: Request, status: int, detail: str, who: str | None) -> HTTPException:
    if _route_is_privileged(request):
        audit.note(request.scope, who=who, action=audit.route_action(request.scope))
    headers = WWW_AUTHENTICATE if status == 401 else None
    return HTTPException(status_code=status, detail=detail, headers=headers)


async def current_caller(request: Request) -> Caller:
    """The caller of this request, from the key it sends (:func:`_sent_key`).

    A key is the environment's ``CVM_API_KEY`` (an admin key) or one made with
    ``cvm keys create``, held in memory by its hash (:class:`cvm.api.keys.KeyRing`) and
    confirmed in constant time. No key or a key that matches none is 401. A service opened
    for local demo use (``CVM_OPEN=1``) takes every caller as an admin without a key. Runs on
    the event loop: the keys are read from the database only after a key changed."""
    settings: Settings = request.app.state.settings
    if settings.open:
        return Caller(key=None, roles=GRANTS["admin"], role="admin")
    sent = _sent_key(request)
    if sent is None:
        raise _refuse(request, 401, "missing key: send it as X-API-Key, Bearer or Basic", None)
    sent_hash = hash_key(sent)
    if _is_env_key(settings, sent_hash):
        return Caller(key=ENV_KEY_NAME, roles=GRANTS["admin"], role="admin")
    ws_owner: WorkspaceOwner = request.app.state.owner
    ring: KeyRing = request.app.state.keyring

    def cursor() -> Workspace:  # only when the ring must read or write: not per request
        return ws_owner.get().cursor()

    held = ring.held()
    if held is None:
        held = await run_in_threadpool(ring.keys, cursor)
    found = match_hash(sent_hash, held)
    if found is None:
        raise _refuse(request, 401, "wrong key: it matches no working key", None)
    if ring.due(found):  # at most once a minute per key: the only write on this path
        await run_in_threadpool(_note_use, cursor, found)
    return Caller(key=found.name, roles=GRANTS[found.role], role=found.role)


def _is_env_key(settings: Settings, sent_hash: str) -> bool:
    if settings.api_key is None:
        return False
    env_key = StoredKey(ENV_KEY_NAME, "admin", hash_key(settings.api_key))
    return match_hash(sent_hash, {env_key.key_hash: env_key}) is not None


def held_caller(app: Any, headers: Mapping[str, str]) -> Caller | None:
    """The caller :func:`current_caller` finds, when it finds one from memory alone; None
    when it would read or write the keys, or refuse the call (that path then answers)."""
    settings: Settings = app.state.settings
    if settings.open:
        return Caller(key=None, roles=GRANTS["admin"], role="admin")
    sent = sent_key(headers)
    if sent is None:
        return None
    sent_hash = hash_key(sent)
    if _is_env_key(settings, sent_hash):
        return Caller(key=ENV_KEY_NAME, roles=GRANTS["admin"], role="admin")
    ring: KeyRing = app.state.keyring
    held = ring.held()
    found = None if held is None else match_hash(sent_hash, held)
    if found is None or not ring.noted(found):
        return None
    return Caller(key=found.name, roles=GRANTS[found.role], role=found.role)


def passes(caller: Caller, roles: tuple[str, ...]) -> bool:
    """Whether ``caller`` passes a guard naming ``roles`` (:func:`require_role`)."""
    wanted = {ALIASES.get(r, r) for r in roles}
    return not wanted.isdisjoint(ALIASES.get(r, r) for r in caller.roles)


def _note_use(cursor: Any, key: StoredKey) -> None:
    try:
        write_use(cursor, key)
    except Exception:  # a busy row: the time is written on a later call, the call goes on
        log.warning("could not note the use of key %r", key.name, exc_info=True)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require_role(*roles: str) -> Any:
    """A guard for a route or router, ``dependencies=[require_role("writer")]``: a caller
    whose key passes none of ``roles`` is refused (403); one without a working key, 401.
    A route only an admin may call (``require_role("admin")``) is privileged: every call
    to it, and every refused one, is written to ``audit_log``."""
    if not roles:
        raise ValueError("require_role needs at least one role")
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")

    async def guard(request: Request, caller: CurrentCaller) -> Caller:
        if not passes(caller, roles):
            need = " or ".join(roles)
            raise _refuse(request, 403, f"this key does not have the {need} role", caller.key)
        if roles == ("admin",):
            who = caller.key or OPEN_CALLER
            audit.note(request.scope, who=who, action=audit.route_action(request.scope))
        return caller

    guard.cvm_roles = roles  # type: ignore[attr-defined]
    return Depends(guard)


# A day in a query: a date within the shared range (:mod:`cvm._dates`), else 422.
AsOfQuery = Annotated[
    date | None,
    Query(
        description="A day, YYYY-MM-DD (default: the last purchase day)", examples=["2025-12-31"]
    ),
    AfterValidator(check_day),
]
