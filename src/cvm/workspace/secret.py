"""The workspace's erasure key: a random secret in a file beside the database, never inside it.

The erasure log and the list of erased identifiers hold HMAC-SHA256 digests under this key, so
a copy of the database alone (a backup, a replica, a leaked file) cannot be tested against
guessed e-mail addresses or ids. Losing the key loses the ability to recognise erased
customers at ingest: back it up with the database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cvm._exceptions import WorkspaceError

KEY_NAME = "erasure.key"
_KEY_BYTES = 32


def erasure_key(root: Path, *, create: bool = False) -> bytes | None:
    """The key of the workspace in ``root``; made (mode 0600) when missing and ``create``.

    Returns ``None`` when there is no key and ``create`` is false. Two processes creating it at
    once agree on one key: the file appears with its content complete, or not at all.
    """
    path = root / KEY_NAME
    if path.exists():
        return _read(path)
    if not create:
        return None
    key = secrets.token_bytes(_KEY_BYTES)
    tmp = root / f".{KEY_NAME}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic, and never replaces a key another process made
        except FileExistsError:
            return _read(path)
    finally:
        tmp.unlink(missing_ok=True)
    return key


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise WorkspaceError(
            f"{path} is not an erasure key (64 hex digits expected): restore it from a backup"
        )
    return key


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer pads of HMAC-SHA256 (RFC 2104), for hashing in SQL."""
    block = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)
