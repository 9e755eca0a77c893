"""The service under load: events, decisions and profile reads, in one run.

    python bench/serve.py --workspace /tmp/cvm-serve-1m --seconds 10     # builds it once
    python bench/serve.py --workspace DIR --customers 100000 --seconds 5 --phases profiles

Three phases, each against `cvm serve` (one process, 127.0.0.1 only) started as a user starts
it, with an admin key in ``CVM_API_KEY`` (so the key check is paid):

- **events**: a fresh workspace; ``--event-clients`` connections send ``/v1/batch`` envelopes
  of ``--batch`` Segment track/page/identify messages (every ``messageId`` new); an event
  counts once its request is answered 200, that is committed. Afterwards the stored events
  must equal the acknowledged ones (exit status 1 otherwise).
- **decisions**: ``POST /v1/decisions`` for random customers on random channels of the big
  workspace (``--customers``, default 1,000,000, built once in ``--workspace`` and reused:
  simulated without behavioural events, scored as `cvm score`, every live profile built, an
  offer catalog of five offers on e-mail, SMS and push). The first decision, which builds the
  in-memory snapshot, is timed apart.
- **profiles**: ``GET /v1/profiles/{id}`` for random customers of the same workspace.

Decisions and profiles are measured at each of ``--clients`` (default 8 and 32) closed-loop
keep-alive connections for ``--seconds``. The load generator is raw HTTP/1.1 on asyncio
streams (uvloop when installed), its requests built before the clock starts, so the server
gets most of the machine. Per measurement it prints throughput, p50/p99 latency, the server's
CPU-seconds per 1,000 requests (read from the server process: with it a run on a busy
machine can be read, 1,000 / that figure being what one idle core of server would serve),
the machine's load average, and per server the peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from cvm.workspace import Workspace  # noqa: E402

KEY = "cvm_bench-serve-admin-key"
AUTH = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
MARKER = ".serve_bench"  # a workspace this script built (and may reuse)
CHUNK = 100_000  # customers simulated at a time: memory stays that of one chunk
CATALOG = """
[decide.realtime]
holdout_share = 0.1
exploration_cap = 1.0
refresh_seconds = 86400.0

[[offers]]
id = "welcome-back"
kind = "win-back"
channel = "email"
unit_cost = 0.05
lift = 0.04

[[offers]]
id = "stay-10"
kind = "retention"
channel = "email"
unit_cost = 0.1
lift = 0.03

[[offers]]
id = "accessory"
kind = "cross-sell"
channel = "email"
unit_cost = 0.05
lift = 0.05
margin = 0.4

[[offers]]
id = "sms-upgrade"
kind = "up-sell"
channel = "sms"
unit_cost = 0.3
lift = 0.04
cooldown_days = 14

