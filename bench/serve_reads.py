"""Reads from the service: GET /v1/profiles/{id} throughput and latency on a big workspace.

    .venv/bin/python bench/serve_reads.py                         # 1,000,000 customers
    .venv/bin/python bench/serve_reads.py --customers 100000 --seconds 5
    .venv/bin/python bench/serve_reads.py --workspace /tmp/cvm-reads   # build once, reuse

Builds (or reuses) a workspace of simulated customers (:func:`cvm.datasets.simulate`, without
behavioural events so generation stays bounded), scores it as `cvm score` does, builds every
live profile, then starts the service (uvicorn, one process, 127.0.0.1 only) and sends GET
/v1/profiles/{id} for random customers from 8 and 32 concurrent clients over keep-alive
connections, for a bounded time each. Prints requests/s, p50/p99 latency, errors, and the
server's peak resident memory. The server and this load generator share the machine.
Targets: >= 2,000 requests/s, p99 < 15 ms.

Other reads and writes are measured the same way: :func:`measure` takes the base URL and a
request maker ``i -> (method, path, body)``; add a phase to ``PHASES`` (a decisions phase
posts ``/v1/decisions``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from cvm.workspace import Workspace

Request = tuple[str, str, bytes]  # method, path (with query), body
RequestMaker = Callable[[int], Request]
MARKER = ".serve_reads"  # a workspace this script built (and may reuse)


# ------------------------------------------------------------------------ the load generator
@dataclass
class Result:
    clients: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter[int]
    errors: int

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def line(self, label: str) -> str:
        ok = self.statuses.get(200, 0)
        other = {k: v for k, v in self.statuses.items() if k != 200}
        return (
            f"{label:<28} {self.clients:>3} clients  {self.requests / self.seconds:8.0f} req/s"
            f"  p50 {self.quantile(0.50):6.2f} ms  p99 {self.quantile(0.99):6.2f} ms"
            f"  ok {ok}  other {dict(other) or 0}  errors {self.errors}"
        )


async def _client(
    host: str, port: int, make: RequestMaker, stop: float, out: Result, start: int, step: int
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while time.perf_counter() < stop:
            method, path, body = make(i)
            i += step
            head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
            if body:
                head += "Content-Type: application/json\r\n"
            sent = time.perf_counter()
            writer.write(head.encode("latin-1") + b"\r\n" + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            out.latencies_ms.append((time.perf_counter() - sent) * 1000)
            out.statuses[int(status_line.split()[1])] += 1
    except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
        out.errors += 1
    finally:
        writer.close()


def measure(url: str, make: RequestMaker, *, clients: int, seconds: float) -> Result:
    """Send ``make(i)`` requests to ``url`` from ``clients`` keep-alive connections for
    ``seconds``; each request's latency is from its first byte sent to its last byte read."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    out = Result(clients, seconds, [], Counter(), 0)

    async def run() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(host, port, make, stop, out, k, clients) for k in range(clients))
        )

    asyncio.run(run())
    return out


# ------------------------------------------------------------------------ the workspace
def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    print(f"{label:<48} {time.perf_counter() - start:8.1f} s", flush=True)
    return value


CHUNK = 100_000
"""Customers simulated at a time: memory stays that of one chunk, whatever the total."""

KEYS = {"customers": ("customer_id",), "transactions": ("transaction_id", "customer_id",
        "refund_of"), "order_items": ("transaction_id",)}  # fmt: skip


def load_chunk(ws: Workspace, part: int, size: int, seed: int) -> int:
    """Simulate ``size`` customers and append them, ids prefixed by the chunk number."""
    from cvm.datasets import simulate

    business = simulate(size, seed=seed + part, events=False)
    for table, keys in KEYS.items():
        frame = getattr(business, table)
        frame = frame.assign(**{k: f"{part:02d}" + frame[k].astype("string") for k in keys})
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        ws.con.register("bench_frame", frame)
        ws.con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bench_frame")
        ws.con.unregister("bench_frame")
    return len(business.transactions)


