"""The audit trail: who called a privileged route (or tried to), what, when, and the outcome.

A route only an admin may call (erasure, keys, jobs) is privileged. Its guard notes the call
in the request (:func:`note`); :class:`AuditMiddleware` writes the note to ``audit_log`` with
the status answered, before the answer leaves, so a client never sees an answer whose audit
row is missing. The action is the route's template (``POST /v1/privacy/erase/{customer_id}``),
never the path sent: an erasure's row holds no customer id. The CLI's key commands write their
own rows (:func:`record`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, MutableMapping, Receive, Scope, Send

from cvm.engines import sql_file
from cvm.workspace import Workspace

__all__ = [
    "AuditMiddleware",
    "audit_entries",
    "matched_route",
    "note",
    "outcome_of",
    "record",
    "route_action",
]

log = logging.getLogger(__name__)

_NOTES = "cvm.audit"  # the scope key holding this request's notes (a list shared by copies)


@dataclass
class Note:
    """A privileged call waiting for its answer's status."""

    who: str | None
    action: str
    target: str | None = None


def route_action(scope: MutableMapping[str, Any]) -> str:
    """``METHOD /route/{template}`` of the request: the path with its parameters as their
    names (its path only when no route matched)."""
    path = str(scope.get("path", "?"))
    return f"{scope.get('method', '?')} {_template(matched_route(scope), path)}"


def matched_route(scope: MutableMapping[str, Any]) -> Any:
    """The route that answers this request, with its full path and every dependency (those of
    the routers that include it too). FastAPI before 0.16x copies an included route with all
    of that into ``scope["route"]``; later versions keep it in their own part of the scope."""
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    if getattr(effective, "dependant", None) is not None:
        return effective
    return scope.get("route")


def _template(route: Any, path: str) -> str:
    template = getattr(route, "path_format", None)
    regex = getattr(route, "path_regex", None)
    if template is None or regex is None:
        return path
    # a route of an included router may know only its own part (``/keys/{name}``): the
    # prefix is the part of the path before where the route's pattern matches
    for start in (0, *(i for i, c in enumerate(path) if c == "/" and i)):
        if regex.fullmatch(path[start:]):
            return path[:start] + template
    return path


def note(scope: MutableMapping[str, Any], *, who: str | None, action: str) -> None:
    """Mark this request for the audit log (once, whatever notes it again)."""
    notes = scope.get(_NOTES)
    if notes is not None and not notes:
        notes.append(Note(who=who, action=action))


def set_target(scope: MutableMapping[str, Any], target: str) -> None:
    """Name what the privileged call acted on (a key's name; never a customer id)."""
    for item in scope.get(_NOTES) or ():
        item.target = target


def outcome_of(status: int | None) -> str:
    """ok (2xx/3xx), refused (401/403) or failed (anything else)."""
    if status is None or status < 400:
        return "ok"
    return "refused" if status in (401, 403) else "failed"


def record(
    ws: Workspace,
    *,
    who: str | None,
    action: str,
    target: str | None = None,
    status: int | None = None,
    outcome: str | None = None,
) -> None:
    """Write one row to ``audit_log``."""
    ws.engine.run(
        sql_file(__package__, "audit_insert.sql"),
        {
            "ts": datetime.now(UTC).replace(tzinfo=None),
            "who": who,
            "action": action,
            "target": target,
            "outcome": outcome or outcome_of(status),
            "status": status,
        },
    )


def audit_entries(ws: Workspace, limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` rows of ``audit_log``, newest first."""
    columns = ("ts", "who", "action", "target", "outcome", "status")
    rows = ws.engine.rows(sql_file(__package__, "audit_list.sql"), {"limit": limit})
    return [dict(zip(columns, row, strict=True)) for row in rows]


class AuditMiddleware:
    """Writes the notes of a request to ``audit_log`` as its answer starts (or on a crash)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        notes: list[Note] = []
        scope[_NOTES] = notes
        done = False

        async def write(status: int) -> None:
            nonlocal done
            if notes and not done:
                done = True
                await anyio.to_thread.run_sync(_write, scope, notes, status)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                await write(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            await write(500)
            raise


def _write(scope: Scope, notes: list[Note], status: int) -> None:
    try:
        ws = scope["app"].state.owner.get().cursor()
        try:
            for item in notes:
                record(ws, who=item.who, action=item.action, target=item.target, status=status)
        finally:
            ws.close()
    except Exception:  # the call has been made: its answer still goes out, the miss is logged
        log.exception("could not write the audit row of %s", [n.action for n in notes])
