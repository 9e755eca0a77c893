"""The as-of customer profile: one row per customer, the 360 view every segment reads.

Built in SQL (``profile.sql``) from the canonical tables as of a day, so segments, rules,
campaigns and the churn model see the same columns for any date. Purchase summaries come from
``summary.sql`` (the BTYD statistics), CLV scores from the newest stored ``clv`` run at that
cutoff (or a BG/NBD fit on the fly when there is none), churn risk from the newest stored
``segments`` run at that cutoff.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import ConvergenceError, DataError
from cvm._sql import load_sql
from cvm.features.summary import _as_date, _bind_source

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
    fit_clv: bool = True,
    notes: list[str] | None = None,
) -> str:
    """Build the as-of profile as a temp table on ``ws.con`` and return its name.

    Parameters
    ----------
    ws : the workspace.
    as_of : the day the profile describes (inclusive).
    clv_run : a ``clv`` run to take ``clv, p_alive, expected_purchases`` from; default: the
        newest ``clv`` run whose cutoff is ``as_of``.
    fit_clv : when no such run exists, fit MBG/NBD (BG/NBD if it does not converge) with
        Gamma-Gamma as of ``as_of`` and score (no intervals); when False the CLV columns stay
        NULL.
    notes : a list that receives why the CLV columns are NULL when the fit failed, and the
        fit's own warnings (e.g. spend imputed for $0 repeat buyers), for the caller to show.

    Returns
    -------
    ``"customer_profile"``, a temp table with one row per customer (see ``PROFILE_COLUMNS``).
    """
    day = _as_date(as_of, "as_of")
    con = ws.con
    _bind_source(con, "transactions")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE profile_summary AS "
        + load_sql("cvm.features", "summary.sql"),
        {"cutoff": day, "unit_days": 1.0, "period": "day"},
    )
    _clv_table(ws, day, clv_run, fit_clv, notes if notes is not None else [])
    _churn_table(ws, day)
    con.execute(load_sql("cvm.features", "profile.sql"), {"as_of": day})
    return PROFILE_TABLE


def profile_frame(ws: Workspace, as_of: date | str, **options: Any) -> pd.DataFrame:
    """The profile as a data frame indexed by ``customer_id`` (small workspaces, tests)."""
    table = customer_profile(ws, as_of, **options)
    return (
        ws.con.execute(f"SELECT * FROM {table} ORDER BY customer_id").df().set_index("customer_id")
    )


def stored_clv_run(ws: Workspace, as_of: date) -> str | None:
    """The newest ``clv`` run with scores whose cutoff is ``as_of``."""
    rows = ws.con.execute(
        "SELECT r.run_id FROM model_runs AS r WHERE r.kind = 'clv'"
        " AND CAST(r.cutoff AS DATE) = ?"
        " AND EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id)"
        " ORDER BY r.created_at DESC, r.run_id DESC LIMIT 1",
        [as_of],
    ).fetchall()
    return str(rows[0][0]) if rows else None


def _clv_table(ws: Workspace, day: date, clv_run: str | None, fit: bool, notes: list[str]) -> None:
    con = ws.con
    run = clv_run or stored_clv_run(ws, day)
    if run is not None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE profile_clv AS SELECT customer_id, clv, p_alive,"
            " expected_purchases FROM scores WHERE run_id = ?",
            [run],
        )
        return
    frame = _fitted_clv(ws, day, notes) if fit else None
    if frame is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE profile_clv (customer_id VARCHAR, clv DOUBLE,"
            " p_alive DOUBLE, expected_purchases DOUBLE)"
        )
        return
    con.register("profile_clv_frame", frame)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE profile_clv AS SELECT * FROM profile_clv_frame")
    finally:
        con.unregister("profile_clv_frame")


def _fitted_clv(ws: Workspace, day: date, notes: list[str]) -> pd.DataFrame | None:
    """MBG/NBD (or BG/NBD) and Gamma-Gamma fitted as of ``day`` and scored; None, with the
    reason added to ``notes``, when they cannot be (no purchases, too few customers)."""
    from cvm.clv import fit_clv
    from cvm.clv.scoring import score_clv

    try:
        fit = fit_clv(ws, day, models=("mbgnbd", "bgnbd"), unit="D", within_data=False)
        scores = score_clv(fit, intervals=False)
    except (DataError, ConvergenceError) as exc:
        notes.append(
            f"CLV and P(alive) left empty as of {day}: {exc} (store a clv run with"
            " `cvm score --cutoff` to use your own)"
        )
        return None
    notes.extend(f"CLV as of {day}: {w}" for w in fit.warnings)
    return scores[["clv", "p_alive", "expected_purchases"]].reset_index(names="customer_id")


def _churn_table(ws: Workspace, day: date) -> None:
    ws.con.execute(
        "CREATE OR REPLACE TEMP TABLE profile_churn AS"
        " SELECT customer_id, churn_risk FROM scores WHERE run_id = ("
        "  SELECT r.run_id FROM model_runs AS r WHERE r.kind = 'segments'"
        "  AND CAST(r.cutoff AS DATE) = ? ORDER BY r.created_at DESC, r.run_id DESC LIMIT 1)"
        " AND churn_risk IS NOT NULL",
        [day],
    )