def build(path: Path, customers: int, seed: int) -> None:
    """Simulate, load, score (as `cvm score` does) and build every live profile."""
    from cvm.clv import fit_clv, save_run, score_clv
    from cvm.segments.live import refresh_profiles

    ws = Workspace.create(path)
    (path / MARKER).write_text(json.dumps({"customers": customers, "seed": seed}))
    try:
        sizes = [min(CHUNK, customers - start) for start in range(0, customers, CHUNK)]
        rows = timed(
            f"simulate and load {customers:,} customers (no events)",
            lambda: sum(load_chunk(ws, k, n, seed) for k, n in enumerate(sizes)),
        )
        print(f"  {rows:,} transactions", flush=True)
        cutoff = str(ws.con.execute("SELECT max(CAST(ts AS DATE)) FROM transactions").fetchone()[0])
        fit = timed(
            "fit mbgnbd + gamma-gamma (as cvm score)",
            lambda: fit_clv(ws, cutoff, models=("mbgnbd",)),
        )
        scores = timed("score every customer", lambda: score_clv(fit, intervals=False))
        timed("store the run", lambda: save_run(ws, fit, scores, {"cutoff": cutoff}))
        timed("build every live profile", lambda: refresh_profiles(ws))
    finally:
        ws.close()


def sample_ids(path: Path, n: int, seed: int) -> list[str]:
    with Workspace.open(path, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT customer_id FROM live_profiles ORDER BY hash(customer_id, ?) LIMIT ?",
            [seed, n],
        ).fetchall()
    return [str(r[0]) for r in rows]


# ------------------------------------------------------------------------ the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(path: Path, port: int) -> subprocess.Popen[bytes]:
    # opened (no key): the key check costs ~16 us a request (README, Keys and roles)
    env = {**os.environ, "CVM_WORKSPACE": str(path), "CVM_OPEN": "1"}
    env.pop("CVM_API_KEY", None)
    command = [sys.executable, "-m", "uvicorn", "--factory", "cvm.api.main:app_from_env",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with {server.returncode}") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


class PeakRss:
    """The peak resident memory of a process, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            self._stop.wait(0.1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 1024**2


# ------------------------------------------------------------------------ the phases
def profile_reads(ids: list[str]) -> RequestMaker:
    """GET /v1/profiles/{id} for a random known customer."""
    rng = random.Random(7)
    order = [rng.choice(ids) for _ in range(100_000)]
    return lambda i: ("GET", f"/v1/profiles/{order[i % len(order)]}", b"")


def health(ids: list[str]) -> RequestMaker:
    """GET /api/health: the stack alone (uvicorn, FastAPI), no database: the floor to read
    the other figures against on a shared machine."""
    return lambda i: ("GET", "/api/health", b"")


PHASES: dict[str, Callable[[list[str]], RequestMaker]] = {
    "GET /api/health (baseline)": health,
    "GET /v1/profiles/{id}": profile_reads,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workspace", type=Path, help="build here once and reuse it")
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    folder = args.workspace or Path(tempfile.mkdtemp(prefix="cvm-reads-"))
    marker = folder / MARKER
    if marker.exists() and json.loads(marker.read_text())["customers"] == args.customers:
        print(f"reusing {folder}")
    elif folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} holds something this script did not build: use another")
    else:
        build(folder, args.customers, args.seed)
    ids = sample_ids(folder, 20_000, args.seed)
    print(f"{len(ids):,} customers sampled for the requests", flush=True)

    port = free_port()
    server = start_server(folder, port)
    rss = PeakRss(server.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        for label, phase in PHASES.items():
            make = phase(ids)
            measure(url, make, clients=4, seconds=min(3.0, args.seconds))  # warm up
            for clients in args.clients:
                print(measure(url, make, clients=clients, seconds=args.seconds).line(label))
    finally:
        peak = rss.stop()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"server peak RSS {peak:,.0f} MB; this process (generation, load) {own:,.0f} MB")


if __name__ == "__main__":
    main()
