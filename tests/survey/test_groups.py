"""Grouping respondents: by segment or tier of the latest run, by CLV tiers, by a column."""

from __future__ import annotations

import pandas as pd
import pytest

from cvm._exceptions import ConfigError, DataError
from cvm.survey import customer_groups
from cvm.survey.groups import respondent_groups
from cvm.workspace import Workspace

# ten customers, ids with leading zeros; CLV 100, 90, ..., 10 (0001 the most valuable)
IDS = [f"{i:04d}" for i in range(1, 11)]
COUNTRIES = ["US", "GB", "DE", "US", None, "FR", "US", "GB", "DE", "US"]


@pytest.fixture
def shop(workspace: Workspace) -> Workspace:
    for cid, country in zip(IDS, COUNTRIES, strict=True):
        workspace.con.execute(
            "INSERT INTO customers (customer_id, first_seen, country, acquisition_channel)"
            " VALUES (?, TIMESTAMP '2024-01-01', ?, 'web')",
            [cid, country],
        )
    return workspace


def _clv_run(ws: Workspace, run_id: str = "clv-1") -> None:
    ws.con.execute(
        "INSERT INTO model_runs (run_id, kind, cutoff) VALUES (?, 'clv', '2025-01-01')", [run_id]
    )
    for k, cid in enumerate(IDS):
        ws.con.execute(
            "INSERT INTO scores (run_id, customer_id, clv) VALUES (?, ?, ?)",
            [run_id, cid, 100.0 - 10 * k],
        )


def test_tiers_fall_back_to_clv_shares_without_a_segments_run(shop: Workspace) -> None:
    _clv_run(shop)
    tiers = customer_groups(shop, "tier")
    # top 20% by CLV is high (2 of 10), the next 30% medium (3), the rest low (5)
    expected = dict.fromkeys(IDS[:2], "high") | dict.fromkeys(IDS[2:5], "medium")
    expected |= dict.fromkeys(IDS[5:], "low")
    assert tiers.to_dict() == expected


def test_a_segments_run_s_tiers_come_first(shop: Workspace) -> None:
    _clv_run(shop)
    shop.con.execute("INSERT INTO model_runs (run_id, kind) VALUES ('seg-1', 'segments')")
    shop.con.execute(
        "INSERT INTO scores (run_id, customer_id, tier, segment) VALUES"
        " ('seg-1', '0001', 'Gold', 'loyal'), ('seg-1', '0002', 'Bronze', 'new')"
    )
    assert customer_groups(shop, "tier").to_dict() == {"0001": "Gold", "0002": "Bronze"}
    assert customer_groups(shop, "segment").to_dict() == {"0001": "loyal", "0002": "new"}


def test_without_any_run_the_error_says_what_to_run(shop: Workspace) -> None:
    with pytest.raises(DataError, match="no value tiers: run `cvm score`"):
        customer_groups(shop, "tier")
    with pytest.raises(DataError, match="no segment in any run's scores"):
        customer_groups(shop, "segment")
    _clv_run(shop)  # a CLV run has no segments: still the segments step to run
    with pytest.raises(DataError, match="run the segments step first"):
        customer_groups(shop, "segment")


def test_a_customers_column_groups_those_who_have_a_value(shop: Workspace) -> None:
    countries = customer_groups(shop, "country")
    expected = {c: k for c, k in zip(IDS, COUNTRIES, strict=True) if k is not None}
    assert countries.to_dict() == expected
    assert customer_groups(shop, "acquisition_channel").to_dict() == dict.fromkeys(IDS, "web")


def test_an_unknown_grouping_lists_the_choices(shop: Workspace) -> None:
    with pytest.raises(ConfigError, match=r"cannot group by 'region'.*country") as err:
        customer_groups(shop, "region")
    assert "attributes" not in str(err.value) and "customer_id" not in str(err.value)
    with pytest.raises(ConfigError, match="cannot group by"):
        customer_groups(shop, 'country" FROM customers; --')


def test_respondents_take_their_customer_s_label() -> None:
    labels = pd.Series({"0001": "high", "0002": "low"})
    respondents = pd.Series(["R1", "R2", "R3"])
    customers = pd.Series(["0002", "0001", "9999"])  # R3's customer has no label
    assert respondent_groups(respondents, customers, labels).to_dict() == {
        "R1": "low",
        "R2": "high",
    }
