"""A decision answered 200 is never lost: SIGKILL `cvm serve` within the second in which its
decision log has not been written yet, start it again, and every acknowledged decision is in
the log exactly once, with its campaign arm and contact (the journal replayed on start)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest
from test_serve import KEY, _free_port, served, start_server, stop

from cvm.workspace import Workspace
from realtime_workspace import served as realtime_workspace

CUSTOMERS = [f"{k:06d}" for k in range(1000, 1060)] + ["00101", "00105"]


def _rows(root: Path, sql: str) -> list[tuple]:
    with Workspace.open(root) as ws:
        return ws.engine.rows(sql)


@pytest.mark.slow
def test_sigkill_within_the_flush_second_loses_no_acknowledged_decision(tmp_path: Path) -> None:
    root = realtime_workspace(tmp_path, share=0.3, cap=0.0, extra=60)
    port = _free_port()
    proc = start_server(root, port)
    acked: dict[str, dict] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=(KEY, ""), timeout=60) as http:
        # the first decision builds the snapshot; the log is written once a second after it
        for rounds in range(3):
            for cid in CUSTOMERS:
                answer = http.post("/v1/decisions", json={"customer_id": cid, "channel": "email"})
                assert answer.status_code == 200, answer.text
                body = answer.json()
                acked[body["decision_id"]] = body
            if rounds == 0:
                time.sleep(1.5)  # some are written by a flush, the rest are not yet
    stop(proc, signal.SIGKILL)

    # the crash lost what the log had not written: this test kills within the flush second
    written = {r[0] for r in _rows(root, "SELECT decision_id FROM decisions")}
    assert set(acked) - written, "every decision was written before the kill: nothing tested"

    with served(root):  # a new service: it replays the journal on start
        pass
    log = _rows(root, "SELECT decision_id, customer_id, arm, offer_id, count(*) OVER"
                      " (PARTITION BY decision_id) FROM decisions")  # fmt: skip
    got = {d: (cid, arm, offer, copies) for d, cid, arm, offer, copies in log}
    assert set(got) == set(acked)
    for decision_id, body in acked.items():
        cid, arm, offer, copies = got[decision_id]
        assert copies == 1
        assert (cid, arm) == (body["customer_id"], body["arm"])
        if body["arm"] == "treatment":
            assert offer == body["offer_id"]
    offered = [b for b in acked.values() if b["arm"] == "treatment"]
    held = [b for b in acked.values() if b["arm"] == "control"]
    assert offered and held, "the fixture offers to some and holds out others"
    contacts = _rows(root, "SELECT customer_id, campaign_id, count(*) FROM contacts"
                           " WHERE campaign_id LIKE 'rt.%' GROUP BY ALL")  # fmt: skip
    expected: dict[tuple[str, str], int] = {}
    for b in offered:
        key = (b["customer_id"], f"rt.{b['offer_id']}")
        expected[key] = expected.get(key, 0) + 1
    assert {(c, k): n for c, k, n in contacts} == expected
    assigned = "SELECT customer_id, campaign_id, arm FROM assignments WHERE campaign_id LIKE 'rt.%'"
    arms = {(c, k): a for c, k, a in _rows(root, assigned)}
    for b in held:
        assert all(a == "control" for (c, _), a in arms.items() if c == b["customer_id"])
        assert any(c == b["customer_id"] for c, _ in arms), "the held-out arm is stored"
    assert not list((root / "journal").glob("*.jsonl")), "replayed, then deleted"
