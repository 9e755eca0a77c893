"""`cvm campaign suppress FILE`: an unsubscribe export becomes suppressions, once each."""

from __future__ import annotations

from datetime import datetime

from cvm.campaigns.policy import contact_policy
from cvm.cli import app
from cvm.workspace import Workspace


def _suppressions(path) -> list[tuple[str, str | None, str]]:
    """The ids suppressed (e-mails are stored only as hashes, counted apart)."""
    with Workspace.open(path, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT value, channel, reason FROM suppressed_identifiers WHERE kind = 'id'"
            " ORDER BY ALL"
        ).fetchall()
    return [(str(c), ch, str(r)) for c, ch, r in rows]


def test_suppress_from_an_export_then_the_policy_refuses_contact(crm, runner, tmp_path):
    path = crm.path
    crm.close()
    ws = ["-w", str(path)]
    # an e-mail platform's unsubscribe export: extra columns, padded ids, a blank line
    unsubscribed = tmp_path / "unsubscribes.csv"
    unsubscribed.write_text(
        "email,customer_id,unsubscribed_at\n"
        "k00002@example.com, K00002 ,2025-02-01\n"
        "k00005@example.com,K00005,2025-02-02\n"
        ",,\n"
        "k00005@example.com,K00005,2025-02-03\n"
    )
    done = runner.invoke(app, ["campaign", "suppress", str(unsubscribed), "--channel", "email",
                               "--reason", "unsubscribed", *ws])  # fmt: skip
    assert done.exit_code == 0, done.output
    # the e-mail and the id columns are both read: 2 people, each by e-mail and by id
    assert "4 identifiers suppressed (2 email, 2 id) on email" in done.output
    assert "2 known customers suppressed there" in done.output
    again = runner.invoke(app, ["campaign", "suppress", str(unsubscribed), "--channel", "email",
                                "--reason", "unsubscribed", *ws])  # fmt: skip
    assert again.exit_code == 0 and "0 identifiers suppressed (none new)" in again.output
    # a list without a customer_id header: its first column holds the ids; every channel
    legal = tmp_path / "legal_hold.csv"
    legal.write_text("Customer\nK00006\n")
    everywhere = runner.invoke(app, ["campaign", "suppress", str(legal), *ws])
    assert everywhere.exit_code == 0
    assert "1 identifiers suppressed (1 id) on every channel" in everywhere.output
    assert _suppressions(path) == [
        ("K00002", "email", "unsubscribed"),
        ("K00005", "email", "unsubscribed"),
        ("K00006", None, "suppressed"),
    ]
    with Workspace.open(path) as opened:
        opened.con.execute(
            "CREATE TEMP TABLE ids AS SELECT * FROM (VALUES ('K00002'), ('K00006'), ('K00008'))"
            " AS t(customer_id)"
        )
        contact_policy(opened, "ids", ["email", "sms"], datetime(2025, 3, 1), history=False)
        reasons = dict(
            ((c, ch), r)
            for c, ch, r in opened.con.execute("SELECT * FROM contact_policy").fetchall()
        )
    assert reasons[("K00002", "email")] == "suppressed" and reasons[("K00002", "sms")] is None
    assert reasons[("K00006", "email")] == reasons[("K00006", "sms")] == "suppressed"
    assert reasons[("K00008", "email")] is None


def test_suppress_errors_are_one_line(crm, runner, tmp_path):
    path = crm.path
    crm.close()
    ids = tmp_path / "ids.csv"
    ids.write_text("customer_id\nK00001\n")
    bad = runner.invoke(
        app, ["campaign", "suppress", str(ids), "--channel", "fax", "-w", str(path)]
    )
    assert bad.exit_code == 1 and "channel 'fax'" in bad.output
    assert "Traceback" not in bad.output
    missing = runner.invoke(
        app, ["campaign", "suppress", str(tmp_path / "nope.csv"), "-w", str(path)]
    )
    assert missing.exit_code == 1 and "no such file" in missing.output
    assert _suppressions(path) == []
