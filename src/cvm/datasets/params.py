"""The true parameters of the synthetic business, with their defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cvm._exceptions import ConfigError

__all__ = ["CUSTOMER_TYPES", "SimulationParams"]

CUSTOMER_TYPES = ("persuadable", "sure_thing", "lost_cause", "do_not_disturb")
ACQUISITION_CHANNELS = ("web", "store", "app", "referral", "paid_social")
ORDER_CHANNELS = ("web", "store", "app")


@dataclass(frozen=True)
class SimulationParams:
    """Every tunable of :func:`cvm.datasets.simulate`; the defaults describe a mid-size retailer.

    Time unit of the BG/NBD rates is the day. ``campaign_effects`` gives, per customer type, the
    probability that the treatment adds one purchase in the response window (positive) or
    cancels every purchase the customer would have made in it (negative).
    """

    # BG/NBD purchase process (per day): lambda ~ Gamma(r, rate=alpha), p ~ Beta(a, b)
    r: float = 0.75
    alpha: float = 60.0
    a: float = 0.8
    b: float = 5.0
    # Gamma-Gamma spend: spend ~ Gamma(p, rate=nu), nu ~ Gamma(q, rate=gamma)
    p: float = 6.0
    q: float = 4.0
    gamma: float = 30.0
    # acquisition: monthly new customers grow by this factor per year
    acquisition_growth_per_year: float = 1.6
    # refunds: share of orders refunded (in full) 1 to 14 days later
    refund_rate: float = 0.03
    # shifted-beta-geometric churn per month: theta ~ Beta(sbg_alpha, sbg_beta)
    sbg_alpha: float = 1.2
    sbg_beta: float = 8.0
    membership_share: float = 0.25  # retail: share of customers who take a membership
    plans: dict[str, float] = field(
        default_factory=lambda: {"basic": 9.99, "plus": 19.99, "premium": 29.99}
    )
    # catalog
    n_categories: int = 8
    products_per_category: int = 25
    favourite_share: float = 0.6  # a line's category is the customer's favourite this often
    pair_share: float = 0.3  # a further line is the previous line's companion product this often
    # campaign
    campaign_at: float = 0.8  # fraction of the period at which the campaign starts
    response_days: int = 30
    control_fraction: float = 0.2
    campaign_effects: dict[str, float] = field(
        default_factory=lambda: {
            "persuadable": 0.25,
            "sure_thing": 0.0,
            "lost_cause": 0.0,
            "do_not_disturb": -0.5,
        }
    )
    # events
    anonymous_visitors_per_customer: float = 0.5
    prospects_per_customer: float = 0.1
    # survey
    respondents_per_customer: float = 0.05
    min_respondents: int = 200

    def __post_init__(self) -> None:
        for name in ("r", "alpha", "a", "b", "p", "gamma", "sbg_alpha", "sbg_beta"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"simulation parameter {name} must be positive, got {value!r}")
        if not self.q > 1:
            raise ConfigError(f"simulation parameter q must exceed 1, got {self.q!r}")
        for name in ("refund_rate", "membership_share", "favourite_share", "pair_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"simulation parameter {name} must be within [0, 1]")
        if not 0 < self.control_fraction < 1:
            raise ConfigError("simulation parameter control_fraction must be within (0, 1)")
        if not 0 < self.campaign_at < 1:
            raise ConfigError("simulation parameter campaign_at must be within (0, 1)")
        if set(self.campaign_effects) != set(CUSTOMER_TYPES):
            raise ConfigError(f"campaign_effects needs exactly the types {list(CUSTOMER_TYPES)}")
        if any(not -1 <= v <= 1 for v in self.campaign_effects.values()):
            raise ConfigError("campaign_effects must be probabilities within [-1, 1]")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
