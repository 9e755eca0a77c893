"""Helpers for campaign tests: a small hand-made customer base with known consent."""

from __future__ import annotations

from cvm.campaigns import Campaign, build_campaign, create_campaign
from cvm.workspace import Workspace

N_CUSTOMERS = 2000


def seed_customers(ws: Workspace, n: int = N_CUSTOMERS) -> None:
    """Customers K00001..: every 10th has no e-mail consent, every 7th no phone, 3 countries."""
    ws.con.execute(
        """
        INSERT INTO customers (customer_id, first_seen, email, phone, country,
                               acquisition_channel, consent_email, consent_sms, attributes)
        SELECT printf('K%05d', i), TIMESTAMP '2024-01-01',
               printf('k%05d@example.com', i),
               CASE WHEN i % 7 = 0 THEN NULL ELSE printf('+1555%07d', i) END,
               ['US', 'GB', 'DE'][i % 3 + 1], 'web', i % 10 <> 0, i % 5 <> 0,
               json_object('first_name', printf('Ann%d', i), 'last_name', 'Lee')
        FROM range(1, ? + 1) t(i)
        """,
        [n],
    )


def design(campaign_id: str = "SPRING", **kw: object) -> Campaign:
    """A one-arm e-mail campaign in March 2025 with a 20% control group, overridable."""
    base: dict[str, object] = {
        "campaign_id": campaign_id,
        "channel": "email",
        "starts": "2025-03-01",
        "ends": "2025-03-07",
        "response_days": 14,
        "control_fraction": 0.2,
    }
    base.update(kw)
    return Campaign(**base)  # type: ignore[arg-type]


def running_campaign(ws: Workspace, campaign_id: str) -> None:
    """A campaign over 2025-02-20..2025-03-10 on K00021..K00024, built (its arms drawn)."""
    create_campaign(ws, design(campaign_id, starts="2025-02-20", ends="2025-03-10"),
                    customers=["K00021", "K00022", "K00023", "K00024"])  # fmt: skip
    build_campaign(ws, campaign_id)
