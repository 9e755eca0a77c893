"""``/v1/privacy``: a customer's data on request (access) and erasure, for ``admin`` keys.

The identifier travels in the body, never in the URL, so that no access log holds it; nothing
here logs it either. Over HTTP an erasure deletes and redacts at once; the database file is
rebuilt without the erased bytes when the server stops (the server holds the file; the
rebuild swaps it), or at once by ``cvm privacy compact`` with the server stopped.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request

from cvm._exceptions import DataError
from cvm.api.deps import WorkspaceDep
from cvm.api.schemas_reads import ErasureResult, PrivacyExport, PrivacyRequest

router = APIRouter(tags=["privacy"])

COMPACTION = "when the server stops (or `cvm privacy compact` while it is stopped)"


def _unknown(exc: DataError) -> HTTPException | None:
    text = str(exc)
    return HTTPException(404, detail=text) if text.startswith("unknown customer") else None


@router.post("/privacy/export")
def export(body: PrivacyRequest, ws: WorkspaceDep) -> PrivacyExport:
    """Every stored row about the customer, by table, as `cvm privacy export` writes it
    (404 for an unknown or erased identifier)."""
    from cvm.privacy import export_customer

    try:
        data = export_customer(ws, body.customer)
    except DataError as exc:
        raise (_unknown(exc) or exc) from None
    return PrivacyExport(tables=json.loads(json.dumps(data, default=str)))


@router.post("/privacy/erase")
def erase(request: Request, body: PrivacyRequest, ws: WorkspaceDep) -> ErasureResult:
    """Forget the customer: every row about them, mentions in other rows and derived files;
    ingest refuses their identifiers from then on (404 when unknown)."""
    from cvm.privacy import erase_customers

    try:
        (done,) = erase_customers(ws, [body.customer], compact=False)
    except DataError as exc:
        raise (_unknown(exc) or exc) from None
    request.app.state.jobs.erased()  # the file is rebuilt when the server stops
    request.app.state.live.cache.drop([done.customer_id])  # its profile is no longer sent
    decider = getattr(request.app.state, "decider", None)
    if decider is not None:  # no record, no consent: never offered again
        decider.consent_changed(ws, [done.customer_id], erased=True)
    return ErasureResult(
        customer_id=done.customer_id,
        rows=dict(done),
        redacted=done.redacted,
        files_redacted=len(done.files.redacted),
        files_removed=len(done.files.removed),
        files_not_ours=len(done.files.not_ours),
        identifiers=done.identifiers,
        compaction=COMPACTION,
    )
