"""Batch jobs inside the server: one worker thread, one job at a time, a small queue.

The server owns the workspace (the single writer), so a fit or a scoring run started over HTTP
runs here, on its own cursor of the open database, rather than in a `cvm` process that could
not open the file. Each job is a row of ``jobs`` (status, progress, summary, one-line error),
so a finished job can still be read after a restart; a job the previous server left queued or
running is marked failed ("interrupted") the first time this server touches the jobs.
"""

from __future__ import annotations

import ctypes
import json
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cvm._exceptions import CvmError
from cvm.api.errors import public_detail
from cvm.api.jobs_kinds import run_job
from cvm.engines import sql_file
from cvm.privacy import compaction_pending

if TYPE_CHECKING:
    from cvm.api.service import WorkspaceOwner
    from cvm.workspace import Workspace

__all__ = ["INTERRUPTED", "JobQueueFullError", "JobRunner"]

log = logging.getLogger("cvm.api.jobs")

INTERRUPTED = "interrupted: the server stopped while the job was queued or running; start it again"
COLUMNS = ("job_id", "kind", "args", "status", "done", "total", "step", "result", "error",
           "created_at", "started_at", "finished_at")  # fmt: skip
PROGRESS_EVERY = 1.0  # seconds between progress writes to the job's row


class JobQueueFullError(CvmError):
    """Too many jobs are waiting; the caller should retry later (HTTP 429)."""


class _Stopped(BaseException):
    """Raised in the worker thread when the server stops during a job (a BaseException, so
    no ``except Exception`` of the library keeps the job running)."""


def _raise_in(thread: threading.Thread) -> None:
    """Raise :class:`_Stopped` in ``thread`` at its next Python instruction (a fit spends its
    time in Python callbacks of the optimiser, which report no progress)."""
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(_Stopped)
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class _Live:
    """A running job's progress, as the worker last heard it."""

    done: int = 0
    total: int | None = None
    step: str | None = None
    written: float = 0.0


