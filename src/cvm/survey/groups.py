"""Group respondents by their customer's segment, value tier or a customer attribute."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cvm._exceptions import ConfigError, DataError
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

SCORE_GROUPS = ("segment", "tier")
TIER_SHARES = {"high": 0.2, "medium": 0.3}  # the rest is 'low'


def _columns(ws: Workspace, table: str) -> list[str]:
    rows = ws.engine.rows(sql_file(__package__, "table_columns.sql"), {"table": table})
    return [str(r[0]) for r in rows]


def customer_groups(ws: Workspace, by: str) -> pd.Series:
    """Label per customer_id: ``segment`` or ``tier`` from the latest segments run, or a
    column of ``customers`` (``country``, ``acquisition_channel``...).

    Without a segments run, ``tier`` falls back to CLV tiers of the latest CLV run: the top 20%
    of customers by CLV are ``high``, the next 30% ``medium``, the rest ``low``.
    """
    if by in SCORE_GROUPS:
        if by in _columns(ws, "scores"):
            frame = ws.engine.frame(fill(sql_file(__package__, "groups_scores.sql"), column=by))
            if not frame.empty:
                return frame.set_index("customer_id")["label"]
        if by == "tier":
            params = {"high": TIER_SHARES["high"], "medium": TIER_SHARES["medium"]}
            frame = ws.engine.frame(sql_file(__package__, "groups_clv_tiers.sql"), params)
            if not frame.empty:
                return frame.set_index("customer_id")["label"]
            raise DataError("no value tiers: run `cvm score` (CLV) or a segments run first")
        raise DataError(f"no {by} in any run's scores: run the segments step first")
    columns = [c for c in _columns(ws, "customers") if c not in {"customer_id", "attributes"}]
    if by not in columns:
        raise ConfigError(
            f"cannot group by {by!r}: expected segment, tier or a customers column"
            f" ({', '.join(columns)})"
        )
    frame = ws.engine.frame(fill(sql_file(__package__, "groups_customers.sql"), column=by))
    return frame.set_index("customer_id")["label"]


def respondent_groups(respondents: pd.Series, customers: pd.Series, labels: pd.Series) -> pd.Series:
    """Label per respondent through its linked customer (unlinked respondents: no label).

    ``respondents`` and ``customers`` are aligned (one respondent's customer_id each).
    """
    mapped = customers.map(labels)
    return pd.Series(mapped.to_numpy(object), index=respondents.to_numpy(object)).dropna()
