"""The service's after-commit hook for live profiles: refresh on a thread of its own.

The collection writer calls every hook after each committed batch with the customers it
touched. This one only notes them and returns, so the writer never waits; a worker thread
refreshes the noted customers (:func:`cvm.segments.live.refresh_profiles`), the batches that
arrived meanwhile together. It keeps what is the same for every refresh of a day: the newest
run's models and the population's typical gap between purchases. When a newer ``clv`` run
appears (or the live table is empty), it rebuilds every customer's row once. It keeps the
service's copy of every profile in memory (:attr:`LiveRefresher.cache`): loaded on its first
turn, handed each row it writes, reloaded after a rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date

from cvm._exceptions import CvmError
from cvm.clv.live import LiveFit, latest_fit
from cvm.engines import sql_file
from cvm.segments.assign import default_as_of
from cvm.segments.live import refresh_profiles, typical_gap
from cvm.segments.live_cache import ProfileCache
from cvm.workspace import Workspace

__all__ = ["LiveRefresher"]

log = logging.getLogger(__name__)

RETRIES = 3
"""Turns in a row a failed refresh is tried again before its customers are left to the next
commit that names them."""

IDLE_SECONDS = 5.0
"""How often an idle worker looks for a newer clv run (a turn without customers)."""


class LiveRefresher:
    """``hook(ws, customer_ids)`` for ``app.state.after_commit``; ``opener()`` gives the
    service's workspace (its cursors are taken per refresh)."""

    def __init__(self, opener: Callable[[], Workspace]) -> None:
        self._open = opener
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._check_run = True  # look for a newer run (and an empty table) on the next turn
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._gap: tuple[date, float | None] | None = None
        self._gap_lock = threading.Lock()
        self._run: str | None = None
        self.refreshed = 0
        self.last_error: str | None = None
        self._failures = 0
        self._local = threading.local()
        self._readers: list[Workspace] = []
        self.cache = ProfileCache()

    def __call__(self, ws: Workspace, customer_ids: Iterable[str]) -> None:
        """Note the customers of a committed batch; they are refreshed within moments."""
        ids = {str(c) for c in customer_ids if c}
        if not ids:
            return
        with self._cond:
            self._pending |= ids
            self._start()
            self._cond.notify_all()

    def start(self) -> None:
        """Start the worker now (the service's start): its first turn loads the profiles
        into :attr:`cache`; otherwise it starts with the first committed batch."""
        with self._cond:
            self._start()

    def _start(self) -> None:
        if self._thread is None and not self._stopping:
            self._thread = threading.Thread(target=self._loop, name="cvm-live", daemon=True)
            self._thread.start()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is pending (True) or ``timeout`` seconds pass (False)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._pending and not self._busy and not self._check_run, timeout
            )

    def reader(self) -> Workspace:
        """This thread's cursor for profile reads, opened on its first read and kept: a read
        is then one lookup, with no cursor to open (the service's threads are pooled)."""
        found: Workspace | None = getattr(self._local, "reader", None)
        if found is None:
            found = self._open().cursor()
            self._local.reader = found
            with self._cond:
                self._readers.append(found)
        return found

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the worker after the refresh it is running, and close the readers' cursors
        (the service is shutting down)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
            readers, self._readers = self._readers, []
        if thread is not None:
            thread.join(timeout)
        for cursor in readers:
            cursor.close()

    def gap(self, ws: Workspace, day: date) -> float | None:
        """The population's typical gap on ``day``, computed once per day."""
        with self._gap_lock:  # one computation, however many readers ask at once
            cached = self._gap
            if cached is not None and cached[0] == day:
                return cached[1]
            value = typical_gap(ws, day)
            self._gap = (day, value)
            return value

    def refresh(self, ws: Workspace, customer_ids: Iterable[str]) -> int:
        """Refresh ``customer_ids`` now, in the caller's thread (a read of a customer whose
        row is missing)."""
        day = default_as_of(ws)
        return refresh_profiles(
            ws, customer_ids, as_of=day, gap=self.gap(ws, day), written=self.cache.written
        )

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(
                    lambda: self._pending or self._check_run or self._stopping, IDLE_SECONDS
                )
                if self._stopping:
                    self._busy = False
                    self._cond.notify_all()
                    return
                ids, self._pending = self._pending, set()
                check, self._check_run = self._check_run, False
                self._busy = True
            try:
                self._turn(ids, check)
                self._failures = 0
            except Exception as exc:  # a worker must outlive one bad turn
                self._failed(ids, exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _failed(self, ids: set[str], exc: Exception) -> None:
        """Keep the customers of a failed turn for the next one (a write conflict with the
        collection writer, a workspace briefly busy), up to ``RETRIES`` turns in a row."""
        self._failures += 1
        self.last_error = str(exc) if isinstance(exc, CvmError) else f"{type(exc).__name__}: {exc}"
        log.warning(
            "live profiles not refreshed (%d customers): %s",
            len(ids),
            self.last_error,
            exc_info=not isinstance(exc, CvmError),
        )
        if self._failures <= RETRIES:
            with self._cond:
                self._pending |= ids
            time.sleep(0.05 * self._failures)

    def _turn(self, ids: set[str], check: bool) -> None:
        ws = self._open()
        live = latest_fit(ws)
        run = live.run_id if live is not None else None
        if check or run != self._run:
            stale = ws.engine.scalar(sql_file(__package__, "live_stale.sql"), {"run_id": run})
            self._run = run
            if stale:
                self._rebuild(ws, live)
                self.cache.load(ws)
                return
        if not self.cache.ready:
            self.cache.load(ws)
        if ids:
            day = default_as_of(ws)
            gap = self.gap(ws, day)
            self.refreshed += refresh_profiles(
                ws, ids, as_of=day, gap=gap, live=live, written=self.cache.written
            )

    def _rebuild(self, ws: Workspace, live: LiveFit | None) -> None:
        try:
            day = default_as_of(ws)
        except CvmError:  # nothing stored yet: nothing to build
            return
        self._gap = None
        self.refreshed += refresh_profiles(ws, None, as_of=day, live=live)
        self.gap(ws, day)  # ready for the refreshes that follow