[[offers]]
id = "push-new"
kind = "cross-sell"
channel = "push"
unit_cost = 0.01
lift = 0.02
"""


# ------------------------------------------------------------------------ the load generator
@dataclass
class Result:
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    cpu: float = 0.0  # server CPU-seconds over the measurement

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def line(self, label: str, unit: str = "req/s") -> str:
        n = len(self.latencies_ms)
        other = {k: v for k, v in self.statuses.items() if k != 200}
        per = 1000 * self.cpu / n if n else float("nan")
        extra = f"  answers {dict(self.answers)}" if self.answers else ""
        return (
            f"{label:<24} {self.clients:>3} clients {n / self.seconds:8,.0f} {unit}"
            f"  p50 {self.quantile(0.50):6.2f} ms  p99 {self.quantile(0.99):7.2f} ms"
            f"  server {per:5.3f} CPU-s/1000 (~{1000 / per if per else 0:,.0f}/s a core)"
            f"  load {os.getloadavg()[0]:.1f}  non-200 {other or 0}  errors {self.errors}{extra}"
        )


Classify = Callable[[bytes], str | None]


async def _client(
    port: int, requests: list[bytes], stop: float, out: Result, start: int, classify: Classify
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i, step = start, out.clients
    try:
        while time.perf_counter() < stop:
            request = requests[i % len(requests)]
            i += step
            sent = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            out.latencies_ms.append((time.perf_counter() - sent) * 1000)
            status = int(status_line[9:12])
            out.statuses[status] += 1
            if status == 200 and (kind := classify(body)) is not None:
                out.answers[kind] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        out.errors += 1
    finally:
        writer.close()


def measure(
    server: psutil.Process,
    port: int,
    requests: list[bytes],
    *,
    clients: int,
    seconds: float,
    classify: Classify = lambda body: None,
) -> Result:
    """Send ``requests`` (whole HTTP/1.1 requests, in turn) from ``clients`` closed-loop
    keep-alive connections for ``seconds``; latency is from the first byte sent to the last
    byte read."""
    out = Result(clients)

    async def run() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(port, requests, stop, out, k, classify) for k in range(clients))
        )

    cpu = sum(server.cpu_times()[:2])
    started = time.perf_counter()
    try:
        import uvloop

        uvloop.run(run())
    except ImportError:
        asyncio.run(run())
    out.seconds = time.perf_counter() - started
    out.cpu = sum(server.cpu_times()[:2]) - cpu
    return out


def http(method: str, path: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\n"
        f"Content-Length: {len(body)}\r\n"
    )
    if body:
        head += "Content-Type: application/json\r\n"
    return head.encode("latin-1") + b"\r\n" + body


# ------------------------------------------------------------------------ the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`cvm serve -w path` on a free loopback port, with the bench's admin key; its peak
    resident memory sampled every 0.1 s."""

    def __init__(self, path: Path, **env: str) -> None:
        self.port = free_port()
        environ = {**os.environ, "PYTHONPATH": str(SRC), "CVM_API_KEY": KEY, **env}
        environ.pop("CVM_OPEN", None)
        self.popen = subprocess.Popen(
            [sys.executable, "-c", "from cvm.cli import main; main()", "serve", "-w", str(path),
             "--host", "127.0.0.1", "--port", str(self.port)],
            env=environ, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.process = psutil.Process(self.popen.pid)
        self.peak = 0
        self._stop = threading.Event()
        deadline = time.monotonic() + 300
        while not self._healthy():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.popen.kill()
                raise SystemExit("cvm serve did not start")
            time.sleep(0.2)
        threading.Thread(target=self._sample, daemon=True).start()

    def _healthy(self) -> bool:
        try:
            return self.call("GET", "/api/health")[0] == 200
        except OSError:
            return False

    def call(
        self, method: str, path: str, body: bytes = b"", timeout: float = 5
    ) -> tuple[int, bytes]:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(http(method, path, body).replace(b"HTTP/1.1\r\n", b"HTTP/1.0\r\n", 1))
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        return int(head[9:12]), rest

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            self._stop.wait(0.1)

    def stop(self) -> float:
        """Stop the server gracefully; its peak RSS in MiB."""
        self._stop.set()
        self.popen.terminate()
        try:
            self.popen.wait(60)
        except subprocess.TimeoutExpired:
            self.popen.kill()
        return self.peak / 2**20


# ------------------------------------------------------------------------ the big workspace
def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    print(f"  {label:<50} {time.perf_counter() - start:8.1f} s", flush=True)
    return value


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
    """Simulate, load, score (as `cvm score` does), build every live profile, write the
    offer catalog."""
    from cvm.clv import fit_clv, save_run, score_clv
    from cvm.segments.live import refresh_profiles

    print(f"building {path} ({customers:,} customers)", flush=True)
    ws = Workspace.create(path)
    try:
        sizes = [min(CHUNK, customers - start) for start in range(0, customers, CHUNK)]
        rows = timed(
            "simulate and load (no behavioural events)",
            lambda: sum(load_chunk(ws, k, n, seed) for k, n in enumerate(sizes)),
        )
        print(f"  {rows:,} transactions", flush=True)
        # scores as of the newest data day; the contact policy applies as of today
        cutoff = str(ws.con.execute("SELECT max(CAST(ts AS DATE)) FROM transactions").fetchone()[0])
        fit = timed("fit mbgnbd + gamma-gamma", lambda: fit_clv(ws, cutoff, models=("mbgnbd",)))
        scores = timed("score every customer", lambda: score_clv(fit, intervals=False))
        timed("store the run", lambda: save_run(ws, fit, scores, {"cutoff": cutoff}))
        timed("build every live profile", lambda: refresh_profiles(ws))
    finally:
        ws.close()
    with (path / "cvm.toml").open("a", encoding="utf-8") as f:
        f.write(CATALOG)
    (path / MARKER).write_text(json.dumps({"customers": customers, "seed": seed}))


def prepare(path: Path, customers: int, seed: int) -> list[str]:
    """The big workspace, built or reused (earlier runs' decisions removed, so every run
    starts from the same contact history); a sample of its customer ids."""
    marker = path / MARKER
    if marker.exists() and json.loads(marker.read_text())["customers"] == customers:
        print(f"reusing {path} (earlier decisions removed)", flush=True)
    elif path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path} holds something this script did not build: use another")
    else:
        build(path, customers, seed)
    with Workspace.open(path) as ws:
        for table, where in (
            ("decision_outcomes", ""),
            ("decisions", ""),
            ("contacts", " WHERE campaign_id LIKE 'rt.%'"),
            ("assignments", " WHERE campaign_id LIKE 'rt.%'"),
            ("campaigns", " WHERE campaign_id LIKE 'rt.%'"),
        ):
            ws.con.execute(f"DELETE FROM {table}{where}")
        rows = ws.con.execute(
            "SELECT customer_id FROM live_profiles ORDER BY hash(customer_id, ?) LIMIT 50000",
            [seed],
        ).fetchall()
    return [str(r[0]) for r in rows]


