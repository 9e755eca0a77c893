"""The product catalog and the lines of each order.

Structure a basket analysis can find: every customer has a favourite category that most of its
lines come from, and every product has one companion product (in another category) that follows
it in the same basket far more often than chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cvm.datasets._draw import choice, id_width, ids, take, text
from cvm.datasets.customers import Population, category_popularity
from cvm.datasets.orders import Orders
from cvm.datasets.params import SimulationParams

CATEGORY_NAMES = (
    "apparel",
    "footwear",
    "accessories",
    "beauty",
    "home",
    "electronics",
    "sports",
    "books",
)
CATEGORY_PRICE = (45.0, 80.0, 25.0, 20.0, 35.0, 120.0, 50.0, 15.0)
LINES_PER_ORDER = 5  # 1 + Binomial(4, 0.25) lines
LINE_PROBABILITY = 0.25
QUANTITY_SHARES = (0.85, 0.12, 0.03)
PRODUCT_POPULARITY_EXPONENT = 1.0


@dataclass
class Catalog:
    products: pd.DataFrame
    partner: np.ndarray  # companion product index of each product
    category_popularity: np.ndarray
    per_category: int
    n_categories: int
    plan_products: np.ndarray  # product index of each subscription plan


def category_names(k: int) -> list[str]:
    return [CATEGORY_NAMES[i] if i < len(CATEGORY_NAMES) else f"category_{i + 1}" for i in range(k)]


def make_catalog(rng: np.random.Generator, params: SimulationParams) -> Catalog:
    k, m = params.n_categories, params.products_per_category
    names = category_names(k)
    base = np.array([CATEGORY_PRICE[i % len(CATEGORY_PRICE)] for i in range(k)])
    category = np.repeat(np.arange(k), m)
    price = np.maximum(np.floor(base[category] * rng.lognormal(0.0, 0.5, k * m)) + 0.99, 0.99)
    other = (category + rng.integers(1, k, k * m)) % k if k > 1 else category
    partner = other * m + rng.integers(0, m, k * m)
    plans = list(params.plans)
    width = id_width(k * m, 4)
    product_id = pd.concat(
        [
            ids("P", np.arange(1, k * m + 1), width),
            text([f"PLAN-{p.upper()}" for p in plans]),
        ],
        ignore_index=True,
    )
    within = np.tile(np.arange(1, m + 1), k)
    products = pd.DataFrame(
        {
            "product_id": product_id,
            "name": text(
                [f"{names[c].title()} item {j}" for c, j in zip(category, within, strict=True)]
                + [f"{p.title()} membership (monthly)" for p in plans]
            ),
            "category": text([names[c] for c in category] + ["subscription"] * len(plans)),
            "price": np.concatenate([price, list(params.plans.values())]),
        }
    )
    return Catalog(
        products,
        partner,
        category_popularity(k),
        m,
        k,
        np.arange(k * m, k * m + len(plans)),
    )


def _product_in_category(rng: np.random.Generator, category: np.ndarray, m: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, m + 1) ** PRODUCT_POPULARITY_EXPONENT
    return category * m + choice(rng, weights, category.size)


def order_lines(
    rng: np.random.Generator,
    orders: Orders,
    pop: Population,
    catalog: Catalog,
    params: SimulationParams,
) -> pd.DataFrame:
    """Lines of every order as ``order`` (index into ``orders``), ``line_no``, product, amount."""
    n_orders = len(orders)
    is_charge = orders.plan >= 0
    n_lines = np.where(
        is_charge, 1, 1 + rng.binomial(LINES_PER_ORDER - 1, LINE_PROBABILITY, n_orders)
    )
    first = np.cumsum(n_lines) - n_lines  # position of each order's first line
    order = np.repeat(np.arange(n_orders), n_lines)
    line = np.arange(order.size) - first[order] + 1
    prod = np.zeros(order.size, dtype=np.int64)
    for k in range(LINES_PER_ORDER):
        active = np.flatnonzero((n_lines > k) & ~is_charge)
        fav = pop.favourite[orders.customer[active]]
        general = choice(rng, catalog.category_popularity, active.size)
        category = np.where(rng.random(active.size) < params.favourite_share, fav, general)
        drawn = _product_in_category(rng, category, catalog.per_category)
        if k > 0:
            paired = rng.random(active.size) < params.pair_share
            drawn = np.where(paired, catalog.partner[prod[first[active] + k - 1]], drawn)
        prod[first[active] + k] = drawn
    charges = np.flatnonzero(is_charge)
    prod[first[charges]] = catalog.plan_products[orders.plan[charges]]
    quantity = 1 + choice(rng, QUANTITY_SHARES, order.size)
    quantity[is_charge[order]] = 1
    price = catalog.products["price"].to_numpy()[prod]
    amount = _split(orders.amount, order, price * quantity, line == n_lines[order])
    return pd.DataFrame(
        {
            "order": order,
            "line_no": line.astype(np.int32),
            "product": prod,
            "product_id": take(catalog.products["product_id"], prod),
            "category": take(catalog.products["category"], prod),
            "quantity": quantity.astype(float),
            "amount": amount,
        }
    )


def _split(
    total: np.ndarray, order: np.ndarray, weight: np.ndarray, last: np.ndarray
) -> np.ndarray:
    """Share each order's amount across its lines by weight, in cents, summing exactly."""
    cents = np.round(total * 100).astype(np.int64)
    share = weight / np.bincount(order, weight, minlength=total.size)[order]
    line_cents = np.floor(cents[order] * share).astype(np.int64)
    line_cents[last] = 0
    rest = cents - np.bincount(order, line_cents, minlength=total.size).astype(np.int64)
    line_cents[last] = rest[order[last]]
    return line_cents / 100.0


def catalog_truth(catalog: Catalog, params: SimulationParams) -> dict[str, Any]:
    ids_ = catalog.products["product_id"].to_numpy()
    return {
        "categories": category_names(catalog.n_categories),
        "category_popularity": [round(float(x), 6) for x in catalog.category_popularity],
        "products_per_category": catalog.per_category,
        "product_popularity_within_category": f"Zipf, exponent {PRODUCT_POPULARITY_EXPONENT}",
        "favourite_share": params.favourite_share,
        "pair_share": params.pair_share,
        "lines_per_order": f"1 + Binomial({LINES_PER_ORDER - 1}, {LINE_PROBABILITY})",
        "quantity_shares": list(QUANTITY_SHARES),
        "companion_of": {
            str(ids_[i]): str(ids_[j]) for i, j in enumerate(catalog.partner.tolist())
        },
    }
