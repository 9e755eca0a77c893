"""The write-ahead journal of real-time decisions: none that was answered is lost in a crash.

Writing the decision log costs tens of milliseconds a transaction whatever its size, so the
service writes it once a second (:meth:`cvm.decide.realtime.Decider.flush`). Before a decision
is answered it is appended, as one JSON line, to ``journal/decisions.jsonl`` in the workspace
with a plain ``write()``: the operating system's page cache keeps it when the process is
killed (a power loss needs ``fsync``: setting ``journal_fsync``). A flush first seals the file
(renames it, and starts a new one), stores the decisions, then deletes the sealed files. On
start the service replays every journal line whose ``decision_id`` is not in the ``decisions``
table (so a crash between the store and the delete duplicates nothing), then deletes the
files. An erasure removes the customer's lines, and their decisions not yet stored.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cvm._files import replace_whole
from cvm.decide.decision_log import Decision, write_decisions
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["JOURNAL_DIR", "DecisionQueue", "JournalEraser", "erasing", "journal_files", "replay"]

log = logging.getLogger(__name__)

JOURNAL_DIR = "journal"
CURRENT = "decisions.jsonl"
SEALED = "decisions-{:020d}.sealed.jsonl"
_FIELDS = tuple(f.name for f in fields(Decision))
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
# the queue of each workspace folder this process serves: an erasure must go through it
_LIVE: weakref.WeakValueDictionary[str, DecisionQueue] = weakref.WeakValueDictionary()


def _line(d: Decision) -> bytes:
    row = {name: getattr(d, name) for name in _FIELDS}
    row["ts"] = d.ts.isoformat()
    return (json.dumps(row, separators=(",", ":")) + "\n").encode()


def _decision(text: str) -> Decision:
    row = json.loads(text)
    row["ts"] = datetime.fromisoformat(row["ts"])
    return Decision(**{k: v for k, v in row.items() if k in _FIELDS})


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def journal_files(folder: Path) -> list[Path]:
    """The journal files of a workspace: sealed ones oldest first, then the current one."""
    where = folder / JOURNAL_DIR
    if not where.is_dir():
        return []
    found = sorted(where.glob("decisions-*.sealed.jsonl"))
    current = where / CURRENT
    return [*found, current] if current.exists() else found


def _read(path: Path) -> tuple[list[Decision], list[int]]:
    """The decisions of a journal file, and the numbers of lines that are not one."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    torn = lines.pop()  # after the last newline: empty, or a write cut short by a power loss
    found, bad = [], []
    for n, raw in enumerate(lines, start=1):
        try:
            found.append(_decision(raw.decode()))
        except (ValueError, TypeError, KeyError):
            bad.append(n)
    if torn:
        bad.append(len(lines) + 1)
    return found, bad


def replay(ws: Workspace) -> int:
    """Store the journal's decisions missing from the log (a crash left them); returns how
    many. Safe to run again at any point: a decision already stored is skipped.

    A workspace this process serves decisions for is left alone (its lines are pending in
    memory). A line that is not a decision (a write cut short by a power loss without
    ``journal_fsync``) is reported in the log and its file kept as ``*.rejected``.
    """
    folder = Path(ws.path)
    files = journal_files(folder)
    if not files or str(folder.resolve()) in _LIVE:
        return 0
    decisions: dict[str, Decision] = {}
    rejected: list[Path] = []
    for path in files:
        found, bad = _read(path)
        for d in found:
            decisions.setdefault(d.decision_id, d)
        if bad:
            log.warning("decision journal %s: lines %s are not decisions; the file is kept"
                        " as %s.rejected", path, bad, path.name)  # fmt: skip
            rejected.append(path)
    missing: list[Decision] = []
    if decisions:
        ids = pd.DataFrame({"decision_id": list(decisions)})
        with ws.engine.register("journal_ids", ids):
            stored = {r[0] for r in ws.engine.rows(sql_file(__package__, "journal_known.sql"))}
        missing = [d for i, d in decisions.items() if i not in stored]
    if missing:
        rt = ws.settings.decide.realtime
        days = rt.attribution_days or ws.settings.decide.response_days
        write_decisions(ws, missing, days, rt.holdout_share)
        log.info("decision journal: %d decisions stored after a restart", len(missing))
    for path in files:
        if path in rejected:
            os.replace(path, path.with_name(path.name + ".rejected"))
        else:
            path.unlink()
    return len(missing)