# ------------------------------------------------------------------------ the phases
def event_bodies(client: int, count: int, size: int, customers: int) -> list[bytes]:
    """``count`` /v1/batch requests of ``size`` messages, every messageId new."""
    at = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    out = []
    for b in range(count):
        batch = []
        for i in range(size):
            n = (client * count + b) * size + i
            user = f"{n * 7919 % customers:06d}"
            kind = ("track", "track", "track", "page", "identify")[i % 5]
            message = {"type": kind, "userId": user, "messageId": f"b-{client}-{b}-{i}",
                       "timestamp": at, "context": {"ip": "127.0.0.1"}}  # fmt: skip
            if kind == "track":
                message |= {"event": "Product Viewed", "properties": {"sku": f"{n % 500:05d}"}}
            elif kind == "page":
                message |= {"name": "Home", "properties": {"path": "/"}}
            else:
                message["traits"] = {"email": f"user{user}@example.com"}
            batch.append(message)
        out.append(http("POST", "/v1/batch", json.dumps({"batch": batch, "sentAt": at}).encode()))
    return out


def events_phase(args: argparse.Namespace) -> bool:
    folder = Path(tempfile.mkdtemp(prefix="cvm-bench-events-"))
    try:
        root = folder / "shop"
        Workspace.create(root).close()
        # enough distinct requests that none is sent twice (a duplicate costs less)
        per_client = max(2, int(args.seconds * 30_000 / args.batch / args.event_clients))
        clients = args.event_clients
        requests = [
            r
            for group in zip(*(event_bodies(c, per_client, args.batch, 20_000)
                               for c in range(clients)), strict=True)
            for r in group
        ]  # fmt: skip
        server = Server(root)
        try:  # a first batch outside the clock: its window pays the first load's start-up
            warm = event_bodies(clients, 1, args.batch, 20_000)[0]
            server.call("POST", "/v1/batch", warm[warm.index(b"\r\n\r\n") + 4 :], timeout=300)
            result = measure(
                server.process, server.port, requests, clients=clients, seconds=args.seconds
            )
        finally:
            peak = server.stop()
        acked = result.ok * args.batch
        with Workspace.open(root) as ws:  # less the warm-up batch
            stored = int(ws.con.execute("SELECT count(*) FROM events").fetchone()[0]) - args.batch
            windows, size = ws.con.execute(
                "SELECT count(*) - 1, (sum(rows_read) - ?) / (count(*) - 1) FROM loads"
                " WHERE kind = 'events'",
                [args.batch],
            ).fetchone()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(result.line(f"POST /v1/batch ({args.batch} ev)"))
    print(
        f"  events/s {acked / result.seconds:,.0f} ({acked:,} committed);"
        f" server {1000 * result.cpu / max(acked, 1):.3f} CPU-s per 1,000 events"
        f" (~{acked / max(result.cpu, 1e-9):,.0f} events/s a core); {windows} commits of"
        f" {size or 0:,.0f} events; peak RSS {peak:,.0f} MiB;"
        f" stored {stored:,} ({'= acknowledged' if stored == acked else 'NOT = acknowledged'})",
        flush=True,
    )
    return stored == acked


