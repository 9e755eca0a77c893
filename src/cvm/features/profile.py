"""The as-of customer profile: one row per customer, the 360 view every segment reads.

Built in SQL (``profile.sql``) from the canonical tables as of a day, so segments, rules,
campaigns and the churn model see the same columns for any date. Purchase summaries come from
``summary.sql`` (the BTYD statistics), CLV scores from the newest stored ``clv`` run at that
cutoff or from scores the caller computed, churn risk from the newest stored ``segments`` run
at that cutoff. It never fits a model: filling CLV by a fit on the fly is the CLV job's
(:func:`cvm.clv.profile.profile_with_clv`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._dates import parse_day
from cvm.engines import fill, sql_file
from cvm.features.summary import bind_source

if TYPE_CHECKING:
    from cvm.workspace import Workspace

PROFILE_TABLE = "customer_profile"

PROFILE_COLUMNS: dict[str, str] = {
    "customer_id": "the customer",
    "is_prospect": "known (CRM row or events) but no purchase yet",
    "first_seen": "first day seen: CRM first_seen, first purchase or first event",
    "first_purchase": "day of the first purchase",
    "last_purchase": "day of the last purchase",
    "orders": "purchase transactions (refunds excluded)",
    "frequency": "repeat purchase days (BTYD frequency)",
    "recency": "days from the first to the last purchase day (BTYD recency)",
    "T": "days from the first purchase to the as-of day (BTYD T)",
    "monetary_value": "mean net value of repeat purchase days",
    "revenue": "net revenue to date (refunds subtracted)",
    "avg_order_value": "gross revenue per order",
    "days_since_last": "days since the last purchase",
    "tenure_days": "days since first seen",
    "ipt_mean": "mean days between purchase days (NULL with one purchase day)",
    "ipt_std": "standard deviation of the days between purchase days",
    "ipt_max": "longest gap between purchase days",
    "last_gap": "gap before the last purchase day",
    "orders_90d": "orders in the last 90 days",
    "orders_prev_90d": "orders in the 90 days before those",
    "spend_90d": "net spend in the last 90 days",
    "spend_prev_90d": "net spend in the 90 days before those",
    "orders_365d": "orders in the last 365 days",
    "spend_365d": "net spend in the last 365 days",
    "refunds": "refund transactions",
    "refund_amount": "refunded amount (positive)",
    "channel_shares": "MAP channel -> share of orders: channel_shares['web']",
    "main_channel": "channel of most orders",
    "n_channels": "distinct order channels",
    "categories": "list of categories bought: list_contains(categories, 'shoes')",
    "main_category": "category of most order lines",
    "n_categories": "distinct categories bought",
    "events_30d": "behavioural events in the last 30 days",
    "events_90d": "behavioural events in the last 90 days",
    "days_since_event": "days since the last event",
    "contracts": "subscriptions started by the as-of day",
    "active_contracts": "subscriptions running on the as-of day",
    "contract_state": "'active', 'ended', or NULL without subscriptions",
    "last_contract_end": "day the last ended subscription ended",
    "consent_email": "consent to e-mail (likewise consent_sms, consent_push, consent_mail)",
    "consent_sms": "consent to SMS",
    "consent_push": "consent to push messages",
    "consent_mail": "consent to postal mail",
    "country": "country from the CRM",
    "acquisition_channel": "acquisition channel from the CRM",
    "attributes": "CRM attributes (JSON): attributes->>'key'",
    "clv": "predicted CLV (newest clv run at this as-of day, else fitted now)",
    "p_alive": "probability the customer is still active (the CLV run's transaction model)",
    "expected_purchases": "expected purchases over the CLV horizon",
    "churn_risk": "churn probability from the newest segments run at this day (NULL if none)",
}


def customer_profile(
    ws: Workspace,
    as_of: date | str,
    *,
    clv_run: str | None = None,
    clv_scores: pd.DataFrame | None = None,
) -> str:
    """Build the as-of profile as a temp table on ``ws.engine`` and return its name.

    Parameters
    ----------
    ws : the workspace.
    as_of : the day the profile describes (inclusive).
    clv_run : a ``clv`` run to take ``clv, p_alive, expected_purchases`` from; default: the
        newest ``clv`` run whose cutoff is ``as_of``.
    clv_scores : those columns (and ``customer_id``) computed by the caller, used when there is
        no such run; without either the CLV columns stay NULL.

    Returns
    -------
    ``"customer_profile"``, a temp table with one row per customer (see ``PROFILE_COLUMNS``).
    """
    day = parse_day(as_of, "as_of")
    engine = ws.engine
    bind_source(engine, "transactions")
    summary = sql_file(__package__, "summary.sql").tree()
    engine.run(
        fill(sql_file(__package__, "profile_summary.sql"), summary=summary),
        {"cutoff": day, "unit_days": 1.0, "period": "day"},
    )
    _clv_table(ws, day, clv_run, clv_scores)
    engine.run(sql_file(__package__, "profile_churn.sql"), {"as_of": day})
    engine.run(sql_file(__package__, "profile.sql"), {"as_of": day})
    return PROFILE_TABLE


def table_frame(ws: Workspace, table: str) -> pd.DataFrame:
    """A built per-customer table as a data frame indexed by ``customer_id`` (small data)."""
    query = fill(sql_file(__package__, "table_rows.sql"), table=table)
    return ws.engine.frame(query).set_index("customer_id")


def profile_frame(ws: Workspace, as_of: date | str, **options: Any) -> pd.DataFrame:
    """The profile as a data frame indexed by ``customer_id`` (small workspaces, tests)."""
    return table_frame(ws, customer_profile(ws, as_of, **options))


def stored_clv_run(ws: Workspace, as_of: date) -> str | None:
    """The newest ``clv`` run with scores whose cutoff is ``as_of``."""
    found = ws.engine.scalar(sql_file(__package__, "stored_clv_run.sql"), {"as_of": as_of})
    return None if found is None else str(found)


def _clv_table(
    ws: Workspace, day: date, clv_run: str | None, clv_scores: pd.DataFrame | None
) -> None:
    engine = ws.engine
    run = clv_run or (stored_clv_run(ws, day) if clv_scores is None else None)
    if run is not None:
        engine.run(sql_file(__package__, "profile_clv_run.sql"), {"run_id": run})
    elif clv_scores is None:
        engine.run(sql_file(__package__, "profile_clv_empty.sql"))
    else:
        with engine.register("profile_clv_frame", clv_scores):
            engine.run(sql_file(__package__, "profile_clv_frame.sql"))
