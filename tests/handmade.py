"""Hand-made customers written straight into a workspace's tables."""

from __future__ import annotations

from typing import Any

from cvm.workspace import Workspace


def add_customer(ws: Workspace, customer_id: str, first_seen: str, **fields: Any) -> None:
    ws.con.execute(
        "INSERT INTO customers (customer_id, first_seen, country, acquisition_channel,"
        " consent_email, consent_sms, attributes) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            customer_id,
            first_seen,
            fields.get("country", "US"),
            fields.get("acquisition_channel", "web"),
            fields.get("consent_email", False),
            fields.get("consent_sms", False),
            fields.get("attributes"),
        ],
    )


def add_orders(
    ws: Workspace, customer_id: str, days: list[str], amount: float = 50.0, channel: str = "web"
) -> None:
    for i, day in enumerate(days):
        ws.con.execute(
            "INSERT INTO transactions (transaction_id, customer_id, ts, amount, channel,"
            " is_refund) VALUES (?, ?, ?, ?, ?, false)",
            [f"{customer_id}-{day}-{i}", customer_id, day, amount, channel],
        )


def add_event(ws: Workspace, customer_id: str, day: str, event: str = "Product Viewed") -> None:
    ws.con.execute(
        "INSERT INTO events (message_id, type, customer_id, ts, event)"
        " VALUES (?, 'track', ?, ?, ?)",
        [f"{customer_id}-{day}-{event}", customer_id, day, event],
    )


def rows(ws: Workspace, sql: str) -> list[tuple]:
    return [tuple(r) for r in ws.con.execute(sql).fetchall()]


def set_config(ws: Workspace, text: str) -> Workspace:
    """Append ``text`` to cvm.toml and reopen the workspace so the config is read again."""
    path = ws.path
    with open(path / "cvm.toml", "a", encoding="utf-8") as fh:
        fh.write("\n" + text + "\n")
    ws.close()
    return Workspace.open(path)
