"""Behavioural events in the Segment spec: identify, page and track calls.

Customers browse anonymously before their first order and are linked to their ``userId`` (the
customer id) by an ``identify`` call with ``traits.email``; web and app orders are preceded by
"Product Viewed" and "Product Added"; app orders send "Order Completed" whose
``properties.order_id`` is the order's ``transaction_id``. Prospects identify but never buy, and
anonymous visitors only view pages.

Every block of events refers to people, anonymous ids and property texts by integer index; the
text columns are looked up once, after the events are put in time order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cvm.datasets._draw import arrow, choice, hex_ids, id_width, ids, join, numbers, pick, text
from cvm.datasets.catalog import Catalog, category_names
from cvm.datasets.clock import Period
from cvm.datasets.orders import Ledger, Orders
from cvm.datasets.params import ORDER_CHANNELS

MINUTE = 1.0 / 1440.0
TYPES = ("identify", "track", "page")
EVENTS = ("", "Product Viewed", "Product Added", "Order Completed")
NONE = -1


@dataclass
class _Block:
    """Events of one kind; ``user``, ``anon``, ``props`` and ``traits`` index the text tables."""

    kind: int
    event: int
    day: np.ndarray
    user: np.ndarray
    anon: np.ndarray
    props: np.ndarray
    traits: np.ndarray


def _block(kind: str, event: str, day: np.ndarray, user: np.ndarray | int, anon: np.ndarray,
           props: np.ndarray | int = NONE, traits: np.ndarray | int = NONE) -> _Block:  # fmt: skip
    size = day.size
    return _Block(
        TYPES.index(kind),
        EVENTS.index(event),
        day,
        np.broadcast_to(user, size),
        np.broadcast_to(anon, size),
        np.broadcast_to(props, size),
        np.broadcast_to(traits, size),
    )


def _product_json(catalog: Catalog) -> pd.Series:
    """The properties of a product event, one per catalog product."""
    products = catalog.products
    return join(
        '{"product_id": "', products["product_id"], '", "category": "', products["category"],
        '", "price": ', numbers(products["price"].to_numpy(), 2), "}",
    )  # fmt: skip


def _page_json(catalog: Catalog) -> pd.Series:
    names = category_names(catalog.n_categories)
    return text([f'{{"path": "/c/{c}", "title": "{c.title()}"}}' for c in names])


def make_events(
    rng: np.random.Generator,
    orders: Orders,
    ledger: Ledger,
    first_product: np.ndarray,
    customers: pd.DataFrame,
    first_day: np.ndarray,
    catalog: Catalog,
    period: Period,
    prospects_per_customer: float,
    anonymous_per_customer: float,
) -> pd.DataFrame:
    """The events table (one row per message), sorted by time, with Segment field values."""
    n = len(customers)
    n_prospects = round(prospects_per_customer * n)
    n_visitors = round(anonymous_per_customer * n)
    # text tables: people = customers then prospects; anonymous ids = customers, prospects,
    # visitors; properties = products, pages, then one per app order
    people = ids("C", np.arange(1, n + n_prospects + 1), id_width(n + n_prospects))
    people = pd.concat([customers["customer_id"], people.iloc[n:]], ignore_index=True)
    anons = hex_ids(rng, n + n_prospects + n_visitors)
    email = pc.fill_null(arrow(join('"', customers["email"], '"')), "null")
    prospect_email = join('"', pc.utf8_lower(arrow(people.iloc[n:])), '@example.com"')
    traits = join(
        '{"email": ',
        pa.concat_arrays([email, arrow(prospect_email)]),
        ', "country": "',
        pa.concat_arrays([arrow(customers["country"]), arrow(text(["US"] * n_prospects))]),
        '"}',
    )
    product_json, page_json = _product_json(catalog), _page_json(catalog)
    page_base = len(product_json)
    app_base = page_base + len(page_json)

    customer = np.arange(n)
    identify_day = np.maximum(first_day - rng.uniform(1, 10, n) * MINUTE, 0.0)
    blocks = [_block("identify", "", identify_day, customer, customer, traits=customer)]

    channel = _order_channels(ledger)
    purchase = orders.plan < 0
    online = np.flatnonzero((channel != ORDER_CHANNELS.index("store")) & purchase)
    for name, lo, hi in (("Product Viewed", 5, 60), ("Product Added", 1, 5)):
        day = orders.day[online] - rng.uniform(lo, hi, online.size) * MINUTE
        keep = day >= 0
        who, day = orders.customer[online][keep], day[keep]
        user = np.where(day >= identify_day[who], who, NONE)
        blocks.append(_block("track", name, day, user, who, first_product[online][keep]))

    app = np.flatnonzero((channel == ORDER_CHANNELS.index("app")) & purchase)
    total = numbers(orders.amount[app], 2)
    tid = arrow(ledger.frame["transaction_id"]).take(pa.array(ledger.order_rows[app]))
    completed = join(
        '{"order_id": "', tid, '", "total": ', total, ', "revenue": ', total, ', "currency": "USD"}'
    )
    who = orders.customer[app]
    refs = app_base + np.arange(app.size)
    blocks.append(_block("track", "Order Completed", orders.day[app], who, who, refs))

    prospect = n + np.arange(n_prospects)
    p_day = rng.uniform(0, period.days, n_prospects)
    blocks.append(_block("identify", "", p_day, prospect, prospect, traits=prospect))
    visitor = np.repeat(np.arange(n_prospects), 1 + rng.poisson(2.0, n_prospects))
    v_day = p_day[visitor] + rng.normal(0, 7, visitor.size)
    inside = (v_day >= 0) & (v_day < period.days)
    visitor, v_day = visitor[inside], v_day[inside]
    user = np.where(v_day >= p_day[visitor], prospect[visitor], NONE)
    product = rng.integers(0, len(catalog.partner), visitor.size)
    blocks.append(_block("track", "Product Viewed", v_day, user, prospect[visitor], product))

    visitor = np.repeat(np.arange(n_visitors), 1 + rng.poisson(1.0, n_visitors))
    a_day = rng.uniform(0, period.days, visitor.size)
    page = page_base + choice(rng, catalog.category_popularity, visitor.size)
    anon = n + n_prospects + visitor
    blocks.append(_block("page", "", a_day, NONE, anon, page))

    day = np.concatenate([b.day for b in blocks])
    order = np.argsort(day, kind="stable")

    def column(field: str) -> np.ndarray:
        return np.concatenate([getattr(b, field) for b in blocks])[order]

    properties = pa.concat_arrays([arrow(product_json), arrow(page_json), arrow(completed)])
    kind = np.concatenate([np.full(b.day.size, b.kind) for b in blocks])[order]
    event = np.concatenate([np.full(b.day.size, b.event) for b in blocks])[order]
    return pd.DataFrame(
        {
            "message_id": ids("M", np.arange(1, day.size + 1), id_width(day.size, 9)),
            "type": pick(TYPES, kind),
            "user_id": _lookup(arrow(people), column("user")),
            "anonymous_id": _lookup(arrow(anons), column("anon")),
            "ts": period.timestamps(day[order]),
            "event": pick(EVENTS, event).where(event > 0),
            "properties": _lookup(properties, column("props")),
            "traits": _lookup(traits, column("traits")),
        }
    )


def _lookup(table: pa.Array | pa.ChunkedArray, index: np.ndarray) -> pd.Series:
    """``table[index]`` as a string column, missing where the index is -1."""
    return text(arrow(table).take(pa.array(index, mask=index < 0)))


def _order_channels(ledger: Ledger) -> np.ndarray:
    """Each order's channel index (web, store, app)."""
    codes = pd.Categorical(ledger.frame["channel"], categories=list(ORDER_CHANNELS)).codes
    return np.asarray(codes)[ledger.order_rows]
