"""Real-time decisions from the service: POST /v1/decisions throughput and latency.

    .venv/bin/python bench/serve_decisions.py                       # 1,000,000 customers
    .venv/bin/python bench/serve_decisions.py --customers 100000 --seconds 5
    .venv/bin/python bench/serve_decisions.py --workspace /tmp/cvm-decide   # build once, reuse

Builds (or reuses) a workspace of simulated customers (:func:`cvm.datasets.simulate` without
behavioural events, loaded a chunk at a time), fits and stores CLV as `cvm score` does, and
writes an offer catalog (e-mail, SMS and push offers of several kinds) into its cvm.toml. Then
starts the service (uvicorn, one process, 127.0.0.1 only), times the first decision (the
snapshot of every customer's eligibility, policy and values is built then), and sends
POST /v1/decisions for random customers on random channels from 8 and 32 concurrent clients
over keep-alive connections, for a bounded time each. Prints decisions/s, p50/p99 latency,
the answers' mix (offer, none, holdout), errors, and the server's peak resident memory. The
server and this load generator share the machine. Targets: >= 1,000 decisions/s, p99 < 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvm.workspace import Workspace
from serve_reads import CHUNK, PeakRss, free_port, load_chunk, start_server

MARKER = ".serve_decisions"  # a workspace this script built (and may reuse)
CATALOG = """
[decide.realtime]
holdout_share = 0.1
exploration_cap = 1.0
refresh_seconds = 86400.0
fresh_consent = true

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
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    errors: int = 0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def line(self, label: str) -> str:
        n = len(self.latencies_ms)
        other = {k: v for k, v in self.statuses.items() if k != 200}
        return (
            f"{label:<20} {self.clients:>3} clients  {n / self.seconds:8.0f} decisions/s"
            f"  p50 {self.quantile(0.50):6.2f} ms  p99 {self.quantile(0.99):6.2f} ms"
            f"  answers {dict(self.answers)}  non-200 {other or 0}  errors {self.errors}"
        )


async def _client(port: int, bodies: list[bytes], stop: float, out: Result, start: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = start
    try:
        while time.perf_counter() < stop:
            body = bodies[i % len(bodies)]
            i += out.clients
            head = (
                "POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            sent = time.perf_counter()
            writer.write(head.encode("latin-1") + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            payload = await reader.readexactly(length)
            out.latencies_ms.append((time.perf_counter() - sent) * 1000)
            status = int(status_line.split()[1])
            out.statuses[status] += 1
            if status == 200:
                answer = json.loads(payload)
                out.answers["holdout" if answer["arm"] == "control" else answer["action"]] += 1
    except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
        out.errors += 1
    finally:
        writer.close()


def measure(port: int, bodies: list[bytes], *, clients: int, seconds: float) -> Result:
    out = Result(clients, seconds)

    async def run() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, bodies, stop, out, k) for k in range(clients)))

    asyncio.run(run())
    return out


# ------------------------------------------------------------------------ the workspace
def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    print(f"{label:<52} {time.perf_counter() - start:8.1f} s", flush=True)
    return value


def build(path: Path, customers: int, seed: int) -> None:
    """Simulate, load, fit and store CLV as of the last purchase day, write the catalog."""
    from cvm.clv import fit_clv, save_run, score_clv

    ws = Workspace.create(path)
    try:
        sizes = [min(CHUNK, customers - start) for start in range(0, customers, CHUNK)]
        rows = timed(
            f"simulate and load {customers:,} customers (no events)",
            lambda: sum(load_chunk(ws, k, n, seed) for k, n in enumerate(sizes)),
        )
        print(f"  {rows:,} transactions", flush=True)
        # the service scores as of the newest data day (here before today) and applies the
        # contact policy as of today
        day = ws.con.execute("SELECT max(CAST(ts AS DATE)) FROM transactions").fetchone()
        today = str(day[0])
        fit = timed(
            "fit mbgnbd + gamma-gamma (as cvm score)",
            lambda: fit_clv(ws, today, models=("mbgnbd",)),
        )
        scores = timed("score every customer", lambda: score_clv(fit, intervals=False))
        timed("store the run", lambda: save_run(ws, fit, scores, {"cutoff": today}))
    finally:
        ws.close()
    with (path / "cvm.toml").open("a", encoding="utf-8") as f:
        f.write(CATALOG)
    (path / MARKER).write_text(json.dumps({"customers": customers, "seed": seed}))


def forget_decisions(path: Path) -> None:
    """Drop what earlier runs decided, so every run starts from the same contact history."""
    with Workspace.open(path) as ws:
        for statement in (
            "DELETE FROM decision_outcomes",
            "DELETE FROM decisions",
            "DELETE FROM contacts WHERE campaign_id LIKE 'rt.%'",
            "DELETE FROM assignments WHERE campaign_id LIKE 'rt.%'",
            "DELETE FROM campaigns WHERE campaign_id LIKE 'rt.%'",
        ):
            ws.con.execute(statement)


def request_bodies(path: Path, n: int, seed: int) -> list[bytes]:
    with Workspace.open(path, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT customer_id FROM customers ORDER BY hash(customer_id, ?) LIMIT ?", [seed, n]
        ).fetchall()
    rng = random.Random(seed)
    channels = ("email", "email", "sms", "push")
    return [
        json.dumps({"customer_id": str(r[0]), "channel": rng.choice(channels)}).encode()
        for r in rows
    ]


# ------------------------------------------------------------------------ the server
def first_decision(port: int, body: bytes) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/decisions",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=1800) as answer:
        print(f"  first answer: {answer.read().decode()[:160]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workspace", type=Path, help="build here once and reuse it")
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--consent",
        choices=("fresh", "snapshot"),
        default="fresh",
        help="read consent per decision (default) or from the snapshot",
    )
    args = parser.parse_args()

    folder = args.workspace or Path(tempfile.mkdtemp(prefix="cvm-decide-"))
    marker = folder / MARKER
    if marker.exists() and json.loads(marker.read_text())["customers"] == args.customers:
        print(f"reusing {folder} (earlier decisions removed)")
        forget_decisions(folder)
    elif folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} holds something this script did not build: use another")
    else:
        build(folder, args.customers, args.seed)
    config = folder / "cvm.toml"
    text = config.read_text(encoding="utf-8")
    fresh = "true" if args.consent == "fresh" else "false"
    config.write_text(
        text.replace("fresh_consent = true", f"fresh_consent = {fresh}").replace(
            "fresh_consent = false", f"fresh_consent = {fresh}"
        ),
        encoding="utf-8",
    )
    print(f"consent read: {args.consent}", flush=True)
    bodies = request_bodies(folder, 50_000, args.seed)
    print(f"{len(bodies):,} requests prepared", flush=True)

    port = free_port()
    server = start_server(folder, port)
    rss = PeakRss(server.pid)
    try:
        timed(
            "first decision (builds the in-memory snapshot)",
            lambda: first_decision(port, bodies[0]),
        )
        measure(port, bodies, clients=4, seconds=min(3.0, args.seconds))  # warm up
        for clients in args.clients:
            print(
                measure(port, bodies, clients=clients, seconds=args.seconds).line(
                    "POST /v1/decisions"
                )
            )
    finally:
        peak = rss.stop()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"server peak RSS {peak:,.0f} MB; this process (generation, load) {own:,.0f} MB")


if __name__ == "__main__":
    main()
