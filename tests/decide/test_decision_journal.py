"""The decision journal: a decision answered but not yet in the log survives the process, is
stored once however often the journal is replayed, and an erasure leaves none of its lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cvm.decide.decision_journal import JOURNAL_DIR, journal_files, replay
from cvm.decide.realtime import Decider, Decision
from cvm.privacy import erase_customer
from cvm.workspace import Workspace
from realtime_workspace import NOW, served


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace.open(served(tmp_path, cap=0.0, share=0.3))
    yield w
    w.close()


def _killed(ws: Workspace) -> list[Decision]:
    """Decisions a decider answered, then the process 'died' before its flush: the queue is
    let go without writing (what a SIGKILL leaves is the journal)."""
    d = Decider(ws.cursor(), clock=lambda: NOW, seed=1)
    made = [d.decide("email", c) for c in ("00101", "00105", "00101", "00102", "00104")]
    d.queue.close()  # no flush
    return made


def _stored(ws: Workspace) -> dict[str, tuple]:
    rows = ws.con.execute(
        "SELECT decision_id, customer_id, arm, offer_id, campaign_id FROM decisions"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _journal_text(root: Path) -> str:
    return "".join(p.read_text() for p in journal_files(root))


def test_a_killed_deciders_answers_are_replayed_once_with_contacts_and_arms(
    ws: Workspace, tmp_path: Path
) -> None:
    made = _killed(ws)
    root = Path(ws.path)
    assert _stored(ws) == {}
    assert len(_journal_text(root).splitlines()) == len(made)
    saved = tmp_path / "journal-copy"
    shutil.copytree(root / JOURNAL_DIR, saved)

    assert replay(ws) == len(made)
    got = _stored(ws)
    assert got == {
        m.decision_id: (
            m.customer_id,
            m.arm,
            m.would_offer if m.arm != "none" else None,
            f"rt.{m.would_offer}" if m.arm != "none" else None,
        )
        for m in made
    }
    offered = [m for m in made if m.arm == "treatment"]
    assert offered, "the fixture offers something"
    contacts = ws.con.execute("SELECT campaign_id, customer_id FROM contacts"
                              " WHERE campaign_id LIKE 'rt.%' ORDER BY ALL").fetchall()  # fmt: skip
    assert contacts == sorted((f"rt.{m.offer_id}", m.customer_id) for m in offered)
    arms = ws.con.execute("SELECT campaign_id, customer_id, arm FROM assignments"
                          " WHERE campaign_id LIKE 'rt.%'").fetchall()  # fmt: skip
    first: dict[tuple[str, str], str] = {}
    for m in made:
        if m.arm != "none":
            first.setdefault((f"rt.{m.would_offer}", m.customer_id), m.arm)
    assert sorted(arms) == sorted((c, cid, arm) for (c, cid), arm in first.items())
    assert journal_files(root) == []  # replayed, then deleted

    # a crash after the store and before the delete: the same lines again store nothing
    shutil.rmtree(root / JOURNAL_DIR, ignore_errors=True)
    shutil.copytree(saved, root / JOURNAL_DIR)
    assert replay(ws) == 0
    assert _stored(ws) == got
    count = ws.con.execute("SELECT count(*) FROM contacts WHERE campaign_id LIKE 'rt.%'")
    assert count.fetchone() == (len(offered),)
    assert journal_files(root) == []


def test_a_new_decider_replays_and_a_flush_deletes_what_it_stored(ws: Workspace) -> None:
    made = _killed(ws)
    d = Decider(ws.cursor(), clock=lambda: NOW, seed=2)  # the restarted service
    assert set(_stored(ws)) == {m.decision_id for m in made}
    more = d.decide("email", "00105")
    assert more.decision_id in _journal_text(Path(ws.path))  # journaled before answered
    pending, sealed = d.queue.take()  # a flush sealed its file (and failed)
    assert [p.decision_id for p in pending] == [more.decision_id] and len(sealed) == 1
    d.queue.put_back(pending)
    assert d.flush() == 1
    d.close()
    assert journal_files(Path(ws.path)) == []
    assert len(_stored(ws)) == len(made) + 1


def test_erasure_removes_the_customers_journal_lines_and_pending_decisions(
    ws: Workspace,
) -> None:
    root = Path(ws.path)
    _killed(ws)  # lines a crash left (no service running)
    d = Decider(ws.cursor(), clock=lambda: NOW, seed=1)  # replays them
    live = [d.decide("email", c) for c in ("00101", "00105", "00101")]
    assert "00101" in _journal_text(root)
    done = erase_customer(ws, "00101", compact=False)
    assert done.journal_lines == 2
    assert not done.files.not_ours  # no file of the workspace names them any more
    assert "00101" not in _journal_text(root)
    assert d.flush() == 1  # 00105's; 00101's were dropped from the queue
    d.close()
    assert "00101" not in {cid for cid, *_ in _stored(ws).values()}
    assert live[1].decision_id in _stored(ws)


def test_erasure_without_a_running_service_edits_the_journal_a_crash_left(
    ws: Workspace,
) -> None:
    root = Path(ws.path)
    made = _killed(ws)
    done = erase_customer(ws, "00105", compact=False)
    assert done.journal_lines == sum(m.customer_id == "00105" for m in made) == 1
    assert "00105" not in _journal_text(root)
    assert replay(ws) == len(made) - 1
    assert {cid for cid, *_ in _stored(ws).values()} == {"00101", "00102", "00104"}


def test_a_torn_line_is_reported_and_kept_not_stored(
    ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    root = Path(ws.path)
    made = _killed(ws)
    current = root / JOURNAL_DIR / "decisions.jsonl"
    with current.open("ab") as fh:
        fh.write(b'{"decision_id":"cut-sh')  # a power loss in the middle of a write
    assert replay(ws) == len(made)
    assert "lines [6] are not decisions" in caplog.text
    assert (root / JOURNAL_DIR / "decisions.jsonl.rejected").exists()


def test_journal_fsync_forces_each_line_to_disk_before_the_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    root = served(tmp_path, cap=0.0)
    toml = root / "cvm.toml"
    text = toml.read_text(encoding="utf-8")
    assert "[decide.realtime]\n" in text
    toml.write_text(
        text.replace("[decide.realtime]\n", "[decide.realtime]\njournal_fsync = true\n")
    )
    synced: list[int] = []
    real = os.fdatasync

    def counted(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", counted)
    with Workspace.open(root) as ws:
        d = Decider(ws.cursor(), clock=lambda: NOW, seed=1)
        made = [d.decide("email", c) for c in ("00101", "00105")]
        assert len(synced) == len(made)
        assert all(m.decision_id in _journal_text(root) for m in made)
        d.close()
    with pytest.raises(Exception, match="journal_fsync: input should be a valid boolean"):
        import tomllib

        from cvm.settings import parse_settings

        parse_settings(tomllib.loads('[decide.realtime]\njournal_fsync = "yes"\n'))


def test_erasure_redacts_another_customers_line_that_quotes_them(ws: Workspace) -> None:
    """A decision of someone else naming the erased customer in its context keeps its line (it
    is not theirs) but loses the mention; it is not counted among the lines removed."""
    root = Path(ws.path)
    d = Decider(ws.cursor(), clock=lambda: NOW, seed=1)
    d.decide("email", "00105", context={"referred_by": "00101", "page": "/offers"})
    d.queue.close()  # what a crash leaves: the line, in the journal only
    done = erase_customer(ws, "00101", compact=False)
    text = _journal_text(root)
    assert done.journal_lines == 0
    assert "00101" not in text and '"referred_by": "[erased]"' in text.replace('":"', '": "')
    assert "00105" in text and "/offers" in text
