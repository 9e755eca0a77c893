"""``/v1/*``: event collection on Segment's HTTP Tracking API (and RudderStack's, the same).

``POST /v1/track|identify|page|screen|group|alias`` take one message, ``/v1/batch`` and
``/v1/import`` a batch envelope. The write key is the user name of HTTP Basic, as Segment's
clients send it. A body may be gzip (``Content-Encoding: gzip``). Answers, as Segment's:
``200 {"success": true}`` once every message is committed; ``400`` with a ``code`` and
``message`` (what Segment's clients read) when a message or the body is refused, the other
messages of the batch being stored; ``429`` with ``Retry-After`` when the queue is full.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from cvm._exceptions import CvmError
from cvm.api.collect import Collector, QueueFullError, Receipt
from cvm.api.collect_wire import (
    BATCH_BYTES,
    MESSAGE_BYTES,
    SINGLE_TYPES,
    BodyError,
    parse_body,
    read_body,
    refused_body,
)
from cvm.api.errors import public_detail
from cvm.api.schemas import Answer, ErrorBody

router = APIRouter(tags=["collect"])
log = logging.getLogger("cvm.collect")

MAX_REASONS = 20
"""Refused messages listed in one 400 answer (all of them are in ``rejected_rows``)."""


class Accepted(Answer):
    """Every message of the request is committed (or was already: same ``messageId``)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{"success": True}]})

    success: bool = True


class Refused(ErrorBody):
    """Some messages (or the whole body) were refused; the others are committed."""

    success: bool = False
    code: str
    message: str
    rejected: list[dict[str, Any]] = Field(default_factory=list)


RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Refused, "description": "A message or the body refused (the rest stored)"},
    401: {"model": ErrorBody, "description": "Missing or wrong write key"},
    403: {"model": ErrorBody, "description": "The key does not carry the writer role"},
    429: {"model": ErrorBody, "description": "Too many events waiting; see Retry-After"},
    503: {"model": ErrorBody, "description": "The workspace is missing or busy; retry shortly"},
}


def _refused(code: str, message: str, rejected: list[dict[str, Any]]) -> JSONResponse:
    body = Refused(detail=message, code=code, message=message, rejected=rejected)
    return JSONResponse(status_code=400, content=body.model_dump())


def _answer(receipt: Receipt, count: int) -> JSONResponse:
    if not receipt.refused:
        return JSONResponse(content={"success": True})
    listed = [{"index": i, "reason": r} for i, r in receipt.refused[:MAX_REASONS]]
    first = receipt.refused[0]
    message = (
        f"{len(receipt.refused)} of {count} messages refused (kept in rejected_rows, load "
        f"{receipt.load_id}); message {first[0]}: {first[1]}"
    )
    return _refused("invalid_request", message, listed)


async def collect(request: Request, kind: str) -> JSONResponse:
    """Read, queue and wait for the commit of one request's messages."""
    collector: Collector = request.app.state.collector
    gzipped = request.headers.get("content-encoding", "").strip().lower() == "gzip"
    limit = BATCH_BYTES if kind in ("batch", "import") else MESSAGE_BYTES
    body_error: BodyError | None = None
    try:
        body = await read_body(request.stream(), limit * 4 if gzipped else limit)
        parcel = parse_body(body, kind=kind, gzipped=gzipped)
    except BodyError as exc:
        body_error = exc
        parcel = refused_body(exc)
    if not len(parcel):
        return JSONResponse(content={"success": True})  # an empty batch: nothing to store
    try:
        future = collector.submit(parcel)
    except QueueFullError as exc:
        return JSONResponse(
            status_code=429,
            content={"detail": str(exc), "code": "too_many_requests", "message": str(exc)},
            headers={"Retry-After": str(exc.retry_after)},
        )
    try:
        receipt = await asyncio.wrap_future(future)
    except CvmError:
        raise  # the service's handler: 503 for a busy or missing workspace, 400 otherwise
    except Exception as exc:  # not stored: the client must send again
        log.warning("collected events not stored: %s", exc)
        detail = f"the events were not stored ({public_detail(exc)}); send them again"
        return JSONResponse(
            status_code=503,
            content={"detail": detail, "code": "unavailable", "message": detail},
            headers={"Retry-After": "1"},
        )
    if body_error is not None:
        message = f"{body_error} (kept in rejected_rows, load {receipt.load_id})"
        return _refused("invalid_request", message, [{"index": 0, "reason": str(body_error)}])
    return _answer(receipt, len(parcel))


_ORDER = {
    "type": "track",
    "userId": "0042",
    "event": "Order Completed",
    "properties": {"order_id": "1001", "revenue": 59.9, "currency": "USD"},
    "messageId": "m-0001",
    "timestamp": "2026-11-29T10:00:00Z",
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "track": _ORDER,
    "identify": {"type": "identify", "userId": "0042", "messageId": "m-0002",
                 "traits": {"email": "ada@example.org"}},
    "page": {"type": "page", "anonymousId": "a-77", "name": "Pricing", "messageId": "m-0003"},
    "screen": {"type": "screen", "userId": "0042", "name": "Cart", "messageId": "m-0004"},
    "group": {"type": "group", "userId": "0042", "groupId": "acme", "messageId": "m-0005"},
    "alias": {"type": "alias", "previousId": "a-77", "userId": "0042", "messageId": "m-0006"},
    "batch": {"batch": [_ORDER], "sentAt": "2026-11-29T10:00:01Z"},
    "import": {"batch": [_ORDER], "sentAt": "2026-11-29T10:00:01Z"},
}  # fmt: skip
"""A request body per route, as Segment's clients send it (shown in the OpenAPI document)."""


def _route(kind: str, summary: str) -> None:
    async def endpoint(request: Request) -> JSONResponse:
        return await collect(request, kind)

    endpoint.__name__ = f"collect_{kind}"
    endpoint.__doc__ = summary
    router.add_api_route(
        f"/{kind}",
        endpoint,
        methods=["POST"],
        response_model=Accepted,
        responses=RESPONSES,
        summary=summary.split(".")[0],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object"}, "example": EXAMPLES[kind]}
                },
            }
        },
    )


for _kind in SINGLE_TYPES:
    _route(_kind, f"One {_kind} message (Segment spec). 200 once committed.")
_route("batch", "A batch envelope {batch: [...], context, sentAt}. 200 once all are committed.")
_route("import", "The same as /v1/batch (Segment's name for historical imports).")

__all__ = ["router"]
