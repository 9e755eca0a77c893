"""The simulated business is consistent, reproducible and has its true statistics."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, hyp2f1

from cvm._exceptions import ConfigError
from cvm.datasets import SimulatedBusiness, SimulationParams, simulate
from cvm.datasets.subscriptions import MONTH_DAYS

NO_EFFECT = {"persuadable": 0.0, "sure_thing": 0.0, "lost_cause": 0.0, "do_not_disturb": 0.0}


@pytest.fixture(scope="module")
def small() -> SimulatedBusiness:
    return simulate(2000, seed=11)


@pytest.fixture(scope="module")
def large_plain() -> SimulatedBusiness:
    """No campaign effect, so every purchase comes from the BG/NBD process."""
    return simulate(
        30_000, seed=12, events=False, params=SimulationParams(campaign_effects=NO_EFFECT)
    )


@pytest.fixture(scope="module")
def large() -> SimulatedBusiness:
    return simulate(40_000, seed=13, events=False)


def within(sample: np.ndarray, expected: float, k: float = 4.0) -> bool:
    se = sample.std(ddof=1) / np.sqrt(sample.size)
    return abs(sample.mean() - expected) < k * se


def ages_days(b: SimulatedBusiness) -> np.ndarray:
    end = pd.Timestamp(b.truth["end"]) + pd.Timedelta(days=1)
    return np.asarray((end - b.customers["first_seen"]) / pd.Timedelta(days=1), dtype=float)


def repeat_counts(b: SimulatedBusiness) -> np.ndarray:
    orders = b.transactions[~b.transactions["is_refund"]]
    counts = orders.groupby("customer_id").size().reindex(b.customers["customer_id"], fill_value=0)
    return counts.to_numpy() - 1


# --- statistics of the true parameters -------------------------------------------------------


def test_repeat_purchases_follow_bgnbd(large_plain: SimulatedBusiness) -> None:
    bg = large_plain.truth["bgnbd"]
    r, alpha, a, b = bg["r"], bg["alpha"], bg["a"], bg["b"]
    T = ages_days(large_plain)
    x = repeat_counts(large_plain)
    assert x.min() == 0
    p_zero = (alpha / (alpha + T)) ** r  # P(X(T) = 0): no repeat purchase yet
    assert within((x == 0) - p_zero, 0.0)
    z = T / (alpha + T)
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + T)) ** r * hyp2f1(r, b, a + b - 1, z))
    assert within(x - expected, 0.0)
    truth = large_plain.customer_truth
    assert within(truth["lam"].to_numpy(), r / alpha)
    # each customer's own expectation given lambda and p (Fader, Hardie & Lee 2005, eq. 7)
    lam, p = truth["lam"].to_numpy(), truth["p"].to_numpy()
    assert within(x - (1 - np.exp(-lam * p * T)) / p, 0.0)


def test_spend_follows_gamma_gamma(large_plain: SimulatedBusiness) -> None:
    gg = large_plain.truth["gamma_gamma"]
    orders = large_plain.transactions[~large_plain.transactions["is_refund"]]
    first = orders.groupby("customer_id")["amount"].first().to_numpy()
    assert within(first, gg["p"] * gg["gamma"] / (gg["q"] - 1))
    assert gg["mean_spend"] == pytest.approx(gg["p"] * gg["gamma"] / (gg["q"] - 1))


def test_refund_share(large_plain: SimulatedBusiness) -> None:
    tx = large_plain.transactions
    share = tx["is_refund"].sum() / (~tx["is_refund"]).sum()
    assert 0.02 < share < 0.04  # 3 % of orders, less those refunded after the end


def test_subscription_survival_is_shifted_beta_geometric() -> None:
    b = simulate(20_000, seed=14, kind="subscription", events=False)
    sbg = b.truth["sbg"]
    subs = b.subscriptions
    assert len(subs) == len(b.customers)
    end = pd.Timestamp(b.truth["end"]) + pd.Timedelta(days=1)
    months = (subs["ended"] - subs["started"]) / pd.Timedelta(days=MONTH_DAYS)
    for t in (1, 3, 6, 12):
        seen = (end - subs["started"]) / pd.Timedelta(days=MONTH_DAYS) > t
        survived = (months[seen] > t + 0.5) | subs["ended"][seen].isna()
        expected = np.exp(betaln(sbg["alpha"], sbg["beta"] + t) - betaln(sbg["alpha"], sbg["beta"]))
        assert within(survived.to_numpy(float), expected)
    # each paid month inside the period is a transaction at the plan's price
    charges = b.transactions["amount"].isin(list(sbg["plans"].values()))
    assert charges.sum() >= len(subs)


def test_campaign_lift_matches_truth(large: SimulatedBusiness) -> None:
    camp = large.truth["campaign"]
    arms = large.assignments
    assert len(arms) == camp["eligible"]
    assert (arms["arm"] == "control").sum() == round(0.2 * len(arms))
    starts, ends = pd.Timestamp(camp["starts"]), pd.Timestamp(camp["ends"])
    tx = large.transactions
    window = tx[(tx["ts"] >= starts) & (tx["ts"] < ends) & ~tx["is_refund"]]
    converted = arms["customer_id"].isin(window["customer_id"]).to_numpy(float)
    revenue = (
        window.groupby("customer_id")["amount"].sum().reindex(arms["customer_id"], fill_value=0)
    ).to_numpy()
    treated = (arms["arm"] == "treatment").to_numpy()

    def diff_and_se(y: np.ndarray) -> tuple[float, float]:
        t, c = y[treated], y[~treated]
        se = np.sqrt(t.var(ddof=1) / t.size + c.var(ddof=1) / c.size)
        return float(t.mean() - c.mean()), float(se)

    diff, se = diff_and_se(converted)
    assert camp["sate_conversion"] > 0.01
    assert abs(diff - camp["sate_conversion"]) < 4 * se
    assert diff > 0
    diff, se = diff_and_se(revenue)
    assert abs(diff - camp["sate_revenue_per_customer"]) < 4 * se

    types = large.customer_truth.set_index("customer_id")["customer_type"]
    kind = types.reindex(arms["customer_id"]).to_numpy()
    by_type = camp["by_type"]
    assert by_type["persuadable"]["sate_conversion"] > 0.1
    assert by_type["sure_thing"]["sate_conversion"] == 0
    assert by_type["lost_cause"]["sate_conversion"] == 0
    assert by_type["do_not_disturb"]["sate_conversion"] < 0
    for name in ("persuadable", "do_not_disturb"):
        mask = kind == name
        t, c = converted[mask & treated], converted[mask & ~treated]
        assert np.sign(t.mean() - c.mean()) == np.sign(by_type[name]["sate_conversion"])


def test_survey_means_and_ratios() -> None:
    b = simulate(1000, seed=15, events=False, params=SimulationParams(min_respondents=2000))
    survey = b.truth["survey"]
    answers = b.survey_responses
    ratings = answers[answers["attribute"] != "nps"]
    means = ratings.groupby(["brand", "attribute"])["score"].mean()
    expected = survey["expected_scores"]
    for (brand, attribute), mean in means.items():
        assert mean == pytest.approx(expected[brand][attribute], abs=0.12)
    weights = pd.Series(survey["importance"])
    quality = weights.drop("price") / weights.drop("price").sum()

    def quality_score(table: pd.Series | dict, brand: str) -> float:
        return sum(quality[a] * table[brand][a] for a in quality.index)

    table = {b_: means[b_].to_dict() for b_ in survey["brands"]}
    rivals = [b_ for b_ in survey["brands"] if b_ != "us"]
    ratio = quality_score(table, "us") / np.mean([quality_score(table, r) for r in rivals])
    truth = quality_score(expected, "us") / np.mean([quality_score(expected, r) for r in rivals])
    assert ratio == pytest.approx(truth, rel=0.02)
    nps = answers[answers["attribute"] == "nps"]["score"].to_numpy()
    score = 100 * ((nps >= 9).astype(float) - (nps <= 6))
    assert within(score, survey["nps"]["nps"])
    linked = answers.dropna(subset=["customer_id"])
    assert linked["respondent_id"].nunique() == survey["linked_to_customers"] == 1000
    assert linked.groupby("respondent_id")["customer_id"].nunique().eq(1).all()
    assert linked["customer_id"].isin(b.customers["customer_id"]).all()
    assert np.allclose(ratings.groupby(["respondent_id", "brand"])["importance"].sum(), 1.0)


# --- consistency of the tables -----------------------------------------------------------------


def test_sizes_and_keys(small: SimulatedBusiness) -> None:
    assert len(small.customers) == 2000
    assert small.customers["customer_id"].is_unique
    assert small.customers["customer_id"].iloc[0] == "C0000001"
    assert small.transactions["transaction_id"].is_unique
    assert small.events["message_id"].is_unique
    sizes = small.truth["sizes"]
    for name, frame in small.tables().items():
        if name in sizes:
            assert sizes[name] == len(frame)
    assert (small.transactions["currency"] == "USD").all()
    assert set(small.transactions["channel"]) == {"web", "store", "app"}
    assert small.transactions["ts"].dt.hour.nunique() == 24
    assert small.customers["first_seen"].is_monotonic_increasing


def test_first_purchase_at_first_seen(small: SimulatedBusiness) -> None:
    first = small.transactions.groupby("customer_id")["ts"].min()
    seen = small.customers.set_index("customer_id")["first_seen"]
    assert (first.reindex(seen.index) == seen).all()
    end = pd.Timestamp(small.truth["end"]) + pd.Timedelta(days=1)
    assert small.transactions["ts"].max() < end


def test_acquisition_grows(small: SimulatedBusiness) -> None:
    years = small.customers["first_seen"].dt.year.value_counts().sort_index()
    assert years.is_monotonic_increasing
    mix = small.customers.groupby(small.customers["first_seen"].dt.year)["acquisition_channel"]
    app_share = mix.apply(lambda s: (s == "app").mean())
    assert app_share.iloc[-1] > app_share.iloc[0]
    assert 0.5 < small.customers["consent_email"].mean() < 0.8


def test_refunds_link_to_their_orders(small: SimulatedBusiness) -> None:
    tx = small.transactions.set_index("transaction_id")
    refunds = tx[tx["is_refund"]]
    assert len(refunds) > 0
    assert (refunds["amount"] < 0).all()
    assert tx.loc[~tx["is_refund"], "refund_of"].isna().all()
    original = tx.loc[refunds["refund_of"]]
    assert not original["is_refund"].any()
    assert (original["customer_id"].to_numpy() == refunds["customer_id"].to_numpy()).all()
    assert np.allclose(original["amount"].to_numpy(), -refunds["amount"].to_numpy())
    delay = (refunds["ts"].to_numpy() - original["ts"].to_numpy()) / np.timedelta64(1, "D")
    assert (delay >= 0.99).all() and (delay <= 14.01).all()
    assert refunds["refund_of"].is_unique


def test_order_lines_sum_to_orders(small: SimulatedBusiness) -> None:
    tx = small.transactions
    orders = tx[~tx["is_refund"]].set_index("transaction_id")["amount"]
    items = small.order_items
    totals = items.groupby("transaction_id")["amount"].sum()
    assert set(totals.index) == set(orders.index)
    assert np.allclose(totals.reindex(orders.index).to_numpy(), orders.to_numpy(), atol=1e-9)
    lines = items.groupby("transaction_id")["line_no"].agg(["min", "max", "count"])
    assert (lines["min"] == 1).all() and (lines["max"] == lines["count"]).all()
    assert lines["count"].between(1, 5).all() and lines["count"].max() == 5
    assert items["product_id"].isin(small.products["product_id"]).all()
    assert (items["amount"] >= 0).all()


def test_baskets_have_structure(small: SimulatedBusiness) -> None:
    companion = small.truth["catalog"]["companion_of"]
    items = small.order_items
    same_order = items["transaction_id"].to_numpy()[1:] == items["transaction_id"].to_numpy()[:-1]
    previous = items["product_id"].to_numpy()[:-1][same_order]
    current = items["product_id"].to_numpy()[1:][same_order]
    follows = np.array([companion.get(p) == c for p, c in zip(previous, current, strict=True)])
    share = small.truth["catalog"]["pair_share"]
    assert follows.mean() == pytest.approx(share, abs=0.03)  # chance alone gives about 1 %
    # customers lean to a favourite category
    with_customer = items.merge(small.transactions[["transaction_id", "customer_id"]])
    top = with_customer.groupby("customer_id")["category"].agg(
        lambda s: s.value_counts().iloc[0] / len(s)
    )
    many = with_customer.groupby("customer_id").size() >= 10
    assert top[many].mean() > 0.5


def test_events_link_to_customers_and_orders(small: SimulatedBusiness) -> None:
    ev = small.events
    assert set(ev["type"]) == {"identify", "track", "page"}
    identify = ev[ev["type"] == "identify"]
    customers = small.customers.set_index("customer_id")
    known = identify[identify["user_id"].isin(customers.index)]
    assert known["user_id"].nunique() == len(customers)
    traits = known["traits"].map(json.loads)
    emails = customers["email"].reindex(known["user_id"]).to_numpy()
    assert all(
        t["email"] == (e if isinstance(e, str) else None)
        for t, e in zip(traits, emails, strict=True)
    )
    prospects = identify[~identify["user_id"].isin(customers.index)]
    assert len(prospects) == round(0.1 * len(customers))
    assert (
        ev.loc[ev["user_id"].isin(prospects["user_id"]), "event"]
        .dropna()
        .eq("Product Viewed")
        .all()
    )
    completed = ev[ev["event"] == "Order Completed"]
    order_ids = completed["properties"].map(lambda p: json.loads(p)["order_id"])
    tx = small.transactions.set_index("transaction_id")
    assert order_ids.is_unique
    assert (tx.loc[order_ids, "channel"] == "app").all()
    app_orders = (tx["channel"] == "app") & ~tx["is_refund"]
    assert app_orders.sum() == len(completed)
    assert (tx.loc[order_ids, "customer_id"].to_numpy() == completed["user_id"].to_numpy()).all()
    anonymous = ev[ev["user_id"].isna()]
    assert len(anonymous) > 0 and anonymous["anonymous_id"].notna().all()
    assert ev["ts"].is_monotonic_increasing


def test_membership_side_table_in_retail(small: SimulatedBusiness) -> None:
    subs = small.subscriptions
    assert 0.2 < len(subs) / len(small.customers) < 0.3
    assert subs["customer_id"].isin(small.customers["customer_id"]).all()
    ended = subs["ended"].dropna()
    assert (ended > subs.loc[ended.index, "started"]).all()
    assert subs["ended"].isna().any()


# --- reproducibility and input checks ----------------------------------------------------------


def test_same_seed_same_business() -> None:
    one, two = simulate(800, seed=5), simulate(800, seed=5)
    for name, frame in one.tables().items():
        pd.testing.assert_frame_equal(frame, two.tables()[name], obj=name)
    assert one.truth == two.truth
    other = simulate(800, seed=6)
    assert not one.transactions["amount"].equals(other.transactions["amount"])
    assert not one.customers["first_seen"].equals(other.customers["first_seen"])


def test_truth_is_json(small: SimulatedBusiness) -> None:
    assert json.loads(json.dumps(small.truth)) == small.truth
    assert small.truth["bgnbd"]["time_unit"] == "days"
    assert small.truth["seed"] == 11


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 0}, "n_customers"),
        ({"kind": "bank"}, "kind"),
        ({"start": "2023-13-01"}, "ISO dates"),
        ({"start": "2025-01-01", "end": "2024-01-01"}, "at least 60 days"),
    ],
)
def test_bad_input_is_named(kwargs: dict, message: str) -> None:
    args = {"n_customers": 10, **kwargs}
    with pytest.raises(ConfigError, match=message):
        simulate(**args)


def test_bad_params_are_named() -> None:
    with pytest.raises(ConfigError, match="q must exceed 1"):
        SimulationParams(q=0.5)
    with pytest.raises(ConfigError, match="campaign_effects"):
        SimulationParams(campaign_effects={"persuadable": 0.1})
