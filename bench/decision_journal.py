"""Decision journal benchmark: what journaling one real-time decision costs before its answer.

    python bench/decision_journal.py [--decisions 20000] [--repeat 3]

Appends ``--decisions`` decisions shaped like the service's (an offer with its numbers, a
context of two keys) to a journal in a temporary folder, as :meth:`DecisionQueue.add` does
before each answer, with ``journal_fsync`` off and on, and prints CPU-µs and wall-µs per
decision (best of ``--repeat``), next to the in-memory queue alone (the cost before the
journal). CPU time is the process's (``time.process_time``): it barely depends on the
machine's load; the fsync wall time depends on the disk.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from cvm.decide.decision_journal import DecisionQueue
from cvm.decide.decision_log import Decision


def _decisions(n: int) -> list[Decision]:
    now = datetime(2026, 11, 30, 7, 0)
    out = []
    for k in range(n):
        reason = "best expected value 3.412 (lift 0.0412)"
        d = Decision(uuid.uuid4().hex, now, f"{k:07d}", "email", "ten-off", reason, "treatment")
        d.would_offer = "ten-off"
        d.score = d.ev = 3.41
        d.lift, d.cost, d.unit_cost = 0.0412, 1.5, 1.5
        d.placement, d.context = "home-hero", {"page": "/cart", "device": "ios"}
        out.append(d)
    return out


def _run(folder: Path, decisions: list[Decision], mode: str) -> tuple[float, float]:
    queue = DecisionQueue(folder, fsync=mode == "fsync")
    cpu, wall = time.process_time(), time.perf_counter()
    if mode == "memory":  # the queue as it was: a lock and a list
        for d in decisions:
            with queue.lock:
                queue._pending.append(d)
    else:
        for d in decisions:
            queue.add(d)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    queue.done(queue.take()[1])
    queue.close()
    return cpu * 1e6 / len(decisions), wall * 1e6 / len(decisions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    decisions = _decisions(args.decisions)
    for mode in ("memory", "journal", "fsync"):
        n = args.decisions if mode != "fsync" else min(args.decisions, 2000)
        best = (float("inf"), float("inf"))
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                best = min(best, _run(Path(tmp), decisions[:n], mode))
        print(f"{mode:8s} {n:6d} decisions: {best[0]:7.1f} CPU-us, {best[1]:8.1f} wall-us"
              " per decision")  # fmt: skip


if __name__ == "__main__":
    main()
