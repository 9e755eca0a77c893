"""One customer at a glance, for the dashboard and the API: record, purchases, latest scores."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["customer_card"]


def _plain(value: Any) -> Any:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _row(frame: pd.DataFrame, i: int) -> dict[str, Any]:
    return {str(k): _plain(v) for k, v in frame.iloc[i].items()}


def customer_card(ws: Workspace, customer_id: str) -> dict[str, Any] | None:
    """The customer's CRM record and purchase totals, and the newest scores of each run kind
    (``clv``, ``segments``...) that scored them; None for an unknown customer."""
    profile = ws.engine.frame(sql_file(__package__, "customer.sql"), {"customer_id": customer_id})
    if profile.empty:
        return None
    card = _row(profile, 0)
    if isinstance(card.get("attributes"), str):
        card["attributes"] = json.loads(card["attributes"])
    scores = ws.engine.frame(
        sql_file(__package__, "customer_scores.sql"), {"customer_id": customer_id}
    )
    latest = {}
    for i in range(len(scores)):
        row = {k: v for k, v in _row(scores, i).items() if v is not None and k != "customer_id"}
        latest[str(row.pop("kind"))] = row
    card["scores"] = latest
    return card
