"""Design and build: reproducible arms, strata, policy exclusions by reason, bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from campaign_helpers import N_CUSTOMERS, design, running_campaign

from cvm._exceptions import DataError
from cvm.campaigns import (
    add_suppressions,
    create_campaign,
    export_campaign,
    get_campaign,
    list_campaigns,
)
from cvm.workspace import load_config


def build_campaign(ws, campaign_id="SPRING"):
    """The library's build, with the id most tests use."""
    from cvm.campaigns import build_campaign as build

    return build(ws, campaign_id)


def _arms(ws, campaign_id):
    return ws.con.execute(
        "SELECT customer_id, arm, stratum FROM assignments WHERE campaign_id = ?"
        " ORDER BY customer_id",
        [campaign_id],
    ).df()


def test_build_assigns_the_control_fraction_among_eligible(crm):
    create_campaign(crm, design())
    result = build_campaign(crm)
    eligible = N_CUSTOMERS - N_CUSTOMERS // 10  # every 10th lacks e-mail consent
    assert result.audience == N_CUSTOMERS
    assert result.excluded == {"no_consent": N_CUSTOMERS // 10}
    assert result.eligible == eligible
    assert result.arms["control"] == round(0.2 * eligible)
    assert get_campaign(crm, "SPRING").status == "built"


def test_rebuilding_gives_identical_arms_and_depends_on_the_campaign(crm, tmp_path):
    create_campaign(crm, design())
    build_campaign(crm)
    first = _arms(crm, "SPRING")
    build_campaign(crm)
    assert first.equals(_arms(crm, "SPRING"))
    # another process, another workspace, same campaign id and customers: same arms
    from campaign_helpers import seed_customers

    from cvm.workspace import Workspace

    with Workspace.create(tmp_path / "other") as other:
        seed_customers(other)
        create_campaign(other, design())
        build_campaign(other)
        assert first.equals(_arms(other, "SPRING"))
    create_campaign(crm, design("SUMMER", starts="2025-06-01", ends="2025-06-02"))
    build_campaign(crm, "SUMMER")
    summer = _arms(crm, "SUMMER")
    assert (summer["arm"].to_numpy() != first["arm"].to_numpy()).any()


def test_stratified_assignment_gives_each_stratum_the_fraction(crm):
    create_campaign(crm, design(stratify_by="country", control_fraction=0.25))
    result = build_campaign(crm)
    assert set(result.strata) == {"US", "GB", "DE"}
    for arms in result.strata.values():
        total = arms["control"] + arms["treatment"]
        assert abs(arms["control"] - 0.25 * total) <= 0.5


def test_several_arms_and_a_fixed_control_size(crm):
    arms = {"ten_off": 1.0, "free_ship": 1.0, "points": 2.0}
    create_campaign(crm, design(arms=arms, control_size=300))
    result = build_campaign(crm)
    assert result.arms["control"] == 300
    treated = result.eligible - 300
    assert abs(result.arms["points"] - treated / 2) <= 1
    assert abs(result.arms["ten_off"] - result.arms["free_ship"]) <= 1


def test_contact_policy_excludes_by_reason_before_randomizing(crm):
    crm.path.joinpath("cvm.toml").write_text(
        crm.path.joinpath("cvm.toml").read_text()
        + "\n[campaigns.frequency_caps]\ndays_7 = 1\ndays_30 = 2\n"
    )
    ws = crm
    ws.config = load_config(crm.path / "cvm.toml")
    add_suppressions(ws, ["K00001", "K00002"], channel="email")
    add_suppressions(ws, ["K00003"])  # every channel
    add_suppressions(ws, ["K00004"], channel="sms")  # not this channel
    ws.con.execute(
        "INSERT INTO contacts VALUES ('OLD', 'K00011', 'email', TIMESTAMP '2025-02-27'),"
        " ('OLD', 'K00012', 'email', TIMESTAMP '2025-02-05'),"
        " ('OLD', 'K00012', 'email', TIMESTAMP '2025-02-10'),"
        " ('OLD', 'K00013', 'email', TIMESTAMP '2025-01-10')"
    )
    # a running campaign over the same dates: its control group and treated are protected
    running_campaign(ws, "RUNNING")
    running = _arms(ws, "RUNNING").set_index("customer_id")["arm"]
    create_campaign(ws, design())
    result = build_campaign(ws)
    n_control = int((running == "control").sum())
    assert result.excluded == {
        "no_consent": N_CUSTOMERS // 10,
        "suppressed": 3,
        "frequency_cap_7d": 1,
        "frequency_cap_30d": 1,
        **({"control_in_running_campaign": n_control} if n_control else {}),
        "in_running_campaign": 4 - n_control,
    }
    reasons = ws.con.execute(
        "SELECT customer_id, reason FROM campaign_exclusions WHERE campaign_id = 'SPRING'"
        " AND customer_id IN ('K00001', 'K00003', 'K00011', 'K00012') ORDER BY 1"
    ).fetchall()
    assert reasons == [("K00001", "suppressed"), ("K00003", "suppressed"),
                       ("K00011", "frequency_cap_7d"), ("K00012", "frequency_cap_30d")]  # fmt: skip
    assigned = set(_arms(ws, "SPRING")["customer_id"])
    assert not assigned & {"K00001", "K00003", "K00011", "K00021", "K00010"}
    assert "K00004" in assigned and "K00013" in assigned


def test_overlap_policy_error_refuses_and_leaves_nothing(crm):
    create_campaign(crm, design("RUNNING"), customers=["K00021", "K00022"])
    build_campaign(crm, "RUNNING")
    create_campaign(crm, design(overlap="error"))
    with pytest.raises(DataError, match="another running campaign"):
        build_campaign(crm)
    assert _arms(crm, "SPRING").empty
    assert get_campaign(crm, "SPRING").status == "draft"


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, None])
def test_control_fraction_outside_the_open_interval_is_refused(crm, fraction):
    with pytest.raises(DataError, match=r"control fraction must be within \(0, 1\)"):
        create_campaign(crm, design(control_fraction=fraction))
    assert list_campaigns(crm).empty


