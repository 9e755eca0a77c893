"""Suppression lists: customers who must not be contacted, on one channel or on all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns.design import CHANNELS

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["add_suppressions"]


def add_suppressions(
    ws: Workspace,
    customer_ids: Iterable[str],
    *,
    channel: str | None = None,
    reason: str = "suppressed",
) -> int:
    """Suppress customers on ``channel`` (None: every channel); returns the rows added.

    Customers already suppressed on the same channel are not added twice.
    """
    if channel is not None and channel not in CHANNELS:
        raise DataError(f"channel {channel!r}: use one of {', '.join(CHANNELS)} or none")
    ids = pd.DataFrame({"customer_id": pd.Series(list(customer_ids), dtype="string")})
    if ids.empty:
        return 0
    con = ws.con
    before = int(con.execute("SELECT count(*) FROM suppressions").fetchall()[0][0])
    con.register("new_suppressions", ids)
    try:
        con.execute(
            "INSERT INTO suppressions (customer_id, channel, reason)"
            " SELECT DISTINCT n.customer_id, ?, ? FROM new_suppressions n"
            " WHERE NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.customer_id = n.customer_id"
            " AND s.channel IS NOT DISTINCT FROM ?)",
            [channel, reason, channel],
        )
    finally:
        con.unregister("new_suppressions")
    return int(con.execute("SELECT count(*) FROM suppressions").fetchall()[0][0]) - before
