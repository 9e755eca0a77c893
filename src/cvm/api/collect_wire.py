"""Segment's HTTP Tracking API on the wire: bodies, size limits, batch envelopes.

A request becomes a :class:`Parcel`: its messages as JSON lines ready for the events load
(one message a line, ``type`` set by the endpoint, the batch envelope's ``context`` and
``sentAt`` merged in, ``receivedAt`` stamped) and the messages refused before any parsing
(larger than 32 KB, not an object), each with its position in the request. A body that
cannot be read at all (over 500 KB, bad gzip, not JSON) is one refused message. Segment
answers both cases ``400 Bad Request``; the readable messages of a batch are kept.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

__all__ = [
    "BATCH_BYTES",
    "MESSAGE_BYTES",
    "SINGLE_TYPES",
    "BodyError",
    "Parcel",
    "parse_body",
    "read_body",
    "refused_body",
]

MESSAGE_BYTES = 32 * 1024
"""Segment's limit on one message (a single call, or one element of a batch)."""
BATCH_BYTES = 500 * 1024
"""Segment's limit on one batch request, after gzip is undone."""
SINGLE_TYPES = ("track", "identify", "page", "screen", "group", "alias")
"""The endpoints that carry one message of their own type."""
RAW_KEPT = MESSAGE_BYTES
"""The most of an unreadable body kept in ``rejected_rows``."""


class BodyError(ValueError):
    """A body that cannot be read as one request (the message is the reason)."""

    def __init__(self, reason: str, raw: bytes = b"") -> None:
        super().__init__(reason)
        self.raw = raw


@dataclass
class Parcel:
    """One request's messages: ``lines[i] = (position, json text)`` to load, and
    ``refused[i] = (position, raw text, reason)`` refused on the wire."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines) + len(self.refused)


async def read_body(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The request body, refused once it grows past ``limit`` bytes (never held whole)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            kept = b"".join(parts)[:RAW_KEPT]
            raise BodyError(f"request body larger than {limit // 1024} KB", kept)
        parts.append(chunk)
    return b"".join(parts)


def _gunzip(body: bytes, limit: int) -> bytes:
    """A gzip body undone, refused once it unpacks past ``limit`` (a small bomb stays small)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BodyError(f"Content-Encoding is gzip but the body is not: {exc}") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise BodyError(f"request body larger than {limit // 1024} KB", data[:RAW_KEPT])
    if not inflater.eof:
        raise BodyError("Content-Encoding is gzip but the body is cut short", data[:RAW_KEPT])
    return data


def _merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """``own`` over ``base``, nested objects merged (a message's own values win); a new dict,
    its keys in the order of ``base`` then those ``own`` adds."""
    merged = {**base, **own}
    for key in base.keys() & own.keys():
        if isinstance(own[key], dict) and isinstance(base[key], dict):
            merged[key] = _merge(base[key], own[key])
    return merged


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _content_id(message: dict[str, Any]) -> str:
    """An id for a message sent without ``messageId``: a hash of what its sender wrote."""
    own = {k: v for k, v in message.items() if k not in ("sentAt", "receivedAt", "messageId")}
    text = json.dumps(own, sort_keys=True, separators=(",", ":"), default=str)
    return "http-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _load(data: bytes) -> tuple[Any, bool]:
    """The body's document, and whether it was read by the fast parser (orjson).

    orjson refuses what the standard parser takes (NaN and Infinity, numbers that overflow,
    lone surrogates, very deep nesting, other encodings than UTF-8): such a body is read again
    by the standard parser, and its messages are written by it too, so they are refused or
    kept exactly as before. A document orjson read holds only finite numbers and valid text.
    """
    try:
        return orjson.loads(data), True
    except orjson.JSONDecodeError:
        return json.loads(data), False


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def parse_body(body: bytes, *, kind: str, gzipped: bool, now: datetime | None = None) -> Parcel:
    """The messages of one request to ``/v1/<kind>`` (``batch``/``import``: an envelope).

    Raises :class:`BodyError` when the body as a whole is unreadable.
    """
    limit = BATCH_BYTES if kind in ("batch", "import") else MESSAGE_BYTES
    data = _gunzip(body, limit) if gzipped else body
    if len(data) > limit:
        raise BodyError(f"request body larger than {limit // 1024} KB", data[:RAW_KEPT])
    try:
        doc, fast = _load(data)
    except (ValueError, RecursionError) as exc:
        raise BodyError(f"invalid JSON: {str(exc)[:120]}", data[:RAW_KEPT]) from None
    if not isinstance(doc, dict):
        raise BodyError("the body is not a JSON object", data[:RAW_KEPT])
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if kind in SINGLE_TYPES:
        items: list[Any] = [{**doc, "type": kind}]
        envelope: dict[str, Any] = {}
    else:
        batch = doc.get("batch")
        if not isinstance(batch, list):
            raise BodyError('a batch body needs "batch": a list of messages', data[:RAW_KEPT])
        items = batch
        envelope = {k: v for k, v in doc.items() if k not in ("batch", "writeKey")}
    parcel = Parcel()
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            parcel.refused.append((position, _text(item)[:RAW_KEPT], "not a JSON object"))
            continue
        own = dict(item)
        own.pop("writeKey", None)
        message = _merge(envelope, own) if envelope else own
        if not message.get("messageId"):  # a resent copy gets the same id (sentAt aside)
            message["messageId"] = _content_id(message)
        message.setdefault("receivedAt", stamp)
        if "batch" in item:
            parcel.refused.append((position, _text(item)[:RAW_KEPT], "a batch inside a message"))
            continue
        try:
            text = orjson.dumps(message).decode() if fast else _text(message)
        except (ValueError, TypeError):  # NaN or Infinity: not JSON
            parcel.refused.append((position, repr(item)[:RAW_KEPT], "not valid JSON"))
            continue
        # the line holds more than the message (envelope, receivedAt, escapes): measure the
        # message itself only when the line is near the limit (in bytes: the text may hold
        # characters that take more than one)
        if len(text) > (MESSAGE_BYTES - 1024) // 4 and _size(item) > MESSAGE_BYTES:
            reason = f"message larger than {MESSAGE_BYTES // 1024} KB"
            parcel.refused.append((position, _text(item)[:RAW_KEPT], reason))
        else:
            parcel.lines.append((position, text))
    return parcel


def refused_body(error: BodyError) -> Parcel:
    """An unreadable body as one refused message, kept with its first bytes."""
    raw = error.raw.decode("utf-8", "replace")
    return Parcel(refused=[(0, raw, str(error))])