class DecisionQueue:
    """The decisions not yet in the log: in memory for the next flush, and in the journal.

    ``lock`` guards the queue and the current file (an append, a seal); ``flushing`` is held
    by a flush from taking to deleting, and by an erasure from before its transaction to its
    end (so no decision of the customer is stored behind its back).
    """

    def __init__(self, folder: Path, *, fsync: bool = False) -> None:
        self.folder = Path(folder) / JOURNAL_DIR
        self.fsync = fsync
        self.lock = threading.Lock()
        self.flushing = threading.Lock()
        self._pending: list[Decision] = []
        self._fd: int | None = None
        self._key = str(Path(folder).resolve())
        _LIVE[self._key] = self

    def _open(self) -> int:
        if self._fd is None:
            self.folder.mkdir(exist_ok=True)
            self._fd = os.open(self.folder / CURRENT, _FLAGS, 0o600)
        return self._fd

    def add(self, d: Decision) -> None:
        """Journal ``d`` and queue it for the next flush (before it is answered)."""
        data = _line(d)
        with self.lock:
            fd = self._open()
            _write_all(fd, data)
            if self.fsync:
                os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)
            self._pending.append(d)

    def take(self) -> tuple[list[Decision], list[Path]]:
        """The pending decisions, and the sealed files that hold them (and any left by a
        failed flush): a new current file takes the next ones."""
        with self.lock:
            pending, self._pending = self._pending, []
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            current = self.folder / CURRENT
            if current.exists():
                os.replace(current, self.folder / SEALED.format(_next_seal(self.folder)))
        sealed = sorted(self.folder.glob("decisions-*.sealed.jsonl"))
        return pending, sealed

    def put_back(self, pending: list[Decision]) -> None:
        """A flush failed: its decisions go first in the next (their sealed files stay)."""
        with self.lock:
            self._pending[:0] = pending

    @staticmethod
    def done(sealed: list[Path]) -> None:
        """The decisions of ``sealed`` are stored: the files go."""
        for path in sealed:
            path.unlink(missing_ok=True)

    def forget(self, ids: set[str], pattern: str | None) -> int:
        """Drop the decisions of the customer ``ids`` name from the queue and the journal
        (mentions elsewhere redacted by ``pattern``); returns the journal lines removed."""
        with self.lock:
            self._pending = [d for d in self._pending if not _names(d, ids)]
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            return _erase_files(self.folder.parent, ids, pattern)

    def close(self) -> None:
        with self.lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        if _LIVE.get(self._key) is self:
            del _LIVE[self._key]


def _next_seal(folder: Path) -> int:
    names = [p.name for p in folder.glob("decisions-*.sealed.jsonl")]
    numbers = [int(n.split("-")[1].split(".")[0]) for n in names]
    return max(numbers, default=0) + 1


def _names(d: Decision, ids: set[str]) -> bool:
    return d.customer_id in ids or (d.anonymous_id is not None and d.anonymous_id in ids)


def _erase_files(root: Path, ids: set[str], pattern: str | None) -> int:
    """Rewrite each journal file without the lines of the customer (atomically)."""
    regex = re.compile(pattern) if pattern else None
    gone = 0
    for path in journal_files(root):
        kept: list[bytes] = []
        raw = path.read_bytes()
        for line in raw.splitlines(keepends=True):
            try:
                d = _decision(line.decode())
            except (ValueError, TypeError, KeyError):
                d = None
            if d is not None and _names(d, ids):
                gone += 1
                continue
            if regex is not None:  # another customer's decision quoting them (its context)
                line = regex.sub(r"\g<1>[erased]\g<3>", line.decode()).encode()
            kept.append(line)
        data = b"".join(kept)
        if data != raw:
            replace_whole(path, data)
    return gone


class JournalEraser:
    """What an erasure does to the journal of the workspace at ``root``."""

    def __init__(self, root: Path, queue: DecisionQueue | None) -> None:
        self.root, self.queue = root, queue

    def erase(self, ids: list[str], pattern: str | None) -> int:
        """Remove the customer's decisions from the journal (and the queue); lines removed."""
        if self.queue is not None:
            return self.queue.forget(set(ids), pattern)
        return _erase_files(self.root, set(ids), pattern)


@contextmanager
def erasing(root: Path) -> Iterator[JournalEraser]:
    """Hold off the decision log's flushes of the workspace at ``root`` while an erasure
    runs (a decision stored after its transaction began would outlive it)."""
    queue = _LIVE.get(str(Path(root).resolve()))
    if queue is None:
        yield JournalEraser(Path(root), None)
        return
    with queue.flushing:
        yield JournalEraser(Path(root), queue)
