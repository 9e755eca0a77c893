"""What an error answer looks like, what the schema declares, and what it may not reveal.

Every error body is ``{"detail": "<one line>"}``. A body never carries an absolute path, the
interpreter or a process id: the service may be reachable by clients that must not learn
how the machine is laid out (``/api/health`` is unauthenticated).
"""

from __future__ import annotations

import re
from typing import Any

from cvm._exceptions import WorkspaceBusyError
from cvm.api.schemas import ErrorBody

__all__ = ["RESPONSES", "ErrorBody", "public_detail"]


def _answer(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# The answers every route may give besides its 200, declared in the OpenAPI schema.
RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _answer("The request is valid but the library refused it (the detail says why)"),
    401: _answer("No key, or a key that matches no working key (X-API-Key, Bearer or Basic)"),
    403: _answer("The key does not carry the role the route needs"),
    404: _answer("Unknown customer, run or resource"),
    422: _answer("A malformed parameter (the detail names it)"),
    503: _answer("The workspace is missing or busy; retry shortly"),
}

_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[\\/][^\s'\"]*")
_PID = re.compile(r"\s*\(?\bPID\s*\d+\)?", re.IGNORECASE)


def public_detail(exc: Exception) -> str:
    """The error's message without paths or process ids (a path keeps its last part)."""
    if isinstance(exc, WorkspaceBusyError):
        return "the workspace is busy: another process is writing to it; retry shortly"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = _PID.sub("", text)
    return _PATH.sub(lambda m: m.group(0).rstrip("/\\").rsplit("/", 1)[-1] or "/", text)
