"""The two busiest routes answered ahead of the framework, when the answer is in memory.

``POST /v1/decisions`` and ``GET /v1/profiles/{id}`` are most of a served workspace's
traffic, and through FastAPI's whole stack (its middlewares, matching among every route,
solving the dependencies) a request cost as much again as its answer. :class:`HotRoutes`,
the outermost middleware, answers a request to either at once in the plain case only: a key
held in memory that passes the route's guard (:func:`cvm.api.deps.held_caller`), a small JSON
body that validates, a customer held in memory, no ``Origin`` (CORS) header. Everything else
(no key, a wrong role, a body that does not validate, an anonymous id, a customer not in
memory, HEAD, a cross-origin call) goes on to the app, body and all, which answers it as its
routes declare (401, 403, 422, 404, the table path). The answers are the routes' own bytes:
both make them with the same functions (:func:`cvm.api.routes.decisions.decide_in_memory`,
the profile cache), and the OpenAPI document still describes the routes.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cvm.api.deps import held_caller, passes
from cvm.api.routes.decisions import decide_in_memory

__all__ = ["HotRoutes"]

DECISIONS = "/v1/decisions"
PROFILES = "/v1/profiles/"
MAX_BODY = 64 * 1024
"""A bigger decision request goes the framework's way (and its size limits)."""
DECISION_ROLES = ("decider",)
PROFILE_ROLES = ("decider", "analyst")
"""The guards of the two routers (cvm.api.main): kept equal by a test."""
_JSON = (b"content-type", b"application/json")


class HotRoutes:
    """Answers the plain cases of the two hot routes; passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path, method = scope["path"], scope["method"]
            if method == "POST" and path == DECISIONS:
                await self._decision(scope, receive, send)
                return
            if method == "GET" and path.startswith(PROFILES):
                customer_id = path[len(PROFILES) :]
                if (
                    customer_id
                    and "/" not in customer_id
                    and await self._profile(scope, send, customer_id)
                ):
                    return
        await self.app(scope, receive, send)

    def _caller_passes(self, scope: Scope, headers: Headers, roles: tuple[str, ...]) -> bool:
        if "origin" in headers:
            return False
        caller = held_caller(scope["app"], headers)
        return caller is not None and passes(caller, roles)

    async def _profile(self, scope: Scope, send: Send, customer_id: str) -> bool:
        headers = Headers(scope=scope)
        if not self._caller_passes(scope, headers, PROFILE_ROLES):
            return False
        live = getattr(scope["app"].state, "live", None)
        found = None if live is None else live.cache.get(customer_id)
        if found is None:
            return False
        await _send_json(send, found)
        return True

    async def _decision(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        plain = (
            length is not None
            and length.isdigit()
            and int(length) <= MAX_BODY
            and "content-encoding" not in headers
            and headers.get("content-type", "").split(";")[0].strip() == "application/json"
            and self._caller_passes(scope, headers, DECISION_ROLES)
        )
        if not plain:
            await self.app(scope, receive, send)
            return
        body, more = await _read(receive)
        answer = None if more is not None else decide_in_memory(scope["app"], body)
        if answer is not None:
            await _send_json(send, answer)
            return
        await self.app(scope, _replay(body, more, receive), send)


async def _read(receive: Receive) -> tuple[bytes, Message | None]:
    """The request's body; and the message that ended the reading when it was not the
    body's last part (a disconnect), for the app to receive."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), message
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), None


def _replay(body: bytes, more: Message | None, receive: Receive) -> Receive:
    """A receive that gives the body already read, then goes on with ``receive``."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if more is not None:
        pending = [{"type": "http.request", "body": body, "more_body": True}, more]

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


async def _send_json(send: Send, body: bytes) -> None:
    # the headers Starlette's Response(media_type="application/json") sends
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-length", str(len(body)).encode("latin-1")), _JSON],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})