class JobRunner:
    """Runs the jobs of the workspace ``owner`` holds, one at a time, in a worker thread.

    ``queue_size`` jobs may wait behind the running one; one more is refused
    (:class:`JobQueueFullError`) rather than kept in memory without bound.
    """

    def __init__(self, owner: WorkspaceOwner, queue_size: int = 8) -> None:
        self._owner = owner
        self._queue: queue.Queue[tuple[str, Any] | None] = queue.Queue(maxsize=queue_size)
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._recovered = False
        self._erased = False
        self._stopping = threading.Event()

    # --- what the routes call ------------------------------------------------------------

    def submit(self, ws: Workspace, job: Any) -> dict[str, Any]:
        """Queue ``job`` (a request model); returns its row."""
        self.recover(ws)
        job_id = f"job-{uuid.uuid4().hex[:12]}"
        args = job.model_dump(mode="json", exclude={"kind"})
        with self._lock:
            if self._queue.full():
                raise JobQueueFullError(
                    f"{self._queue.maxsize} jobs are already waiting; retry when one has finished"
                )
            ws.engine.run(
                sql_file(__package__, "job_insert.sql"),
                {"job_id": job_id, "kind": job.kind, "args": json.dumps(args), "now": _now()},
            )
            self._queue.put_nowait((job_id, job))
            self._start()
        found = self.get(ws, job_id)
        assert found is not None
        return found

    def get(self, ws: Workspace, job_id: str) -> dict[str, Any] | None:
        """The job's row with its live progress, or None when there is no such job."""
        self.recover(ws)
        row = ws.engine.one(sql_file(__package__, "job_get.sql"), {"job_id": job_id})
        return None if row is None else self._answer(row)

    def newest(self, ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
        """The newest ``limit`` jobs."""
        self.recover(ws)
        rows = ws.engine.rows(sql_file(__package__, "jobs_list.sql"), {"limit": limit})
        return [self._answer(r) for r in rows]

    def recover(self, ws: Workspace) -> None:
        """Once per server: jobs left queued or running by a server that stopped failed (and
        erasures it left uncompacted are compacted when this one stops)."""
        with self._lock:
            if self._recovered:
                return
            ws.engine.run(
                sql_file(__package__, "jobs_interrupt.sql"), {"error": INTERRUPTED, "now": _now()}
            )
            # erasures a killed server never compacted: rebuilt when this one stops
            self._erased = self._erased or compaction_pending(ws) > 0
            self._recovered = True

    def erased(self) -> None:
        """An erasure ran: rebuild the database file without its bytes at :meth:`close`."""
        self._erased = True

    def close(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; wait a little for the running one, then stop it (it is marked
        interrupted: a job left running would go on taking the CPU, and the interpreter's
        lock, from whatever the process does next); then rebuild the database file if
        erasures ran (nothing else holds it then: requests have drained)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stop(thread, timeout)
        if self._erased:
            from cvm.privacy import compact_workspace

            try:
                compact_workspace(self._owner.get())
                self._erased = False
            except Exception:
                log.exception("the database could not be rebuilt after erasures; run"
                              " `cvm privacy compact` with the server stopped")  # fmt: skip

    def _stop(self, thread: threading.Thread, timeout: float) -> None:
        while True:  # drop what waits: it will show as interrupted
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        thread.join(timeout)
        if thread.is_alive():
            self._stopping.set()  # its next progress call raises; a fit's next callback
            _raise_in(thread)
            thread.join(timeout)
            if thread.is_alive():
                log.warning("a job is still running after the server stopped it")

    # --- the worker ----------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="cvm-jobs", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                try:
                    self._run(*item)
                except Exception:  # the workspace went away (server stopping): not recorded
                    log.exception("job %s could not be recorded", item[0])
        except _Stopped:  # stopped as the job ended: the next server marks it interrupted
            return

    def _run(self, job_id: str, job: Any) -> None:
        main = self._owner.get()
        books, ws = main.cursor(), main.cursor()  # the job's own cursor; another for its row
        live = self._live[job_id] = _Live()
        try:
            books.engine.run(sql_file(__package__, "job_start.sql"),
                             {"job_id": job_id, "now": _now()})  # fmt: skip

            def progress(done: int, total: int | None, step: str) -> None:
                if self._stopping.is_set():
                    raise _Stopped
                live.done, live.total, live.step = int(done), total, step or live.step
                if time.monotonic() - live.written >= PROGRESS_EVERY:
                    live.written = time.monotonic()
                    books.engine.run(
                        sql_file(__package__, "job_progress.sql"),
                        {"job_id": job_id, "done": live.done, "total": live.total,
                         "step": live.step},
                    )  # fmt: skip

            status, result, error = "succeeded", None, None
            try:
                result = json.dumps(run_job(ws, job, progress), default=str)
            except CvmError as exc:
                status, error = "failed", public_detail(exc)
            except _Stopped:
                status, error = "failed", INTERRUPTED
            except Exception as exc:  # a bug: the log has the traceback, the caller one line
                log.exception("job %s (%s) failed", job_id, job.kind)
                status = "failed"
                error = (
                    f"the {job.kind} job failed unexpectedly ({type(exc).__name__});"
                    " see the server log"
                )
            books.engine.run(
                sql_file(__package__, "job_finish.sql"),
                {"job_id": job_id, "status": status, "result": result, "error": error,
                 "now": _now(), "done": live.done, "total": live.total, "step": live.step},
            )  # fmt: skip
        finally:
            self._live.pop(job_id, None)
            ws.close()
            books.close()

    def _answer(self, row: tuple[Any, ...]) -> dict[str, Any]:
        out = dict(zip(COLUMNS, row, strict=True))
        for name in ("args", "result"):
            if isinstance(out[name], str):
                out[name] = json.loads(out[name])
        out["args"] = out["args"] or {}
        live = self._live.get(out["job_id"])
        if live is not None and out["status"] == "running":
            out.update(done=live.done, total=live.total, step=live.step)
        return out
