"""The served-workspace notice: a server announces itself in the workspace; a command that
cannot open a served workspace says where the server is, at once, instead of a lock error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cvm._exceptions import WorkspaceBusyError
from cvm.workspace import Workspace
from cvm.workspace.served import SERVED_NAME, Served, announce, served, served_at
from db_holder import hold_database


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_announce_writes_the_url_and_removes_it_after(tmp_path: Path) -> None:
    with announce(tmp_path, "http://127.0.0.1:8765/") as path:
        assert path == tmp_path / SERVED_NAME
        assert served_at(tmp_path) == "http://127.0.0.1:8765"
        assert served(tmp_path) == Served("http://127.0.0.1:8765", os.getpid())
    assert not path.exists()
    assert served_at(tmp_path) is None


def test_a_file_left_by_a_dead_server_is_ignored(tmp_path: Path) -> None:
    pid = dead_pid()
    (tmp_path / SERVED_NAME).write_text(json.dumps({"url": "http://127.0.0.1:1", "pid": pid}))
    assert served_at(tmp_path) is None


@pytest.mark.parametrize(
    "text", ["", "not json", "[]", '{"url": 3, "pid": 1}', '{"url": "http://x", "pid": -4}']
)
def test_a_damaged_file_is_ignored(tmp_path: Path, text: str) -> None:
    (tmp_path / SERVED_NAME).write_text(text)
    assert served_at(tmp_path) is None


def test_a_newer_servers_file_is_left_alone(tmp_path: Path) -> None:
    with announce(tmp_path, "http://127.0.0.1:1", pid=os.getpid()):
        # another (live) server took over the workspace meanwhile
        (tmp_path / SERVED_NAME).write_text(json.dumps({"url": "http://127.0.0.1:2", "pid": 1}))
    assert served_at(tmp_path) == "http://127.0.0.1:2"


def test_a_served_workspace_names_its_server_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Workspace.create(tmp_path / "ws").close()
    monkeypatch.setenv("CVM_LOCK_WAIT", "30")
    holder = hold_database(tmp_path / "ws")
    try:
        with announce(tmp_path / "ws", "http://127.0.0.1:8765", holder.pid):
            start = time.monotonic()
            with pytest.raises(WorkspaceBusyError) as writing:
                Workspace.open(tmp_path / "ws")
            with pytest.raises(WorkspaceBusyError) as reading:
                Workspace.open(tmp_path / "ws", read_only=True)
            took = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    message = str(writing.value)
    assert message.startswith(
        f"this workspace is served by cvm serve at http://127.0.0.1:8765 (PID {holder.pid});"
        " run the job through it: curl -X POST http://127.0.0.1:8765/v1/jobs"
    )
    assert "\n" not in message and "Conflicting lock" not in message
    assert "read it through the server (http://127.0.0.1:8765/v1/...)" in str(reading.value)
    assert took < 10  # not the 30 s a lock held by another program is waited for


def test_a_workspace_not_served_keeps_the_lock_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Workspace.create(tmp_path / "ws").close()
    monkeypatch.setenv("CVM_LOCK_WAIT", "0")
    holder = hold_database(tmp_path / "ws")
    try:
        with pytest.raises(WorkspaceBusyError) as busy:
            Workspace.open(tmp_path / "ws")
    finally:
        holder.kill()
        holder.wait()
    assert "served" not in str(busy.value)
    assert f"PID {holder.pid}" in str(busy.value)
