"""Co-purchase associations by hand, product-targeted offers, and where lifts come from."""

from __future__ import annotations

import pytest

from cvm.decide import associations, make_plan, parse_offers, recommendations
from cvm.workspace import Workspace

BASKETS = {  # order -> (customer, products)
    "T1": ("A1", ["P1", "P2"]),
    "T2": ("A1", ["P1", "P2", "P3"]),
    "T3": ("A2", ["P1"]),
    "T4": ("A3", ["P2", "P3"]),
    "T5": ("A4", ["P1", "P2"]),
}


@pytest.fixture
def shop(workspace: Workspace) -> Workspace:
    con = workspace.con
    for cid in ("A1", "A2", "A3", "A4"):
        con.execute(
            "INSERT INTO customers (customer_id, first_seen, email, consent_email, country)"
            " VALUES (?, '2024-01-01', ?, true, 'US')",
            [cid, f"{cid}@x.org"],
        )
    for k, (tid, (cid, products)) in enumerate(BASKETS.items()):
        con.execute(
            "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
            " VALUES (?, ?, ?, 50)",
            [tid, cid, f"2025-0{k + 1}-10"],
        )
        for line, p in enumerate(products, 1):
            con.execute(
                "INSERT INTO order_items (transaction_id, line_no, product_id, quantity, amount)"
                " VALUES (?, ?, ?, 1, 10)",
                [tid, line, p],
            )
    return workspace


def test_support_confidence_and_lift_by_hand(shop: Workspace) -> None:
    rules = associations(shop, "2025-12-31", min_count=1).set_index(["antecedent", "consequent"])
    # P1 in 4 orders, P2 in 4, P3 in 2, of 5 orders; P1 & P2 together in 3
    assert rules.loc[("P1", "P2"), "support"] == pytest.approx(3 / 5)
    assert rules.loc[("P1", "P2"), "confidence"] == pytest.approx(3 / 4)
    assert rules.loc[("P1", "P2"), "lift"] == pytest.approx((3 / 4) / (4 / 5))
    assert rules.loc[("P3", "P2"), "lift"] == pytest.approx(1.0 / (4 / 5))
    assert ("P1", "P3") in rules.index and ("P3", "P1") in rules.index


def test_recommendations_skip_what_was_bought(shop: Workspace) -> None:
    recs = recommendations(shop, "2025-12-31", k=2, min_count=1, min_lift=0.0)
    by_customer = recs.groupby("customer_id")["product_id"].apply(list).to_dict()
    assert "A1" not in by_customer  # bought everything
    assert by_customer["A2"][0] == "P2"  # P1 -> P2 has the highest confidence
    assert by_customer["A4"] == ["P3"]


def test_a_product_offer_targets_only_customers_it_is_recommended_to(shop: Workspace) -> None:
    shop.config = shop.config.replace(decide={"top_k": 1, "min_pair_orders": 1})
    offers = parse_offers(
        [
            {
                "id": "p3",
                "kind": "cross-sell",
                "channel": "email",
                "product": "P3",
                "lift": 0.3,
                "base_rate": 0.1,
            }
        ]
    )
    result = make_plan(shop, 100.0, as_of="2025-12-31", offers=offers, curve_points=0)
    reasons = dict(zip(result.customer_ids, result.reasons[:, 0], strict=True))
    assert reasons["A4"] is None  # P3 is A4's top recommendation
    assert reasons["A2"] == "P3 not a top recommendation"


def test_learned_and_uplift_lifts_replace_the_prior(shop: Workspace) -> None:
    con = shop.con
    con.execute(
        "INSERT INTO campaigns (campaign_id, offer_id, channel, starts, ends, status) VALUES"
        " ('M1', 'x', 'email', '2025-01-01', '2025-01-31', 'completed'),"
        " ('M2', 'y', 'email', '2025-01-01', '2025-01-31', 'completed')"
    )
    con.execute(
        "INSERT INTO response_priors (campaign_id, offer_id, channel, arm, segment, metric,"
        " n_treatment, n_control, treatment_rate, control_rate, lift, lift_lower, lift_upper)"
        " VALUES ('M1', 'x', 'email', 'treatment', 'all', 'conversion', 100, 100, 0.2, 0.1,"
        " 0.1, 0.05, 0.15)"
    )
    con.execute("INSERT INTO model_runs (run_id, kind) VALUES ('U1', 'uplift')")
    con.execute(
        "INSERT INTO uplift_scores VALUES ('U1', 'M2', 'A2', 'treatment', 0.07, 0.1, 0.17,"
        " 'persuadable')"
    )
    offers = parse_offers(
        [
            {"id": o, "kind": "cross-sell", "channel": "email", "lift": 0.01, "base_rate": 0.1}
            for o in ("x", "y")
        ]
    )
    result = make_plan(shop, 100.0, as_of="2025-12-31", offers=offers, curve_points=0)
    ids = list(result.customer_ids)
    f = result.factors
    assert f.lift[ids.index("A1"), 0] == pytest.approx(0.1) and f.lift_source[0, 0] == 1
    assert f.lift[ids.index("A2"), 1] == pytest.approx(0.07)
    assert f.lift_source[ids.index("A2"), 1] == 2
    assert f.lift_source[ids.index("A3"), 1] == 0  # no uplift score: the prior
