"""The service's keys: made with a role, shown once, stored as SHA-256 only, revoked by name.

A key is random text (``cvm_`` and 43 URL-safe characters, so it can be an HTTP Basic user
name). The workspace keeps its hash in ``api_keys``; :class:`KeyRing` is the service's copy of
the working hashes in memory, read once and again after a key changes through the service. A
sent key is hashed (SHA-256), looked up by its hash and confirmed in constant time
(:func:`hmac.compare_digest`): the hash of a guess says nothing of how close the guess came.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cvm._exceptions import CvmError
from cvm.engines import sql_file
from cvm.workspace import Workspace

__all__ = [
    "KEY_ROLES",
    "KeyRing",
    "StoredKey",
    "UnknownKeyError",
    "create_key",
    "hash_key",
    "list_keys",
    "revoke_key",
    "write_use",
]

KEY_ROLES = ("admin", "analyst", "writer", "decider")
"""The roles a key is made with (what each may do: :data:`cvm.api.deps.GRANTS`)."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_USED_EVERY = 60.0  # seconds between two writes of a key's last_used_at


class UnknownKeyError(CvmError):
    """No key has that name."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def hash_key(key: str | bytes) -> str:
    """SHA-256 of the key's text, hex: what the workspace stores instead of the key."""
    data = key if isinstance(key, bytes) else key.encode("utf-8", "surrogateescape")
    return hashlib.sha256(data).hexdigest()


def create_key(ws: Workspace, name: str, role: str) -> str:
    """Make a key called ``name`` with ``role`` and return it: the only time it is shown.

    A name must be new (a revoked key keeps its name) and 1-64 letters, digits, ``.``, ``_``
    or ``-``."""
    if role not in KEY_ROLES:
        raise CvmError(f"unknown role {role!r}: use one of {', '.join(KEY_ROLES)}")
    if not _NAME.match(name):
        raise CvmError(
            f"key name {name!r}: use 1-64 letters, digits, '.', '_' or '-' (starting with a"
            " letter or digit)"
        )
    key = "cvm_" + secrets.token_urlsafe(32)
    with ws.engine.transaction() as engine:
        if engine.scalar(sql_file(__package__, "key_named.sql"), {"name": name}):
            raise CvmError(f"a key named {name!r} exists already: choose another name")
        engine.run(
            sql_file(__package__, "key_insert.sql"),
            {"name": name, "role": role, "key_hash": hash_key(key), "created_at": _now()},
        )
    return key


def list_keys(ws: Workspace) -> list[dict[str, Any]]:
    """Every key's name, role, created, last used and revoked times (never its hash)."""
    columns = ("name", "role", "created_at", "last_used_at", "revoked_at")
    rows = ws.engine.rows(sql_file(__package__, "key_list.sql"))
    return [dict(zip(columns, row, strict=True)) for row in rows]


def revoke_key(ws: Workspace, name: str) -> bool:
    """Revoke the key ``name``: True when it worked until now, False when it was revoked
    already; an unknown name is an error."""
    with ws.engine.transaction() as engine:
        if not engine.scalar(sql_file(__package__, "key_named.sql"), {"name": name}):
            raise UnknownKeyError(f"no key named {name!r}: `cvm keys list` shows the keys")
        working = {row[0] for row in engine.rows(sql_file(__package__, "key_hashes.sql"))}
        engine.run(sql_file(__package__, "key_revoke.sql"), {"name": name, "now": _now()})
    return name in working


@dataclass(frozen=True)
class StoredKey:
    """A working key as the service holds it: name, role, hash."""

    name: str
    role: str
    key_hash: str


class KeyRing:
    """The service's copy of the working keys by hash, read on first use and after every
    change.

    The service is the workspace's only writer, so a key made or revoked while it runs goes
    through it (``/v1/keys``), which calls :meth:`invalidate`: the next request reads the
    keys again, so a revoked key is refused from the next request on.
    """

    def __init__(self) -> None:
        self._keys: dict[str, StoredKey] | None = None
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._keys = None

    def held(self) -> dict[str, StoredKey] | None:
        """The working keys by hash when held (no database read), else None."""
        return self._keys

    def keys(self, cursor: Callable[[], Workspace]) -> dict[str, StoredKey]:
        """The working keys by hash; read through ``cursor()`` (closed after) when not held."""
        with self._lock:
            if self._keys is not None:
                return self._keys
            ws = cursor()
            try:
                rows = ws.engine.rows(sql_file(__package__, "key_hashes.sql"))
            finally:
                ws.close()
            self._keys = {str(h): StoredKey(str(n), str(r), str(h)) for n, r, h in rows}
            return self._keys

    def due(self, key: StoredKey) -> bool:
        """Whether the key's use should be written now: at most once a minute per key (a
        write per request would cost every call a database write)."""
        now = time.monotonic()
        with self._lock:
            last = self._used.get(key.name)
            if last is not None and now - last < _USED_EVERY:
                return False
            self._used[key.name] = now
            return True

    def noted(self, key: StoredKey) -> bool:
        """Whether the key's use was written within the minute, so none is due (changes
        nothing, unlike :meth:`due`)."""
        last = self._used.get(key.name)
        return last is not None and time.monotonic() - last < _USED_EVERY

    def note_use(self, cursor: Callable[[], Workspace], key: StoredKey) -> None:
        """Record the key's use when :meth:`due`."""
        if not self.due(key):
            return
        write_use(cursor, key)


def write_use(cursor: Callable[[], Workspace], key: StoredKey) -> None:
    """Write the key's ``last_used_at`` (now)."""
    ws = cursor()
    try:
        ws.engine.run(sql_file(__package__, "key_used.sql"), {"name": key.name, "now": _now()})
    finally:
        ws.close()


def match_hash(sent_hash: str, keys: dict[str, StoredKey]) -> StoredKey | None:
    """The key whose hash is ``sent_hash``, found by the hash (a guess's hash says nothing
    about how close the guess came) and confirmed with a constant-time comparison."""
    found = keys.get(sent_hash)
    if found is None or not hmac.compare_digest(
        sent_hash.encode("ascii"), found.key_hash.encode("ascii")
    ):
        return None
    return found
