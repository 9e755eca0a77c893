"""``/v1/keys`` and ``/v1/audit``: an admin makes, lists and revokes keys, and reads the audit
log, while the service holds the workspace (the CLI's ``cvm keys`` needs it free)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from cvm.api import audit
from cvm.api.deps import WorkspaceDep, require_role
from cvm.api.keys import UnknownKeyError, create_key, list_keys, revoke_key
from cvm.api.schemas import UtcTime

router = APIRouter(tags=["keys"], dependencies=[require_role("admin")])

KeyName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="1-64 letters, digits, '.', '_' or '-'",
        examples=["shop-web"],
    ),
]


class NewKey(BaseModel):
    """A key to make: its name and role."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "shop-web", "role": "writer"}]}
    )

    name: KeyName
    role: Literal["admin", "analyst", "writer", "decider"]


class KeyInfo(BaseModel):
    """A key as listed: never its text nor its hash."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "shop-web",
                    "role": "writer",
                    "created_at": "2026-11-30T09:12:00Z",
                    "last_used_at": "2026-11-30T10:02:41Z",
                    "revoked_at": None,
                }
            ]
        }
    )

    name: str
    role: str
    created_at: UtcTime
    last_used_at: UtcTime | None = Field(description="Updated at most once a minute")
    revoked_at: UtcTime | None = Field(description="null while the key works")


class KeyList(BaseModel):
    """Every key of the workspace, oldest first."""

    keys: list[KeyInfo]


class CreatedKey(BaseModel):
    """A new key: ``key`` is shown here once and never again (only its hash is stored)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "shop-web",
                    "role": "writer",
                    "key": "cvm_q8R0yXo1b2Jm6kP4Vt9cWn3Zs5Lh7Ad0Ee2Gf4Hi6J",
                }
            ]
        }
    )

    name: str
    role: str
    key: str = Field(description="The key: store it now, it cannot be shown again")


class RevokedKey(BaseModel):
    """The key revoked, and whether it worked until this call."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "shop-web", "was_working": True}]}
    )

    name: str
    was_working: bool = Field(description="false when it had been revoked before")


class AuditEntry(BaseModel):
    """One privileged call, or one refused call to a privileged route."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ts": "2026-11-30T10:02:41Z",
                    "who": "ops",
                    "action": "DELETE /v1/keys/{name}",
                    "target": "shop-web",
                    "outcome": "ok",
                    "status": 200,
                }
            ]
        }
    )

    ts: UtcTime
    who: str | None = Field(description="The key's name; null when no key matched")
    action: str = Field(description="METHOD and route template (never a customer id)")
    target: str | None
    outcome: Literal["ok", "refused", "failed"]
    status: int | None = Field(description="The HTTP status answered; null from the CLI")


class AuditLog(BaseModel):
    """The newest audit rows, newest first."""

    entries: list[AuditEntry]


@router.post("/keys", status_code=201)
def make_key(body: NewKey, request: Request, ws: WorkspaceDep) -> CreatedKey:
    """Make a key with a role; the answer is the only place the key appears (400 when the name
    is taken)."""
    audit.set_target(request.scope, body.name)
    key = create_key(ws, body.name, body.role)
    request.app.state.keyring.invalidate()
    return CreatedKey(name=body.name, role=body.role, key=key)


@router.get("/keys")
def keys(ws: WorkspaceDep) -> KeyList:
    """Every key: name, role, created, last used, revoked."""
    return KeyList(keys=[KeyInfo.model_validate(row) for row in list_keys(ws)])


@router.delete("/keys/{name}")
def revoke(
    name: Annotated[str, Path(description="The key's name", examples=["shop-web"])],
    request: Request,
    ws: WorkspaceDep,
) -> RevokedKey:
    """Revoke a key: it is refused (401) from this answer on (404 for an unknown name)."""
    audit.set_target(request.scope, name)
    try:
        was_working = revoke_key(ws, name)
    except UnknownKeyError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    request.app.state.keyring.invalidate()
    return RevokedKey(name=name, was_working=was_working)


@router.get("/audit")
def audit_log(
    ws: WorkspaceDep,
    limit: Annotated[
        int, Query(ge=1, le=10_000, description="Rows, newest first", examples=[100])
    ] = 100,
) -> AuditLog:
    """The newest privileged calls and refusals."""
    return AuditLog(entries=[AuditEntry.model_validate(r) for r in audit.audit_entries(ws, limit)])
