"""A small served workspace for real-time decisions: hand-made customers, each built to hit
one rule (consent, frequency cap, cooldown), and a catalog written into cvm.toml."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cvm.workspace import Workspace

NOW = datetime(2025, 7, 1, 12, 0)

CATALOG = """
[decide]
response_days = 14

[decide.realtime]
holdout_share = {share}
salt = "test-salt"
exploration_cap = {cap}
attribution_days = 14

[[offers]]
id = "ten-off"
kind = "cross-sell"
channel = "email"
unit_cost = 0.5
lift = 0.3
margin = 0.5
cooldown_days = 30

[[offers]]
id = "five-off"
kind = "cross-sell"
channel = "email"
unit_cost = 0.5
lift = 0.1
margin = 0.5

[[offers]]
id = "letter"
kind = "cross-sell"
channel = "mail"
unit_cost = 900.0
lift = 0.1
"""

PEOPLE = [
    # id, e-mail consent, why
    ("00101", True),  # may get anything
    ("00102", False),  # no e-mail consent
    ("00103", True),  # two e-mails in the last week: the 7-day cap (2)
    ("00104", True),  # had ten-off 10 days ago: in its 30-day cooldown
    ("00105", True),
]


def served(tmp_path: Path, *, share: float = 0.0, cap: float = 1.0, extra: int = 0) -> Path:
    """A workspace folder with the people above (and ``extra`` plain customers)."""
    root = tmp_path / "ws"
    ws = Workspace.create(root)
    con = ws.con
    people = PEOPLE + [(f"{k:06d}", True) for k in range(1000, 1000 + extra)]
    for cid, consent in people:
        con.execute(
            "INSERT INTO customers (customer_id, first_seen, email, country, consent_email,"
            " consent_mail) VALUES (?, '2024-01-01', ?, 'US', ?, TRUE)",
            [cid, f"{cid}@example.org", consent],
        )
        for k, day in enumerate(("2024-02-01", "2024-09-01", "2025-05-01")):
            con.execute(
                "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
                " VALUES (?, ?, ?, 80)",
                [f"{cid}-{k}", cid, day],
            )
    con.execute(
        "INSERT INTO campaigns (campaign_id, offer_id, channel, starts, ends, response_days,"
        " status) VALUES ('NEWS', NULL, 'email', '2025-06-26', '2025-06-28', 1, 'completed'),"
        " ('OLD', 'ten-off', 'email', '2025-06-20', '2025-06-21', 1, 'completed')"
    )
    con.execute(
        "INSERT INTO contacts VALUES ('NEWS', '00103', 'email', '2025-06-27 09:00'),"
        " ('NEWS', '00103', 'email', '2025-06-28 09:00'),"
        " ('OLD', '00104', 'email', '2025-06-21 10:00')"
    )
    con.execute("INSERT INTO assignments VALUES ('OLD', '00104', 'treatment', NULL, '2025-06-21')")
    ws.close()
    with (root / "cvm.toml").open("a", encoding="utf-8") as f:
        f.write(CATALOG.format(share=share, cap=cap))
    return root
