"""Group commit: one writer thread stores the collected events, one transaction per window.

Requests hand their messages (:class:`~cvm.api.collect_wire.Parcel`) to the
:class:`Collector` and wait. The writer thread takes what is queued once the window closes
(``batch_interval_ms`` after the first waiting request, or sooner when ``batch_size`` events
wait) and stores them with the events load, handed over in memory
(:func:`cvm.ingest.events.load_messages`: validation, ``messageId`` deduplication, identity linking,
consent traits, "Order Completed" orders), all in one transaction. Only then are the
requests answered, so a 200 means committed. The queue is bounded by events: a request that
does not fit is refused at once (:class:`QueueFullError`, answered 429 with ``Retry-After``).

After each commit the hooks in ``after_commit`` are called with the customers the window
touched; a hook that fails is logged and changes nothing already committed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from cvm.api.collect_wire import Parcel
from cvm.api.service import WorkspaceOwner
from cvm.engines import sql_file
from cvm.ingest.events import load_messages
from cvm.workspace import Workspace

__all__ = ["AfterCommit", "Collector", "QueueFullError", "Receipt"]

log = logging.getLogger("cvm.collect")

SOURCE = "http"
"""The ``source`` of collected events in ``loads`` and ``rejected_rows``."""

AfterCommit = Callable[[Workspace, set[str]], None]


class QueueFullError(Exception):
    """The queue holds as many events as it may; the client should retry after a while."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many events waiting to be stored; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass
class Receipt:
    """What became of one request's messages: ``refused`` (position, reason), position order."""

    load_id: str
    refused: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Waiting:
    parcel: Parcel
    future: Future[Receipt]
    since: float = field(default_factory=time.monotonic)


class Collector:
    """The queue of collected events and the thread that commits them (started on first use)."""

    def __init__(
        self,
        owner: WorkspaceOwner,
        *,
        batch_size: int,
        interval_ms: int,
        queue_size: int,
        after_commit: list[AfterCommit],
    ) -> None:
        self.owner = owner
        self.batch_size = batch_size
        self.interval = interval_ms / 1000
        self.queue_size = queue_size
        self.after_commit = after_commit
        self._cond = threading.Condition()
        self._waiting: deque[_Waiting] = deque()
        self._queued = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._ws: Workspace | None = None  # the writer thread's cursor
        self.last_commit_seconds = 0.1

    @property
    def queued(self) -> int:
        """Events waiting for a commit."""
        return self._queued

    def submit(self, parcel: Parcel) -> Future[Receipt]:
        """Queue one request's messages; the future resolves once they are committed.

        Raises :class:`QueueFullError` when they do not fit (an empty queue takes any request)."""
        future: Future[Receipt] = Future()
        with self._cond:
            if self._stopping:
                raise QueueFullError(1)
            if self._queued and self._queued + len(parcel) > self.queue_size:
                raise QueueFullError(max(1, round(self.last_commit_seconds + self.interval + 0.49)))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cvm-collect", daemon=True)
                self._thread.start()
            self._waiting.append(_Waiting(parcel, future))
            self._queued += len(parcel)
            self._cond.notify_all()
        return future

    def close(self) -> None:
        """Commit what is queued, then stop the writer thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _take(self) -> list[_Waiting]:
        """Wait for a window to close and take its requests (None left: stopping)."""
        with self._cond:
            while not self._waiting and not self._stopping:
                self._cond.wait()
            # the window opened when its oldest request arrived (during the last commit, often)
            opened = self._waiting[0].since if self._waiting else time.monotonic()
            while self._queued < self.batch_size and not self._stopping:
                left = self.interval - (time.monotonic() - opened)
                if left <= 0:
                    break
                self._cond.wait(left)
            taken: list[_Waiting] = []
            events = 0
            while self._waiting and (not taken or events + len(self._waiting[0].parcel)
                                     <= self.batch_size):  # fmt: skip
                item = self._waiting.popleft()
                taken.append(item)
                events += len(item.parcel)
            self._queued -= events
            return taken

    def _run(self) -> None:
        try:
            while True:
                taken = self._take()
                if not taken:
                    return
                if not self._store(taken) and len(taken) > 1:
                    # one request may have failed the window: each on its own, so it alone fails
                    for item in taken:
                        self._store([item])
        finally:
            if self._ws is not None:
                self._ws.close()
                self._ws = None

    def _store(self, taken: list[_Waiting]) -> bool:
        """Commit ``taken`` and answer its requests; False (nothing answered) when the commit
        failed and more than one request shared it."""
        try:
            if self._ws is None:
                self._ws = self.owner.get().cursor()
            started = time.monotonic()
            parcels = [t.parcel for t in taken]
            receipts, customers = commit_window(
                self._ws, parcels, customers=bool(self.after_commit)
            )
            self.last_commit_seconds = time.monotonic() - started
        except Exception as exc:  # rolled back: nothing of the window was stored
            log.exception("storing %d collected requests failed", len(taken))
            if self._ws is not None:
                self._ws.close()
                self._ws = None
            if len(taken) > 1:
                return False
            taken[0].future.set_exception(exc)
            return True
        for item, receipt in zip(taken, receipts, strict=True):
            item.future.set_result(receipt)
        self._call_hooks(self._ws, customers)
        return True

    def _call_hooks(self, ws: Workspace, customers: set[str]) -> None:
        for hook in list(self.after_commit):
            try:
                hook(ws, customers)
            except Exception:  # the events are committed: a hook never undoes them
                log.exception("after-commit hook %r failed", hook)


def commit_window(
    ws: Workspace, parcels: list[Parcel], *, customers: bool = True
) -> tuple[list[Receipt], set[str]]:
    """Store the messages of ``parcels`` in one transaction; what each request's became and
    (with ``customers``) the customers the window touched."""
    where: list[tuple[int, int]] = []  # line - 1 -> (parcel, position)
    lines: list[str] = []
    for p, parcel in enumerate(parcels):
        for position, text in parcel.lines:
            lines.append(text)
            where.append((p, position))
    engine = ws.engine
    with engine.transaction():
        result = load_messages(ws, lines, source=SOURCE)
        load_id = result.load_id
        refused: list[list[tuple[int, str]]] = [[] for _ in parcels]
        line = len(where)
        for p, parcel in enumerate(parcels):
            for position, raw, reason in parcel.refused:
                line += 1
                params = {"load_id": load_id, "source": SOURCE, "line": line, "raw": raw,
                          "reason": reason}  # fmt: skip
                engine.run(sql_file(__package__, "collect_reject.sql"), params)
                refused[p].append((position, reason))
        if result.rejected:
            for n, reason in engine.rows(
                sql_file(__package__, "collect_refused.sql"), {"load_id": load_id}
            ):
                if 1 <= int(n) <= len(where):
                    p, position = where[int(n) - 1]
                    refused[p].append((position, str(reason)))
        wire = line - len(where)
        if wire:
            engine.run(
                sql_file(__package__, "collect_loads_refused.sql"),
                {"load_id": load_id, "refused": wire},
            )
        touched = (
            {
                str(c)
                for (c,) in engine.rows(
                    sql_file(__package__, "collect_customers.sql"), {"load_id": load_id}
                )
            }
            if customers
            else set()
        )
    receipts = [Receipt(load_id, sorted(r)) for r in refused]
    return receipts, touched
