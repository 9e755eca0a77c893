"""Collection throughput: events/s through ``POST /v1/batch`` of `cvm serve`, and its peak RSS.

    python bench/serve.py [--seconds 15] [--clients 4] [--batch 500] [--customers 20000]

Server and load generator share this machine (loopback only). The server is `cvm serve` on a
fresh workspace with a write key; ``--clients`` threads each send batch envelopes of
``--batch`` Segment track/identify/page messages (distinct ``messageId`` s, ``--customers``
users, the bodies built before the clock starts) for ``--seconds``; an event counts once its
request has been answered 200, that is once it is committed. The server's resident memory is
sampled every 50 ms. Afterwards the workspace is read: the stored events must equal the
acknowledged ones (exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil

KEY = "bench-write-key-5e1"
SRC = Path(__file__).resolve().parents[1] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bodies(client: int, count: int, size: int, customers: int) -> list[bytes]:
    """``count`` batch bodies of ``size`` messages, every messageId new."""
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
        out.append(json.dumps({"batch": batch, "sentAt": at}).encode())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--window", type=int, default=0, help="CVM_BATCH_SIZE for the server")
    args = parser.parse_args()
    sys.path.insert(0, str(SRC))
    from cvm.workspace import Workspace

    folder = Path(tempfile.mkdtemp(prefix="cvm-bench-serve-"))
    root = folder / "shop"
    Workspace.create(root).close()
    # enough bodies for 40,000 events/s per client thread (more than one core can send)
    per_client = max(2, int(args.seconds * 40_000 / args.batch / args.clients))
    work = [bodies(c, per_client, args.batch, args.customers) for c in range(args.clients)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(SRC), "CVM_API_KEY": KEY}
    if args.window:
        env["CVM_BATCH_SIZE"] = str(args.window)
    server = subprocess.Popen(
        [sys.executable, "-c", "from cvm.cli import main; main()", "serve", "-w", str(root),
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/health", auth=(KEY, ""), timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("cvm serve did not start")
            time.sleep(0.2)
        proc = psutil.Process(server.pid)
        peak = proc.memory_info().rss
        cpu_before = sum(proc.cpu_times()[:2])
        own_before = sum(psutil.Process().cpu_times()[:2])
        acked = [0] * args.clients
        refused = [0] * args.clients
        stop_at = time.monotonic() + args.seconds

        def send(c: int) -> None:
            headers = {"Content-Type": "application/json"}
            with httpx.Client(base_url=base, auth=(KEY, ""), timeout=60) as http:
                for body in work[c]:
                    if time.monotonic() >= stop_at:
                        return
                    answer = http.post("/v1/batch", content=body, headers=headers)
                    if answer.status_code == 200:
                        acked[c] += args.batch
                    else:
                        refused[c] += 1

        threads = [threading.Thread(target=send, args=(c,)) for c in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, proc.memory_info().rss)
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        server_cpu = sum(proc.cpu_times()[:2]) - cpu_before
        load_cpu = sum(psutil.Process().cpu_times()[:2]) - own_before
    finally:
        server.terminate()
        server.wait(60)
    with Workspace.open(root) as ws:
        stored = int(ws.engine.scalar("SELECT count(*) FROM events"))
        windows, mean_size, mean_seconds = ws.engine.one(
            "SELECT count(*), avg(rows_read), avg(epoch(finished_at) - epoch(started_at))"
            " FROM loads WHERE kind = 'events'"
        ) or (0, 0, 0)
    events = sum(acked)
    print(f"clients {args.clients}, batch {args.batch} events, {elapsed:.1f} s (loopback)")
    print(f"events/s through /v1/batch: {events / elapsed:,.0f} ({events:,} events committed)")
    print(f"refused requests (429/other): {sum(refused)}")
    print(f"server peak RSS: {peak / 2**20:,.0f} MiB")
    print(
        f"server CPU {server_cpu:.1f} s ({events / max(server_cpu, 1e-9):,.0f} events per CPU"
        f" second), load generator CPU {load_cpu:.1f} s, machine load {os.getloadavg()[0]:.1f}"
        f" on {os.cpu_count()} cores"
    )
    print(
        f"commits: {windows} windows of {mean_size or 0:,.0f} events,"
        f" {mean_seconds or 0:.2f} s each"
    )
    print(f"stored events: {stored:,} ({'equal to' if stored == events else 'NOT'} acknowledged)")
    return 0 if stored == events else 1


if __name__ == "__main__":
    raise SystemExit(main())
