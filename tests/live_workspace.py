"""A workspace of CDNOW purchases plus hand-made edge cases, for the live profile tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cvm.workspace import Workspace

ZERO = "Z0001"  # repeat orders of $0 (free replacements)
REFUND = "R0001"  # one of its orders refunded in full, linked by order id
CRM = "00001"  # a CDNOW buyer with a CRM record: consent to e-mail, an e-mail id
PROSPECT = "P0001"  # a CRM record, no purchase
LAST_DAY = "1998-06-30"  # CDNOW's last purchase day


def _transactions(cdnow_log: pd.DataFrame) -> pd.DataFrame:
    base = cdnow_log.assign(customer_id=cdnow_log["customer_id"].map(lambda i: f"{i:05d}"))
    base = base.assign(
        transaction_id=[f"T{i:06d}" for i in range(len(base))], is_refund=False, refund_of=None
    )
    extra = pd.DataFrame(
        [
            (ZERO, "1997-01-05", 25.0, "Z1", False, None),
            (ZERO, "1997-03-01", 0.0, "Z2", False, None),
            (ZERO, "1997-05-01", 0.0, "Z3", False, None),
            (REFUND, "1997-01-05", 30.0, "R1", False, None),
            (REFUND, "1997-02-01", 50.0, "R2", False, None),
            (REFUND, "1997-02-03", -50.0, "R2-refund", True, "R2"),
            (REFUND, "1997-04-01", 20.0, "R3", False, None),
        ],
        columns=["customer_id", "ts", "amount", "transaction_id", "is_refund", "refund_of"],
    ).assign(ts=lambda f: pd.to_datetime(f["ts"]))
    return pd.concat([base, extra], ignore_index=True).assign(channel="web")


def live_workspace(folder: Path, cdnow_log: pd.DataFrame) -> Path:
    """A new workspace at ``folder``/ws holding the purchases; closed, its path returned."""
    ws = Workspace.create(folder / "ws")
    frame = _transactions(cdnow_log)
    ws.con.register("tx_frame", frame)
    ws.con.execute(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount, channel, is_refund,"
        " refund_of) SELECT transaction_id, customer_id, ts, amount, channel, is_refund,"
        " refund_of FROM tx_frame"
    )
    ws.con.unregister("tx_frame")
    ws.con.execute(
        "INSERT INTO customers (customer_id, first_seen, email, consent_email)"
        " VALUES (?, '1997-01-01', 'ada@example.org', true)",
        [CRM],
    )
    ws.con.execute(
        "INSERT INTO customers (customer_id, first_seen, consent_sms) VALUES (?, '1998-05-01',"
        " true)",
        [PROSPECT],
    )
    ws.con.execute(
        "INSERT INTO identities (source, source_id, customer_id) VALUES"
        " ('email', 'ada@example.org', ?), ('user', ?, ?)",
        [CRM, CRM, CRM],
    )
    ws.close()
    return folder / "ws"


def add_purchase(ws: Workspace, customer_id: str, day: str, amount: float, order: str) -> None:
    """What the collection writer commits for an "Order Completed": the event and its order."""
    ws.con.execute(
        "INSERT INTO events (message_id, type, customer_id, user_id, ts, event, properties)"
        " VALUES (?, 'track', ?, ?, ?, 'Order Completed', ?)",
        [f"msg-{order}", customer_id, customer_id, day, f'{{"order_id": "{order}"}}'],
    )
    ws.con.execute(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount, channel)"
        " VALUES (?, ?, ?, ?, 'web')",
        [order, customer_id, day, amount],
    )
