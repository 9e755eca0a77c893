"""Every live profile in memory, as the bytes ``GET /v1/profiles/{id}`` sends.

A read from the database costs a query (about a millisecond, more on a busy machine); a
service answering thousands of reads a second cannot pay it. :class:`ProfileCache` holds the
stored JSON of every row of ``live_profiles`` by customer id, zlib-compressed (a 1.5 KB
profile keeps about 0.8 KB; a million of them about 0.9 GB), loaded once when the service
starts and then kept by the live refresher, which hands it each refreshed row as it writes it
(:func:`cvm.segments.live.refresh_profiles`, ``written``). An id it does not hold (not loaded
yet, merged away, erased, never seen) is not an answer: the caller reads the table instead.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["ProfileCache"]

LEVEL = 1
"""zlib level: the fastest; higher levels save little more on JSON this repetitive."""


class ProfileCache:
    """The live profiles by customer id (thread-safe; reads take no lock)."""

    def __init__(self) -> None:
        self._items: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.ready = False  # every stored row has been loaded once

    def __len__(self) -> int:
        return len(self._items)

    def get(self, customer_id: str) -> bytes | None:
        """The profile's JSON as stored, or None when this cache cannot answer for the id."""
        blob = self._items.get(customer_id)
        return None if blob is None else zlib.decompress(blob)

    def put(self, rows: Iterable[tuple[str, str]]) -> None:
        """Hold ``(customer_id, profile JSON)`` rows (a later row of an id wins)."""
        packed = [(str(c), zlib.compress(str(p).encode("utf-8"), LEVEL)) for c, p in rows]
        with self._lock:
            self._items.update(packed)

    def drop(self, customer_ids: Iterable[str]) -> None:
        """Forget these ids: their next read goes to the table (erased, merged, rebuilt)."""
        with self._lock:
            for customer_id in customer_ids:
                self._items.pop(str(customer_id), None)

    def written(self, ws: Workspace, scope: list[str], rows: list[tuple[str, str]]) -> None:
        """A refresh of ``scope`` wrote ``rows``: hold them, and forget the ids of the scope
        that got no row back and the ids merged into the scope's customers."""
        self.drop(scope)  # first: should the rest fail, their reads go to the table
        got = sorted({str(r[0]) for r in rows})
        if got:
            merged = ws.engine.rows(
                sql_file(__package__, "live_cache_merged.sql"), {"customer_ids": got}
            )
            self.drop(str(r[0]) for r in merged)
        self.put(rows)

    def load(self, ws: Workspace, *, chunk: int = 50_000) -> int:
        """Replace what is held with every stored row, read ``chunk`` rows at a time; returns
        the profiles held."""
        items: dict[str, bytes] = {}
        reader = ws.engine.batches(sql_file(__package__, "live_cache_all.sql"), rows=chunk)
        for batch in reader:
            ids = batch.column(0).to_pylist()
            texts = batch.column(1).to_pylist()
            items.update(
                (str(c), zlib.compress(t.encode("utf-8"), LEVEL))
                for c, t in zip(ids, texts, strict=True)
            )
        for c, t in ws.engine.rows(sql_file(__package__, "live_cache_twice.sql")):
            items[str(c)] = zlib.compress(str(t).encode("utf-8"), LEVEL)
        with self._lock:
            self._items = items
            self.ready = True
        return len(items)
