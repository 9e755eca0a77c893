"""Read back the rows that loads refused: one listing and one summary by reason.

Every refused row sits in ``rejected_rows`` with its load, file, line, reason and raw text; a
load that refused everything (a wrong date format, a wrong delimiter) leaves the whole file
there. These readers are what ``cvm rejects`` prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cvm._exceptions import DataError
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["LAST", "list_rejects", "reject_summary", "resolve_load"]

LAST = "last"  # the newest load that refused a row


def resolve_load(ws: Workspace, load_id: str | None) -> str | None:
    """``load_id`` itself, or for ``"last"`` the newest load that refused a row."""
    if load_id != LAST:
        return load_id
    row = ws.engine.one(sql_file(__package__, "rejects_last_load.sql"))
    if not row:
        raise DataError("no load has refused a row in this workspace")
    return str(row[0])


def _filters(
    ws: Workspace, load_id: str | None, kind: str | None, reason: str | None
) -> dict[str, object]:
    return {
        "load_id": resolve_load(ws, load_id),
        "kind": kind.replace("-", "_") if kind else None,
        "reason": reason or None,
    }


def list_rejects(
    ws: Workspace,
    *,
    load_id: str | None = None,
    kind: str | None = None,
    reason: str | None = None,
    limit: int | None = 50,
) -> pd.DataFrame:
    """Refused rows, newest load first and in file order within a load.

    Parameters
    ----------
    load_id : one load (``"last"``: the newest load that refused a row); default all.
    kind : transactions, order_items, customers, subscriptions, surveys, events...
    reason : text the reason contains (case-insensitive), e.g. ``"timestamp"``.
    limit : most rows returned (None: all).

    Returns
    -------
    Columns ``load_id``, ``kind``, ``source`` (the file), ``line`` (1-based, the header is
    line 1), ``reason`` and ``raw`` (the row as read).
    """
    if limit is not None and limit < 0:
        raise DataError(f"limit must be 0 or more, got {limit}")
    params = {**_filters(ws, load_id, kind, reason), "limit": limit}
    return ws.engine.frame(sql_file(__package__, "rejects_list.sql"), params)


def reject_summary(
    ws: Workspace,
    *,
    load_id: str | None = None,
    kind: str | None = None,
    reason: str | None = None,
) -> pd.DataFrame:
    """Refused rows by reason (its text before the first colon, so ``unparseable timestamp:
    31/12/2024`` and ``unparseable timestamp: 1/1/2025`` count together), every reason shown.

    Columns ``reason``, ``rows``, ``loads`` and ``first_line`` (the first line with that
    reason, meaningful within one load), most frequent reason first.
    """
    params = _filters(ws, load_id, kind, reason)
    return ws.engine.frame(sql_file(__package__, "rejects_summary.sql"), params)
