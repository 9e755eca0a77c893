"""``simulate``: a whole synthetic business, with every true parameter that generated it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from cvm._exceptions import ConfigError
from cvm._progress import Progress, no_progress
from cvm.datasets._draw import pick, take
from cvm.datasets.campaign import run_campaign
from cvm.datasets.catalog import catalog_truth, make_catalog, order_lines
from cvm.datasets.clock import Period
from cvm.datasets.customers import customers_frame, draw_population
from cvm.datasets.events import make_events
from cvm.datasets.orders import ledger, purchase_orders
from cvm.datasets.params import CUSTOMER_TYPES, SimulationParams
from cvm.datasets.subscriptions import MONTH_DAYS, make_subscriptions
from cvm.datasets.surveys import make_survey

__all__ = ["SimulatedBusiness", "simulate"]

Kind = Literal["retail", "subscription"]
_STREAMS = ("population", "customers", "purchases", "subscriptions", "campaign", "ledger",
            "catalog", "lines", "events", "survey")  # fmt: skip


@dataclass
class SimulatedBusiness:
    """The tables of a simulated business, in the workspace's canonical columns, and its truth.

    ``customer_truth`` holds each customer's latent values (purchase rate ``lam``, dropout
    probability ``p``, spend rate ``nu``, type, when it dropped out) for checks that need them;
    ``truth`` is a JSON-serialisable dict of every parameter and population-level true effect.
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    order_items: pd.DataFrame
    products: pd.DataFrame
    events: pd.DataFrame
    subscriptions: pd.DataFrame
    survey_responses: pd.DataFrame
    campaigns: pd.DataFrame
    assignments: pd.DataFrame
    customer_truth: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every data table by name (the truth excluded)."""
        return {
            "customers": self.customers,
            "transactions": self.transactions,
            "order_items": self.order_items,
            "products": self.products,
            "events": self.events,
            "subscriptions": self.subscriptions,
            "survey_responses": self.survey_responses,
            "campaigns": self.campaigns,
            "assignments": self.assignments,
            "customer_truth": self.customer_truth,
        }


def simulate(
    n_customers: int = 5000,
    *,
    start: str | date = "2023-01-01",
    end: str | date = "2025-12-31",
    seed: int = 0,
    kind: Kind = "retail",
    params: SimulationParams | None = None,
    events: bool = True,
    progress: Progress = no_progress,
) -> SimulatedBusiness:
    """Simulate a business whose customers follow known BG/NBD, Gamma-Gamma and sBG processes.

    Parameters
    ----------
    n_customers : customers acquired over the period (monthly acquisition grows over time).
    start, end : the period, as ISO dates; ``end`` is included.
    seed : the same seed gives identical tables; each part draws from its own stream.
    kind : ``"retail"`` (a membership side table for some customers) or ``"subscription"``
        (every customer subscribes at acquisition and each paid month is a transaction).
    params : the true parameters; :class:`SimulationParams` defaults when omitted.
    events : set False to skip the behavioural events (the largest table) for big runs.
    progress : called as ``progress(done, total, description)`` after each stage.

    Returns
    -------
    SimulatedBusiness

    Notes
    -----
    Purchases: the first at acquisition, then repeat purchases from the BG/NBD model (Fader,
    Hardie & Lee 2005) in days; amounts from the Gamma-Gamma model; churn of contracts from the
    shifted-beta-geometric model (Fader & Hardie 2007). Times of day are uniform.
    """
    if isinstance(n_customers, bool) or not isinstance(n_customers, int | np.integer):
        raise ConfigError(f"n_customers must be an integer, got {n_customers!r}")
    if n_customers < 1:
        raise ConfigError(f"n_customers must be at least 1, got {n_customers}")
    if kind not in ("retail", "subscription"):
        raise ConfigError(f"kind must be 'retail' or 'subscription', got {kind!r}")
    params = params or SimulationParams()
    period = Period.parse(start, end)
    streams = dict(zip(_STREAMS, np.random.SeedSequence(seed).spawn(len(_STREAMS)), strict=True))
    rng = {name: np.random.default_rng(s) for name, s in streams.items()}
    total = 7
    progress(0, total, "customers")

    catalog = make_catalog(rng["catalog"], params)
    n = int(n_customers)
    pop = draw_population(rng["population"], n, period, params, catalog.n_categories)
    customers = customers_frame(rng["customers"], pop, period, params)
    customer_ids = customers["customer_id"]
    progress(1, total, "purchases")

    orders, repeats = purchase_orders(rng["purchases"], pop, period, params)
    dropout_day = pop.first_day + repeats.dropout_time
    subs = make_subscriptions(
        rng["subscriptions"], pop, customer_ids, period, params, everyone=kind == "subscription"
    )
    progress(2, total, "campaign")
    campaign = run_campaign(rng["campaign"], orders, pop, dropout_day, customers, period, params)
    all_orders = campaign.orders.concat(subs.charges).sorted()
    progress(3, total, "transactions")
    book = ledger(rng["ledger"], all_orders, pop, customer_ids, period, params)
    progress(4, total, "order items")
    lines = order_lines(rng["lines"], all_orders, pop, catalog, params)
    order_of_line = lines["order"].to_numpy()
    first_line = lines["line_no"].to_numpy() == 1
    first_product = np.zeros(len(all_orders), dtype=np.int64)
    first_product[order_of_line[first_line]] = lines["product"].to_numpy()[first_line]
    order_items = pd.DataFrame(
        {
            "transaction_id": take(book.frame["transaction_id"], book.order_rows[order_of_line]),
            **{c: lines[c] for c in ("line_no", "product_id", "category", "quantity", "amount")},
        }
    )
    progress(5, total, "events")
    if events:
        event_frame = make_events(
            rng["events"], all_orders, book, first_product, customers, pop.first_day, catalog,
            period, params.prospects_per_customer, params.anonymous_visitors_per_customer,
        )  # fmt: skip
    else:
        event_frame = _empty_events()
    progress(6, total, "survey")
    n_respondents = max(params.min_respondents, round(params.respondents_per_customer * n))
    survey = make_survey(rng["survey"], customer_ids, period, n_respondents)

    customer_truth = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "customer_type": pick(CUSTOMER_TYPES, pop.customer_type),
            "lam": pop.lam,
            "p": pop.p,
            "nu": pop.nu,
            "expected_spend": params.p / pop.nu,
            "first_day": pop.first_day,
            "dropout_day": np.where(np.isfinite(dropout_day), dropout_day, np.nan),
            "alive_at_end": ~np.isfinite(dropout_day),
            "baseline_repeat_purchases": repeats.frequency,
        }
    )
    truth = _truth(n, seed, kind, period, params, catalog, campaign.truth, survey.truth)
    truth["sizes"] = {
        "customers": n,
        "transactions": len(book.frame),
        "orders": len(all_orders),
        "refunds": int(book.frame["is_refund"].sum()),
        "order_items": len(order_items),
        "events": len(event_frame),
        "subscriptions": len(subs.frame),
        "survey_responses": len(survey.frame),
        "assignments": len(campaign.assignments),
    }
    progress(total, total, "done")
    return SimulatedBusiness(
        customers=customers,
        transactions=book.frame,
        order_items=order_items,
        products=catalog.products,
        events=event_frame,
        subscriptions=subs.frame,
        survey_responses=survey.frame,
        campaigns=campaign.campaigns,
        assignments=campaign.assignments,
        customer_truth=customer_truth,
        truth=truth,
    )


def _empty_events() -> pd.DataFrame:
    columns = ["message_id", "type", "user_id", "anonymous_id", "ts", "event", "properties"]
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in [*columns, "traits"]})
    frame["ts"] = pd.Series(dtype="datetime64[s]")
    return frame


def _truth(
    n: int,
    seed: int,
    kind: str,
    period: Period,
    params: SimulationParams,
    catalog: Any,
    campaign: dict[str, Any],
    survey: dict[str, Any],
) -> dict[str, Any]:
    p = params
    return {
        "seed": seed,
        "kind": kind,
        "n_customers": n,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "period_days": period.days,
        "bgnbd": {
            "r": p.r,
            "alpha": p.alpha,
            "a": p.a,
            "b": p.b,
            "time_unit": "days",
            "mean_purchase_rate": p.r / p.alpha,
            "mean_dropout_probability": p.a / (p.a + p.b),
            "first_purchase": "at first_seen, not counted as a repeat purchase",
        },
        "gamma_gamma": {
            "p": p.p,
            "q": p.q,
            "gamma": p.gamma,
            "mean_spend": p.p * p.gamma / (p.q - 1),
            "applies_to": "every purchase order (not subscription charges, before refunds)",
        },
        "sbg": {
            "alpha": p.sbg_alpha,
            "beta": p.sbg_beta,
            "period": "month",
            "period_days": MONTH_DAYS,
            "mean_churn": p.sbg_alpha / (p.sbg_alpha + p.sbg_beta),
            "survival": "S(t) = B(alpha, beta + t) / B(alpha, beta) after t months",
            "subscribers": "every customer" if kind == "subscription" else p.membership_share,
            "plans": dict(p.plans),
        },
        "acquisition_growth_per_year": p.acquisition_growth_per_year,
        "refund_rate": p.refund_rate,
        "catalog": catalog_truth(catalog, params),
        "campaign": campaign,
        "survey": survey,
        "params": params.as_dict(),
    }
