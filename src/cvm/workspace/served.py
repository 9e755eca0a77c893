"""Which server owns a workspace: a small file in its folder while ``cvm serve`` runs.

A served workspace stays locked by its server (DuckDB's single writer) for as long as the
server runs, so a `cvm` command that writes cannot open it. The server announces itself
(:func:`announce`) so that command can say where the server is and how to run the job
through it, instead of waiting for a lock that is never released. A file left by a server
that died (its process is gone) is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["SERVED_NAME", "Served", "announce", "served", "served_at"]

SERVED_NAME = ".cvm-served.json"


@dataclass(frozen=True)
class Served:
    """A live server of a workspace: its base URL and process id."""

    url: str
    pid: int


@contextmanager
def announce(root: Path | str, url: str, pid: int | None = None) -> Iterator[Path]:
    """Say, for as long as the block runs, that the workspace at ``root`` is served at ``url``.

    The file is written whole (a rename), and removed at the end unless another server has
    announced itself since (its file is left alone).
    """
    path = Path(root) / SERVED_NAME
    owner = os.getpid() if pid is None else pid
    body = {"url": url.rstrip("/"), "pid": owner, "since": datetime.now(UTC).isoformat()}
    tmp = path.with_name(f"{SERVED_NAME}.{owner}.tmp")
    tmp.write_text(json.dumps(body) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    try:
        yield path
    finally:
        now = _read(path)
        if now is not None and now.pid == owner:
            path.unlink(missing_ok=True)


def served(root: Path | str) -> Served | None:
    """The live server of the workspace at ``root``, or None (no file, unreadable, or its
    process is gone)."""
    found = _read(Path(root) / SERVED_NAME)
    if found is None or not _alive(found.pid):
        return None
    return found


def served_at(root: Path | str) -> str | None:
    """The base URL of the live server of the workspace at ``root``, or None."""
    found = served(root)
    return found.url if found else None


def _read(path: Path) -> Served | None:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        url, pid = body["url"], body["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(url, str) or not isinstance(pid, int) or isinstance(pid, bool) or pid < 1:
        return None
    return Served(url=url, pid=pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except OSError:
        return False
    return True
