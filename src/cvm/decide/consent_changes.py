"""Consent that changed since the real-time snapshot was built.

The snapshot holds every customer's consent as of its build, inside its policy reasons
(``no_consent``). A decision must honour a withdrawal (or an erasure) long before the next
snapshot, without reading a table per decision: the service reads the consent of the
customers each committed batch touched (:meth:`ConsentChanges.read`), and decisions look it
up here. A snapshot begun after a change reads it from the table, so changes older than the
snapshot's start are let go (:meth:`ConsentChanges.keep_since`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["CONSENT_COLUMNS", "ConsentChanges"]

CONSENT_COLUMNS = {"email": 0, "sms": 1, "push": 2}
"""A channel's place in realtime_consents.sql's flags; any other channel reads ``mail``'s."""


class ConsentChanges:
    """customer id -> (when read, consent flags or None when the customer has no record)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[datetime, tuple[bool, ...] | None]] = {}
        self._lock = threading.Lock()

    def read(self, ws: Workspace, customer_ids: Iterable[str], now: datetime) -> None:
        """Read the stored consent of ``customer_ids`` (one query)."""
        ids = sorted({str(c) for c in customer_ids if c})
        if not ids:
            return
        rows = ws.engine.rows(sql_file(__package__, "realtime_consents.sql"), {"customer_ids": ids})
        found = {str(r[0]): tuple(bool(v) for v in r[1:]) for r in rows}
        with self._lock:
            for cid in ids:
                self._items[cid] = (now, found.get(cid))

    def allows(self, customer_id: str, channel: str) -> bool | None:
        """The consent read since the snapshot (no record: False); None when none was read."""
        found = self._items.get(customer_id)
        if found is None:
            return None
        flags = found[1]
        return flags is not None and flags[CONSENT_COLUMNS.get(channel, 3)]

    def keep_since(self, start: datetime) -> None:
        """Let go of what was read by ``start`` (a snapshot begun then read it after)."""
        with self._lock:
            self._items = {c: v for c, v in self._items.items() if v[0] > start}
