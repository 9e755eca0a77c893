"""The live hook: returns at once, refreshes on its own thread, and retries a failed turn."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

import cvm.segments.live_worker as worker
from cvm.workspace import Workspace


def test_a_failed_refresh_is_tried_again(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[set[str] | None] = []
    release = threading.Event()
    fail = {"next": False}

    def refresh(ws: Workspace, ids: set[str] | None, **options: object) -> int:
        release.wait(5)
        calls.append(None if ids is None else set(ids))
        if fail["next"]:
            fail["next"] = False
            raise worker.CvmError("Conflict on update: the writer changed these rows")
        return 0 if ids is None else len(ids)

    monkeypatch.setattr(worker, "refresh_profiles", refresh)
    monkeypatch.setattr(worker, "default_as_of", lambda ws: date(2024, 1, 31))
    monkeypatch.setattr(worker, "typical_gap", lambda ws, day: 30.0)
    hook = worker.LiveRefresher(lambda: workspace)
    started = time.monotonic()
    hook(workspace, {"001"})  # the first turn finds the live table empty: every row is built
    assert time.monotonic() - started < 0.1  # the writer never waits for a refresh
    release.set()
    assert hook.wait_idle(10)
    assert calls and calls[0] is None
    calls.clear()
    fail["next"] = True
    hook(workspace, {"007", "042", ""})
    assert hook.wait_idle(10)
    hook.stop()
    assert calls == [{"007", "042"}, {"007", "042"}]
    assert "Conflict" in (hook.last_error or "")
