"""Who the customers are: when and how they were acquired, contact details, consent, type."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from cvm.datasets._draw import arrow, categorical, choice, id_width, ids, join, numbers, pick
from cvm.datasets.clock import Period
from cvm.datasets.params import ACQUISITION_CHANNELS, SimulationParams

# acquisition mix at the start and at the end of the period (web, store, app, referral, paid_social)
ACQUISITION_MIX_START = np.array([0.40, 0.30, 0.10, 0.12, 0.08])
ACQUISITION_MIX_END = np.array([0.30, 0.20, 0.25, 0.10, 0.15])
# order channel mix (web, store, app) by acquisition channel
ORDER_CHANNEL_MIX = np.array(
    [
        [0.70, 0.15, 0.15],
        [0.15, 0.75, 0.10],
        [0.15, 0.05, 0.80],
        [0.45, 0.35, 0.20],
        [0.50, 0.10, 0.40],
    ]
)
# customer type shares (persuadable, sure_thing, lost_cause, do_not_disturb) by acquisition channel
TYPE_MIX = np.array(
    [
        [0.30, 0.25, 0.30, 0.15],
        [0.20, 0.40, 0.25, 0.15],
        [0.25, 0.35, 0.25, 0.15],
        [0.35, 0.30, 0.25, 0.10],
        [0.45, 0.15, 0.25, 0.15],
    ]
)
COUNTRIES = ("US", "CA", "GB", "DE", "FR", "AU")
COUNTRY_SHARES = (0.60, 0.10, 0.10, 0.08, 0.07, 0.05)
PHONE_PREFIX = ("+1", "+1", "+44", "+49", "+33", "+61")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
# Age band by customer type (rows in CUSTOMER_TYPES order): an observable, noisy proxy of the
# hidden type, so uplift models have something real to learn from. The type itself stays in
# the truth only: a customer record never says who is persuadable.
AGE_SHARES_BY_TYPE = np.array(
    [
        [0.22, 0.34, 0.22, 0.12, 0.06, 0.04],  # persuadable: younger
        [0.08, 0.22, 0.26, 0.22, 0.14, 0.08],  # sure thing
        [0.10, 0.22, 0.24, 0.20, 0.14, 0.10],  # lost cause
        [0.04, 0.12, 0.20, 0.22, 0.22, 0.20],  # do not disturb: older
    ]
)
EMAIL_SHARE, PHONE_SHARE = 0.97, 0.70
CONSENT = {"email": 0.70, "sms": 0.35, "push_app": 0.60, "push_other": 0.15, "mail": 0.10}


@dataclass
class Population:
    """The customers' latent traits, aligned with the rows of the ``customers`` frame."""

    first_day: np.ndarray  # days since the period start of the first purchase
    acquisition: np.ndarray  # index into ACQUISITION_CHANNELS
    customer_type: np.ndarray  # index into CUSTOMER_TYPES
    lam: np.ndarray  # purchases per day while active
    p: np.ndarray  # dropout probability after each repeat purchase
    nu: np.ndarray  # Gamma-Gamma spend rate (mean spend p / nu)
    favourite: np.ndarray  # favourite category index


def acquisition_days(rng: np.random.Generator, n: int, days: float, growth: float) -> np.ndarray:
    """Acquisition times on ``[0, days)`` whose density grows by ``growth`` per year, sorted."""
    u = rng.random(n)
    k = np.log(growth) / 365.25 if growth > 0 else 0.0
    t = u * days if abs(k) < 1e-12 else np.log1p(u * np.expm1(k * days)) / k
    return np.sort(np.minimum(t, np.nextafter(days, 0)))


def draw_population(
    rng: np.random.Generator, n: int, period: Period, params: SimulationParams, n_categories: int
) -> Population:
    first_day = acquisition_days(rng, n, period.days, params.acquisition_growth_per_year)
    frac = (first_day / period.days)[:, None]
    acquisition = categorical(
        rng, ACQUISITION_MIX_START + (ACQUISITION_MIX_END - ACQUISITION_MIX_START) * frac
    )
    customer_type = categorical(rng, TYPE_MIX[acquisition])
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    p = rng.beta(params.a, params.b, n)
    nu = rng.gamma(params.q, 1.0 / params.gamma, n)
    popularity = category_popularity(n_categories)
    favourite = choice(rng, popularity, n)
    return Population(first_day, acquisition, customer_type, lam, p, nu, favourite)


def category_popularity(n_categories: int) -> np.ndarray:
    """Overall category shares: gently decreasing (Zipf with exponent 0.7)."""
    weights = 1.0 / np.arange(1, n_categories + 1) ** 0.7
    return weights / weights.sum()


def customers_frame(
    rng: np.random.Generator, pop: Population, period: Period, params: SimulationParams
) -> pd.DataFrame:
    """The ``customers`` table in the workspace's canonical columns."""
    n = pop.first_day.size
    customer_id = ids("C", np.arange(1, n + 1), id_width(n))
    country = choice(rng, COUNTRY_SHARES, n)
    has_email = rng.random(n) < EMAIL_SHARE
    has_phone = rng.random(n) < PHONE_SHARE
    domain = pick(("example.com", "example.org", "example.net"), rng.integers(0, 3, n))
    email = join(pc.utf8_lower(arrow(customer_id)), "@", domain)
    phone = join(
        pick(PHONE_PREFIX, country), numbers(rng.integers(2_000_000_000, 9_999_999_999, n))
    )
    is_app = pop.acquisition == ACQUISITION_CHANNELS.index("app")
    push_share = np.where(is_app, CONSENT["push_app"], CONSENT["push_other"])
    attributes = join(
        '{"age_band": "',
        pick(AGE_BANDS, categorical(rng, AGE_SHARES_BY_TYPE[pop.customer_type])),
        '"}',
    )
    return pd.DataFrame(
        {
            "customer_id": customer_id,
            "first_seen": period.timestamps(pop.first_day),
            "email": email.where(has_email),
            "phone": phone.where(has_phone),
            "country": pick(COUNTRIES, country),
            "acquisition_channel": pick(ACQUISITION_CHANNELS, pop.acquisition),
            "consent_email": has_email & (rng.random(n) < CONSENT["email"]),
            "consent_sms": has_phone & (rng.random(n) < CONSENT["sms"]),
            "consent_push": rng.random(n) < push_share,
            "consent_mail": rng.random(n) < CONSENT["mail"],
            "attributes": attributes,
        }
    )
