"""The value map against hand-computed ratios and against the simulator's known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cvm._exceptions import ConfigError, DataError
from cvm.datasets.clock import Period
from cvm.datasets.surveys import make_survey
from cvm.survey import SurveySettings, customer_value_map

# Two brands, three quality attributes and price, two respondents:
#   importance  R1: a .5  b .3  c .2     R2: a .3  b .3  c .4   -> mean weights .4 .3 .3
#   us          R1: a 8   b 6   c 9      R2: a 6   b 8   c 7    -> means 7, 7, 8
#   rival       R1: a 6   b 7   c 6      R2: a 6   b 5   c 8    -> means 6, 6, 7
#   price       us 7, 5 (mean 6); rival 4, 4 (mean 4)
# Q_us = .4*7 + .3*7 + .3*8 = 7.3; Q_rival = .4*6 + .3*6 + .3*7 = 6.3
HAND = [
    ("R1", "us", "a", 8, 0.5), ("R1", "us", "b", 6, 0.3), ("R1", "us", "c", 9, 0.2),
    ("R1", "rival", "a", 6, 0.5), ("R1", "rival", "b", 7, 0.3), ("R1", "rival", "c", 6, 0.2),
    ("R2", "us", "a", 6, 0.3), ("R2", "us", "b", 8, 0.3), ("R2", "us", "c", 7, 0.4),
    ("R2", "rival", "a", 6, 0.3), ("R2", "rival", "b", 5, 0.3), ("R2", "rival", "c", 8, 0.4),
    ("R1", "us", "price", 7, None), ("R2", "us", "price", 5, None),
    ("R1", "rival", "price", 4, None), ("R2", "rival", "price", 4, None),
    ("R1", "us", "nps", 10, None), ("R2", "us", "nps", 3, None),
]  # fmt: skip


def hand_answers() -> pd.DataFrame:
    cols = ["respondent", "brand", "attribute", "score", "importance"]
    return pd.DataFrame(HAND, columns=cols)


def test_hand_example_price_level() -> None:
    vm = customer_value_map(hand_answers(), SurveySettings(price_scale="level", n_boot=200))
    assert vm.weights.to_dict() == pytest.approx({"a": 0.4, "b": 0.3, "c": 0.3})
    table = vm.table()
    assert list(table.index) == ["rival", "market"]
    for versus in ("rival", "market"):  # one competitor: the market is that competitor
        assert table.loc[versus, "quality_ratio"] == pytest.approx(7.3 / 6.3)
        assert table.loc[versus, "price_ratio"] == pytest.approx(6 / 4)
        assert table.loc[versus, "value_ratio"] == pytest.approx((7.3 / 6.3) / (6 / 4))
    attrs = vm.attribute_table()
    assert attrs.loc["a", "rival"] == pytest.approx(7 / 6)
    assert attrs.loc["b", "rival"] == pytest.approx(7 / 6)
    assert attrs.loc["c", "rival"] == pytest.approx(8 / 7)
    scores = vm.scores.set_index("brand")
    assert scores.loc["us", "quality"] == pytest.approx(7.3)
    assert scores.loc["rival", "quality"] == pytest.approx(6.3)
    points = vm.map.set_index("brand")
    assert points.loc["rival", "relative_quality"] == pytest.approx(6.3 / 7.3)
    assert points.loc["rival", "relative_price"] == pytest.approx(4 / 6)


def test_hand_example_price_satisfaction_inverts() -> None:
    vm = customer_value_map(hand_answers(), SurveySettings(n_boot=200))
    row = vm.table().loc["rival"]
    assert row["price_ratio"] == pytest.approx(4 / 6)  # they are less satisfied with price
    assert row["value_ratio"] == pytest.approx((7.3 / 6.3) / (4 / 6))


def test_market_is_share_weighted_average_of_competitors() -> None:
    rows = [("R1", b, a, s, 1.0) for b, s in (("us", 6), ("A", 5), ("B", 4)) for a in "xy"]
    frame = pd.DataFrame(rows, columns=["respondent", "brand", "attribute", "score", "importance"])
    equal = customer_value_map(frame, SurveySettings(n_boot=50)).table()
    assert equal.loc["market", "quality_ratio"] == pytest.approx(6 / 4.5)
    assert np.isnan(equal.loc["market", "price_ratio"])  # no price question: no price ratio
    shares = {"us": 2.0, "A": 3.0, "B": 1.0}
    weighted = customer_value_map(frame, SurveySettings(n_boot=50, shares=shares)).table()
    assert weighted.loc["market", "quality_ratio"] == pytest.approx(6 / ((3 * 5 + 4) / 4))


def test_fixed_weights_from_config() -> None:
    settings = SurveySettings(n_boot=50, weights={"a": 1, "b": 0, "c": 0}, price_scale="level")
    vm = customer_value_map(hand_answers(), settings)
    assert vm.table().loc["rival", "quality_ratio"] == pytest.approx(7 / 6)


def test_interval_brackets_estimate_and_is_reproducible() -> None:
    a = customer_value_map(hand_answers(), SurveySettings(n_boot=300, seed=7))
    b = customer_value_map(hand_answers(), SurveySettings(n_boot=300, seed=7))
    pd.testing.assert_frame_equal(a.ratios, b.ratios)
    r = a.ratios
    assert ((r["lower"] <= r["estimate"] + 1e-12) & (r["estimate"] <= r["upper"] + 1e-12)).all()


def test_recovers_simulated_truth() -> None:
    rng = np.random.default_rng(11)
    customers = pd.Series([f"C{i}" for i in range(5000)])
    survey = make_survey(rng, customers, Period.parse("2024-01-01", "2024-12-31"), 3000)
    truth = survey.truth
    vm = customer_value_map(survey.frame, SurveySettings(n_boot=400, seed=1))
    quality = truth["quality_attributes"]
    w = np.array([truth["importance"][a] for a in quality])
    w = w / w.sum()
    expected = truth["expected_scores"]

    def q(brand: str) -> float:
        return float(sum(wi * expected[brand][a] for wi, a in zip(w, quality, strict=True)))

    assert vm.weights.reindex(quality).to_numpy() == pytest.approx(w, abs=0.005)
    table = vm.table()
    competitors = [b for b in truth["brands"] if b != "us"]
    for c in competitors:
        true_q = q("us") / q(c)
        true_p = expected[c]["price"] / expected["us"]["price"]  # satisfaction, inverted
        assert table.loc[c, "quality_ratio"] == pytest.approx(true_q, abs=0.015)
        assert table.loc[c, "price_ratio"] == pytest.approx(true_p, abs=0.03)
        assert table.loc[c, "value_ratio"] == pytest.approx(true_q / true_p, abs=0.03)
        assert table.loc[c, "quality_lower"] < true_q < table.loc[c, "quality_upper"]
    market_q = q("us") / np.mean([q(c) for c in competitors])
    assert table.loc["market", "quality_ratio"] == pytest.approx(market_q, abs=0.015)


def test_groups_and_unrated_brand() -> None:
    frame = hand_answers()
    groups = pd.Series({"R1": "g1", "R2": "g2"})
    vm = customer_value_map(frame, SurveySettings(n_boot=50, price_scale="level"), groups=groups)
    g1 = vm.table("g1").loc["rival"]
    assert g1["quality_ratio"] == pytest.approx((0.5 * 8 + 0.3 * 6 + 0.2 * 9) / 6.3)
    missing = frame[~((frame["brand"] == "rival") & (frame["attribute"] == "b"))]
    with pytest.raises(DataError, match="no rating of brand 'rival' on 'b'"):
        customer_value_map(missing, SurveySettings(n_boot=50))


def test_bad_settings_are_clear() -> None:
    with pytest.raises(DataError, match="own brand 'ours' is not among"):
        customer_value_map(hand_answers(), SurveySettings(own_brand="ours"))
    with pytest.raises(ConfigError, match="price_scale"):
        SurveySettings(price_scale="cheap")
    with pytest.raises(ConfigError, match="no share for brand"):
        customer_value_map(hand_answers(), SurveySettings(shares={"us": 1.0}))