def decision_kind(body: bytes) -> str | None:
    if b'"arm":"control"' in body:
        return "holdout"
    return "offer" if b'"action":"offer"' in body else "none"


def big_phases(args: argparse.Namespace) -> None:
    ids = prepare(args.workspace, args.customers, args.seed)
    rng = random.Random(args.seed)
    channels = ("email", "email", "sms", "push")
    bodies = [json.dumps({"customer_id": c, "channel": rng.choice(channels)}).encode() for c in ids]
    decisions = [http("POST", "/v1/decisions", body) for body in bodies]
    profiles = [http("GET", f"/v1/profiles/{c}") for c in rng.sample(ids, len(ids))]
    server = Server(args.workspace)
    started = time.perf_counter()
    while b'"profiles_in_memory":true' not in server.call("GET", "/api/health")[1]:
        if time.perf_counter() - started > 900:
            server.stop()
            raise SystemExit("the live profiles were not in memory after 15 minutes")
        time.sleep(0.5)
    print(f"every live profile in memory after {time.perf_counter() - started:.1f} s", flush=True)
    try:
        if "decisions" in args.phases:
            started = time.perf_counter()
            status, body = server.call("POST", "/v1/decisions", bodies[0], timeout=1800)
            print(
                f"first decision (builds the snapshot): {time.perf_counter() - started:.1f} s,"
                f" {status} {body[:100].decode(errors='replace')}",
                flush=True,
            )
        for phase, requests, classify, unit in (
            ("decisions", decisions, decision_kind, "dec/s"),
            ("profiles", profiles, lambda body: None, "req/s"),
        ):
            if phase not in args.phases:
                continue
            label = "POST /v1/decisions" if phase == "decisions" else "GET /v1/profiles/{id}"
            warm = min(2.0, args.seconds)
            measure(server.process, server.port, requests, clients=4, seconds=warm)
            for clients in args.clients:
                result = measure(
                    server.process, server.port, requests, clients=clients,
                    seconds=args.seconds, classify=classify,
                )  # fmt: skip
                print(result.line(label, unit), flush=True)
    finally:
        peak = server.stop()
    print(f"  server peak RSS (decisions and profiles) {peak:,.0f} MiB", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="the big workspace: built once, reused")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--event-clients", type=int, default=32)
    parser.add_argument("--batch", type=int, default=500, help="events per /v1/batch request")
    parser.add_argument("--phases", nargs="+", default=["events", "decisions", "profiles"],
                        choices=["events", "decisions", "profiles"])  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.workspace is None:
        args.workspace = Path(tempfile.mkdtemp(prefix="cvm-bench-serve-")) / "big"
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start;"
        f" {args.seconds:g} s per measurement, loopback",
        flush=True,
    )
    ok = events_phase(args) if "events" in args.phases else True
    if {"decisions", "profiles"} & set(args.phases):
        big_phases(args)
    print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
