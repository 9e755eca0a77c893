"""``/v1/profiles/{id}``: the live 360 profile with scores, and its event history.

A profile is answered from the service's copy of ``live_profiles`` in memory, the stored JSON
sent as it is, on the event loop (:class:`cvm.segments.live_cache.ProfileCache`, which the
after-commit hook keeps fresh: :class:`cvm.segments.live_worker.LiveRefresher`). An id the
copy does not hold is read from the table in a worker thread: an id merged into another
answers with the survivor's profile; an id with data but no row yet is refreshed on the spot;
an unknown or erased id is a 404.
"""

from __future__ import annotations

import base64
import binascii
import json
from contextlib import suppress
from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from cvm._exceptions import DataError
from cvm.api.deps import WorkspaceDep
from cvm.api.profile_schemas import LiveProfile, ProfileEvents
from cvm.api.serialize import records
from cvm.ingest import erased
from cvm.ingest.identity import resolve_customer_id
from cvm.segments.live import profile_events, read_profile_json
from cvm.segments.live_worker import LiveRefresher
from cvm.workspace import Workspace

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])

CustomerPath = Annotated[
    str, Path(examples=["C0000008"], description="A customer id, or an id merged into one")
]
CursorQuery = Annotated[
    str | None,
    Query(
        description="The `next` link's cursor (omit for the first page)",
        examples=["WyIyMDI1LTEyLTMwIDEwOjAwOjAwIiwgIm0tMDAwMSJd"],
    ),
]
LimitQuery = Annotated[int, Query(ge=1, le=1000, description="Events per page", examples=[50])]


def _unknown(customer_id: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"unknown customer {customer_id!r}")


def _erased(ws: Workspace, customer_id: str) -> bool:
    """Whether ``customer_id`` is an identifier of an erased customer (never rebuilt)."""
    if not erased.install(ws.engine):
        return False  # nobody was ever erased
    try:
        return erased.is_erased(ws.engine, customer_id)
    finally:
        erased.uninstall(ws.engine)


def live_profile(request: Request, ws: Workspace, customer_id: str) -> tuple[str, str]:
    """(customer id, stored JSON) of the profile behind ``customer_id``; 404 when none."""
    text = read_profile_json(ws, customer_id)
    if text is not None:
        return customer_id, text
    if _erased(ws, customer_id):
        raise _unknown(customer_id)
    survivor = resolve_customer_id(ws, "user", customer_id) or customer_id
    if survivor != customer_id:
        text = read_profile_json(ws, survivor)
        if text is not None:
            return survivor, text
    refresher: LiveRefresher = request.app.state.live
    # a conflict means the worker refreshed the same customer at the same moment; a DataError,
    # that the workspace holds nothing yet to build a profile from
    with suppress(ws.engine.error, DataError):
        refresher.refresh(ws, [survivor])
    text = read_profile_json(ws, survivor)
    if text is None:
        raise _unknown(customer_id)
    return survivor, text


@router.get("/{customer_id}", response_model=LiveProfile)
async def profile(customer_id: CustomerPath, request: Request) -> Response:
    """The customer's live profile: scores with the newest fitted model (or why there are
    none), lifecycle stage, profile-only rule segments, consent and every id merged into it."""
    refresher: LiveRefresher = request.app.state.live
    found = refresher.cache.get(customer_id)
    if found is None:
        found = await run_in_threadpool(_from_table, request, refresher, customer_id)
    return Response(found, media_type="application/json")


def _from_table(request: Request, refresher: LiveRefresher, customer_id: str) -> bytes:
    return live_profile(request, refresher.reader(), customer_id)[1].encode("utf-8")


def _cursor(text: str | None) -> tuple[datetime, str] | None:
    if text is None:
        return None
    try:
        ts, message_id = json.loads(base64.urlsafe_b64decode(text.encode("ascii")))
        return datetime.fromisoformat(str(ts)), str(message_id)
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise HTTPException(
            status_code=422, detail="cursor: not a cursor this service made; use the next link"
        ) from None


@router.get("/{customer_id}/events")
def events(
    customer_id: CustomerPath,
    request: Request,
    ws: WorkspaceDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> ProfileEvents:
    """The customer's events, newest first, ``limit`` a page; follow ``next`` for older ones."""
    after = _cursor(cursor)
    survivor, _ = live_profile(request, ws, customer_id)
    page, following = profile_events(ws, survivor, limit=limit, after=after)
    rows = records(page)
    for row in rows:
        for key in ("properties", "context"):
            row[key] = json.loads(row[key]) if isinstance(row[key], str) else row[key]
    link = None
    if following is not None:
        token = json.dumps([following[0].isoformat(), following[1]]).encode("utf-8")
        query = urlencode({"limit": limit, "cursor": base64.urlsafe_b64encode(token).decode()})
        link = f"/v1/profiles/{quote(customer_id, safe='')}/events?{query}"
    return ProfileEvents.model_validate({"customer_id": survivor, "events": rows, "next": link})
