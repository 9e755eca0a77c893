"""Every live profile in memory, as the bytes ``GET /v1/profiles/{id}`` sends.

A read from the database costs a query (about a millisecond, more on a busy machine); a
service answering thousands of reads a second cannot pay it. :class:`ProfileCache` holds the
stored JSON of every row of ``live_profiles`` by customer id, zstd-compressed with a
dictionary trained on the profiles themselves at load (they share their keys and most of
their values: a 3 KB profile keeps about 0.2 KB, a million of them about 0.2 GB; compressing
one costs ~10 us and reading one back ~4 us, a tenth and a quarter of zlib's), loaded once
when the service starts and then kept by the live refresher, which hands it each refreshed
row as it writes it (:func:`cvm.segments.live.refresh_profiles`, ``written``). An id it does
not hold (not loaded yet, merged away, erased, never seen) is not an answer: the caller reads
the table instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

import zstandard

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["ProfileCache"]

LEVEL = 3
"""zstd level: with a dictionary, as fast as level 1 and a tenth smaller."""
DICT_BYTES = 64 * 1024
SAMPLES = 2_000
"""Profiles the dictionary is trained on (spread over the table); fewer than
:data:`MIN_SAMPLES` stored profiles are compressed without one."""
MIN_SAMPLES = 200


class _Codec:
    """A zstd compressor and per-thread decompressors sharing one dictionary (zstd's
    objects are not thread-safe)."""

    def __init__(self, samples: list[bytes]) -> None:
        self.dictionary: zstandard.ZstdCompressionDict | None = None
        if len(samples) >= MIN_SAMPLES:
            try:
                self.dictionary = zstandard.train_dictionary(
                    DICT_BYTES, list[bytes | bytearray | memoryview](samples)
                )
            except zstandard.ZstdError:  # too little to learn from: no dictionary
                self.dictionary = None
        self._compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=self.dictionary)
        self._lock = threading.Lock()
        self._local = threading.local()

    def compress_all(self, texts: Iterable[bytes]) -> list[bytes]:
        # zstd hands back its output in a buffer sized for the worst case and shrunk: kept
        # as it is, a million of them hold the memory of the uncompressed profiles (the freed
        # tails fit no later buffer); an exact copy lets the next call reuse the buffer
        with self._lock:
            return [bytes(memoryview(self._compressor.compress(t))) for t in texts]

    def decompress(self, blob: bytes) -> bytes:
        d: zstandard.ZstdDecompressor | None = getattr(self._local, "d", None)
        if d is None:
            d = self._local.d = zstandard.ZstdDecompressor(dict_data=self.dictionary)
        return d.decompress(blob)


class ProfileCache:
    """The live profiles by customer id (thread-safe; reads take no lock)."""

    def __init__(self) -> None:
        # the blobs and the codec that made them, swapped together by a reload
        self._held: tuple[dict[str, bytes], _Codec] = ({}, _Codec([]))
        self._lock = threading.Lock()
        self.ready = False  # every stored row has been loaded once

    def __len__(self) -> int:
        return len(self._held[0])

    def get(self, customer_id: str) -> bytes | None:
        """The profile's JSON as stored, or None when this cache cannot answer for the id."""
        items, codec = self._held
        blob = items.get(customer_id)
        return None if blob is None else codec.decompress(blob)

    def put(self, rows: Iterable[tuple[str, str]]) -> None:
        """Hold ``(customer_id, profile JSON)`` rows (a later row of an id wins)."""
        rows = list(rows)
        with self._lock:
            items, codec = self._held
            blobs = codec.compress_all(str(p).encode("utf-8") for _, p in rows)
            items.update(zip((str(c) for c, _ in rows), blobs, strict=True))

    def drop(self, customer_ids: Iterable[str]) -> None:
        """Forget these ids: their next read goes to the table (erased, merged, rebuilt)."""
        with self._lock:
            for customer_id in customer_ids:
                self._held[0].pop(str(customer_id), None)

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
        the profiles held. The dictionary is trained on a spread of the first chunk."""
        items: dict[str, bytes] = {}
        codec: _Codec | None = None
        reader = ws.engine.batches(sql_file(__package__, "live_cache_all.sql"), rows=chunk)
        for batch in reader:
            ids = batch.column(0).to_pylist()
            texts = [t.encode("utf-8") for t in batch.column(1).to_pylist()]
            if codec is None:
                codec = _Codec(texts[:: max(1, len(texts) // SAMPLES)])
            items.update(zip(map(str, ids), codec.compress_all(texts), strict=True))
        codec = codec or _Codec([])
        twice = ws.engine.rows(sql_file(__package__, "live_cache_twice.sql"))
        blobs = codec.compress_all(str(t).encode("utf-8") for _, t in twice)
        items.update(zip((str(c) for c, _ in twice), blobs, strict=True))
        with self._lock:
            self._held = (items, codec)
            self.ready = True
        return len(items)
