"""`cvm serve` as a real server: Segment's and RudderStack's official clients send to it.

The server runs as a subprocess on 127.0.0.1 (free port) with a write key, is stopped by its
PID, and the workspace is then read directly: every message the clients sent is stored once.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import cvm
from cvm.workspace import Workspace

KEY = "wk-7d1e0a55c3"
NOW = datetime.now(UTC) - timedelta(hours=1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(root: Path, port: int, **env: str) -> subprocess.Popen[bytes]:
    src = str(Path(cvm.__file__).parents[1])
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    environ.update({"CVM_API_KEY": KEY, **env})
    command = ["serve", "-w", str(root), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cvm.cli import main; main()", *command],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"cvm serve exited early with {proc.returncode}")
        try:
            if (
                httpx.get(
                    f"http://127.0.0.1:{port}/api/health", auth=(KEY, ""), timeout=2
                ).status_code
                == 200
            ):
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("cvm serve did not answer within 90 s")


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
    proc.wait(30)


@contextmanager
def served(root: Path, **env: str) -> Iterator[str]:
    port = _free_port()
    proc = start_server(root, port, **env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "shop"
    Workspace.create(path).close()
    return path


def stored(root: Path) -> dict[str, tuple[str, int]]:
    """message_id -> (type, copies) of every stored event."""
    with Workspace.open(root) as ws:
        got = ws.engine.rows("SELECT message_id, any_value(type), count(*) FROM events GROUP BY 1")
    return {m: (t, int(n)) for m, t, n in got}


CLIENTS = {"segment": "segment.analytics", "rudderstack": "rudderstack.analytics"}


@pytest.mark.parametrize("name", CLIENTS)
def test_official_client_delivers_each_call_once(root: Path, name: str) -> None:
    module = importlib.import_module(CLIENTS[name])
    errors: list[Any] = []
    sent: dict[str, str] = {}

    def mid(kind: str) -> str:
        message_id = f"{name}-{kind}-{uuid.uuid4().hex[:8]}"
        sent[message_id] = kind
        return message_id

    with served(root) as base:
        sync = module.Client(KEY, host=base, sync_mode=True, gzip=True, on_error=errors.append)
        at = NOW
        sync.identify(
            "0042", {"email": "ann@example.com"}, timestamp=at, message_id=mid("identify")
        )
        sync.track("0042", "Product Viewed", {"sku": "007"}, timestamp=at,
                   message_id=mid("track"))  # fmt: skip
        sync.page("0042", "Shop", "Home", {"path": "/"}, timestamp=at, message_id=mid("page"))
        sync.alias("anon-1", "0042", timestamp=at, message_id=mid("alias"))
        batched = module.Client(KEY, host=base, on_error=lambda e, b: errors.append(e),
                                upload_size=5, upload_interval=0.2)  # fmt: skip
        for i in range(12):
            batched.track("0042", "Added To Cart", {"n": i}, timestamp=at + timedelta(seconds=i),
                          message_id=mid("track"))  # fmt: skip
        batched.flush()
        batched.join()
    assert errors == []
    assert stored(root) == {m: (kind, 1) for m, kind in sent.items()}


def test_a_retry_after_a_lost_answer_is_stored_once(root: Path) -> None:
    from segment.analytics.request import post

    batch = [{"type": "track", "userId": "0042", "event": "Viewed", "messageId": f"r-{i}",
              "timestamp": NOW.isoformat()} for i in range(20)]  # fmt: skip
    with served(root, CVM_BATCH_INTERVAL_MS="400") as base:
        # the answer is lost (the client gives up before the commit) ...
        with pytest.raises(httpx.TimeoutException):
            auth = (KEY, "")
            httpx.post(f"{base}/v1/batch", json={"batch": batch}, auth=auth, timeout=0.05)
        # ... so the client sends the same batch again, as its consumer does on a retry
        assert post(KEY, host=base, retry_count=1, batch=batch).status_code == 200
        assert post(KEY, host=base, retry_count=2, batch=batch).status_code == 200
    assert stored(root) == {f"r-{i}": ("track", 1) for i in range(20)}


def test_serve_refuses_more_than_one_worker(root: Path) -> None:
    src = str(Path(cvm.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": src, "CVM_WORKERS": "2"}
    done = subprocess.run(
        [sys.executable, "-c", "from cvm.cli import main; main()", "serve", "-w", str(root)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "workers = 2" in lines[0] and "one worker" in lines[0]
    assert "Traceback" not in done.stderr


def _send_stream(base: str, client: int, acked: list[int], tried: list[int]) -> None:
    """Batches of 50 events, one after another, until the server goes away."""
    with httpx.Client(base_url=base, auth=(KEY, ""), timeout=30) as http:
        for b in range(100_000):
            number = client * 100_000 + b
            tried.append(number)
            try:
                answer = http.post("/v1/batch", json=_fault_batch(number))
            except httpx.TransportError:
                return
            if answer.status_code == 200:
                acked.append(number)


def _fault_batch(number: int) -> dict[str, Any]:
    at = NOW.isoformat()
    user = f"{number % 97:04d}"
    batch = [
        {"type": "track", "userId": user, "event": "Viewed", "messageId": f"f-{number}-{i}",
         "timestamp": at}
        for i in range(50)
    ]  # fmt: skip
    return {"batch": batch}


@pytest.mark.slow
def test_sigkill_loses_no_acknowledged_event_and_a_resend_completes(root: Path) -> None:
    import threading

    port = _free_port()
    proc = start_server(root, port, CVM_BATCH_INTERVAL_MS="20")
    base = f"http://127.0.0.1:{port}"
    acked: list[int] = []
    tried: list[int] = []
    senders = [
        threading.Thread(target=_send_stream, args=(base, c, acked, tried)) for c in range(3)
    ]
    for t in senders:
        t.start()
    deadline = time.monotonic() + 120
    while len(acked) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop(proc, signal.SIGKILL)  # mid-stream: batches are in flight
    for t in senders:
        t.join(30)
    assert len(acked) >= 20
    # after the crash: every acknowledged event is there exactly once
    after_crash = stored(root)
    for number in acked:
        for i in range(50):
            assert after_crash.get(f"f-{number}-{i}") == ("track", 1)
    # a batch is all or nothing: a window commits whole requests
    for number in set(tried) - set(acked):
        copies = {after_crash.get(f"f-{number}-{i}") for i in range(50)}
        assert copies in ({None}, {("track", 1)})
    # the clients send again what was not acknowledged (and, at least once, a few that were)
    unacked = sorted(set(tried) - set(acked))
    assert unacked, "no batch was in flight when the server was killed"
    with served(root) as base, httpx.Client(base_url=base, auth=(KEY, ""), timeout=30) as http:
        for number in unacked + acked[:5]:
            assert http.post("/v1/batch", json=_fault_batch(number)).status_code == 200
    final = stored(root)
    assert final == {f"f-{n}-{i}": ("track", 1) for n in tried for i in range(50)}


def test_a_writing_command_on_a_served_workspace_says_where_the_server_is(root: Path) -> None:
    """`cvm serve` holds the workspace from its start and announces itself in it."""
    src = str(Path(cvm.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": src, "CVM_LOCK_WAIT": "30"}
    with served(root) as base:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "cvm", "fit", "-w", str(root)],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        waited = time.monotonic() - started
    assert done.returncode == 1
    assert f"served by cvm serve at {base}" in done.stderr
    assert "Traceback" not in done.stderr and "lock" not in done.stderr.lower()
    assert waited < 30  # told at once, not after the lock wait
    assert not (root / ".cvm-served.json").exists()  # the notice goes with the server