def test_bad_designs_are_clear_errors_and_write_nothing(crm):
    with pytest.raises(DataError, match="audience list is empty"):
        create_campaign(crm, design(), customers=[])
    with pytest.raises(DataError, match="unknown customer ids: NOPE"):
        create_campaign(crm, design(), customers=["K00001", "NOPE"])
    with pytest.raises(DataError, match=r"ends .* before it starts"):
        create_campaign(crm, design(ends="2025-02-01"))
    with pytest.raises(DataError, match="channel 'fax'"):
        create_campaign(crm, design(channel="fax"))
    assert list_campaigns(crm).empty
    assert crm.con.execute("SELECT count(*) FROM campaign_audiences").fetchall() == [(0,)]
    with pytest.raises(DataError, match="unknown campaign 'NOPE'"):
        build_campaign(crm, "NOPE")
    create_campaign(crm, design())
    with pytest.raises(DataError, match="already exists"):
        create_campaign(crm, design())


def test_an_audience_left_empty_by_the_policy_is_an_error(crm):
    create_campaign(crm, design(), customers=["K00010", "K00020"])  # no e-mail consent
    with pytest.raises(DataError, match="0 eligible customers of 2"):
        build_campaign(crm)
    assert _arms(crm, "SPRING").empty


def test_too_few_eligible_customers_names_the_minimum(crm):
    create_campaign(crm, design(), customers=["K00001", "K00010"])  # K00010: no e-mail consent
    with pytest.raises(DataError, match=r"1 eligible customers of 2, below the minimum of 2 \("):
        build_campaign(crm)
    assert _arms(crm, "SPRING").empty


def test_an_exported_campaign_cannot_be_rebuilt(crm):
    create_campaign(crm, design())
    build_campaign(crm)
    export_campaign(crm, "SPRING", crm.path / "out.csv")
    with pytest.raises(DataError, match="is running"):
        build_campaign(crm)


def test_rule_audience_uses_the_segment_rules(crm):
    crm.con.execute(
        "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
        " SELECT 'T' || customer_id, customer_id, TIMESTAMP '2024-06-01', 10"
        " FROM customers WHERE customer_id <= 'K00100'"
    )
    create_campaign(crm, design(audience={"kind": "rule", "rule": "country = 'GB'"}))
    result = build_campaign(crm)
    gb = int((pd.Series(range(1, N_CUSTOMERS + 1)) % 3 == 1).sum())
    assert result.audience == gb
    assert set(_arms(crm, "SPRING")["stratum"].fillna("all")) == {"all"}


def test_value_tier_strata_are_the_segments_run_tiers(crm):
    # with a segments run, the strata are its value tiers; each gets the control fraction
    run_id = crm.record_run("segments")
    crm.con.execute(
        "INSERT INTO scores (run_id, customer_id, tier) SELECT ?, customer_id,"
        " CASE WHEN hash(customer_id) % 4 = 0 THEN 'Gold' ELSE 'Bronze' END FROM customers",
        [run_id],
    )
    create_campaign(crm, design(campaign_id="TIERED", stratify_by="value_tier"))
    built = build_campaign(crm, "TIERED")
    rows = crm.con.execute(
        "SELECT a.stratum, s.tier FROM assignments a JOIN scores s USING (customer_id)"
        " WHERE a.campaign_id = 'TIERED' AND s.run_id = ?",
        [run_id],
    ).fetchall()
    assert rows and all(stratum == tier for stratum, tier in rows)
    assert set(built.strata) == {"Gold", "Bronze"}
