"""Readers never block each other, a writer waits for a lock with a message and then gives
advice, and polling the service's health never starves a writer. Real processes throughout:
DuckDB's lock is per process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cvm.workspace import Workspace
from db_holder import hold_database
from handmade import add_customer, add_orders

SRC = str(Path(__file__).resolve().parents[2] / "src")
CLI = "from cvm.cli import main; main()"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def cvm(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(**env),
    )


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    with Workspace.create(tmp_path / "shop") as ws:
        for i in range(5):
            add_customer(ws, f"00{i}", "2024-01-01")
            add_orders(ws, f"00{i}", ["2024-01-05", "2024-03-05"], 40.0 + i)
    return tmp_path / "shop"


@pytest.fixture
def holder(ws_path: Path, request: pytest.FixtureRequest) -> Iterator[int]:
    """A process holding the database open (read-only when the test is parametrised so)."""
    read_only = getattr(request, "param", False)
    proc = hold_database(ws_path, read_only=read_only)
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("holder", [True], indirect=True)
def test_read_commands_run_beside_a_reader_and_each_other(ws_path: Path, holder: int) -> None:
    # a long reader holds the workspace; two read commands start together: all succeed
    procs = [
        cvm("info", "-w", str(ws_path)),
        cvm("kpis", "-w", str(ws_path), "--as-of", "2024-03-31"),
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "waiting" not in err
    assert "transactions" in outs[0][0] and "10" in outs[0][0]  # 5 customers x 2 orders
    assert "active" in outs[1][0]


def test_a_locked_writer_waits_then_gives_advice(
    ws_path: Path, holder: int, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,date,total\nA1,007,2024-04-01,10.00\n")
    started = time.monotonic()
    proc = cvm("ingest", "transactions", str(orders), "-w", str(ws_path), CVM_LOCK_WAIT="1.5")
    _out, err = proc.communicate(timeout=120)
    waited = time.monotonic() - started
    assert proc.returncode == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[0].startswith("waiting for the lock held by python"), err
    assert f"PID {holder}" in lines[0]
    assert lines[-1].startswith("error: workspace shop is busy:"), err
    assert "run this again when it has finished" in lines[-1]
    assert "CVM_LOCK_WAIT" in lines[-1]
    assert "Traceback" not in err and "IO Error" not in err
    assert waited >= 1.5


def test_a_writer_gets_the_lock_once_a_reader_leaves(ws_path: Path, tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,date,total\nA1,007,2024-04-01,10.00\n")
    reader = hold_database(ws_path, read_only=True, seconds=1.5)
    proc = cvm("ingest", "transactions", str(orders), "-w", str(ws_path))
    _out, err = proc.communicate(timeout=120)
    reader.wait()
    assert proc.returncode == 0, err
    with Workspace.open(ws_path, read_only=True) as ws:
        assert ws.con.execute("SELECT count(*) FROM transactions").fetchall()[0][0] == 11


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_polling_health_never_starves_a_writer(ws_path: Path, tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "cvm.api.main:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        # a server loading live profiles holds the database from its start, by design; this
        # one loads them on first use, so only health's own behaviour is on trial here
        env=_env(CVM_WORKSPACE=str(ws_path), CVM_OPEN="1", CVM_LIVE_AT_START="0"),
    )
    url = f"http://127.0.0.1:{port}/api/health"
    statuses: list[int] = []
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)

        def poll() -> None:
            with httpx.Client(timeout=5) as client:
                while not stop.is_set():
                    statuses.append(client.get(url).status_code)
                    time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        for k in range(3):
            orders = tmp_path / f"orders{k}.csv"
            orders.write_text(
                f"order_id,customer_id,date,total\nB{k},00{k},2024-05-0{k + 1},20.00\n"
            )
            proc = cvm("ingest", "transactions", str(orders), "-w", str(ws_path))
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert "waiting" not in err  # health never held the lock
        stop.set()
        poller.join(timeout=10)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=20)
    assert len(statuses) >= 10 and set(statuses) == {200}
    with Workspace.open(ws_path, read_only=True) as ws:
        assert ws.con.execute("SELECT count(*) FROM transactions").fetchall()[0][0] == 13


def test_the_lock_holder_is_named_from_duckdbs_message() -> None:
    from cvm.workspace.connection import lock_holder

    serve = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)  # cvm.cli", "serve", "--port", "1"]
    )
    try:
        time.sleep(0.2)
        message = (
            'IO Error: Could not set lock on file "/x/cvm.duckdb": Conflicting lock is held in'
            f" /usr/bin/python3.11 (PID {serve.pid}) by user root. See also https://duckdb.org"
        )
        assert lock_holder(message) == ("cvm serve", serve.pid)
    finally:
        serve.kill()
        serve.wait()
    gone = message.replace(f"PID {serve.pid}", "PID 999999999")
    assert lock_holder(gone) == ("python3.11", 999999999)
    assert lock_holder("IO Error: something else") is None
