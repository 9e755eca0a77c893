"""What the routes share beyond dependencies: built reports kept per filter and DB version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path

from cvm._exceptions import WorkspaceError
from cvm.decide.decision_journal import journal_files, replay
from cvm.report.build import ReportData, build_report
from cvm.workspace import Workspace
from cvm.workspace.connection import DB_NAME

__all__ = ["ReportCache", "WorkspaceOwner", "replay_decisions"]


class WorkspaceOwner:
    """The service's one open workspace: the single writer, opened on first use.

    Requests get their own cursor of it (:meth:`Workspace.cursor`), so nothing opens the
    database file per request. A workspace another process holds is tried again on the next
    request (503 until then); :meth:`close` releases it when the service stops.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ws: Workspace | None = None
        self._lock = threading.Lock()

    def get(self) -> Workspace:
        with self._lock:
            if self._ws is None:
                self._ws = Workspace.open(self.path, wait=0)
            return self._ws

    def close(self) -> None:
        with self._lock:
            if self._ws is not None:
                self._ws.close()
                self._ws = None


def replay_decisions(owner: WorkspaceOwner) -> int:
    """Store the decisions a killed service answered but had not written (its journal); a
    workspace another process holds is left to the decider, which replays when it starts."""
    if not journal_files(owner.path):
        return 0
    try:
        ws = owner.get().cursor()
    except WorkspaceError:
        return 0
    try:
        return replay(ws)
    finally:
        ws.close()


class ReportCache:
    """The last ``size`` reports by (as_of, segment), dropped when the database changes.

    Building a report refits the CLV models on a holdout, so the dashboard keeps what it built
    until the workspace's database file is written again.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], ReportData] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _version(path: Path) -> tuple[float, int]:
        stat = (path / DB_NAME).stat()
        return stat.st_mtime, stat.st_size

    def get(self, ws: Workspace, as_of: date | None, segment: str | None) -> ReportData:
        key = (str(ws.path), self._version(ws.path), as_of, segment or None)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        report = build_report(ws, as_of=as_of, segment=segment or None)
        with self._lock:
            self._items[key] = report
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return report
