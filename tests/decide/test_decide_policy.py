"""Eligibility and contact rules on hand-made customers: each is left out for one reason."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from cvm.decide import explain, make_plan, parse_offers, save_plan
from cvm.workspace import Workspace

AS_OF = "2025-06-30"
OFFERS = [
    {
        "id": "mail-x",
        "kind": "cross-sell",
        "channel": "email",
        "unit_cost": 0.1,
        "lift": 0.2,
        "margin": 0.5,
        "eligible": "country = 'US'",
        "cooldown_days": 30,
    },
    {
        "id": "mail-y",
        "kind": "cross-sell",
        "channel": "email",
        "unit_cost": 0.1,
        "lift": 0.1,
        "margin": 0.5,
    },
    {
        "id": "old",
        "kind": "cross-sell",
        "channel": "email",
        "unit_cost": 0.1,
        "lift": 0.5,
        "valid_to": "2025-01-31",
    },
    {"id": "dear", "kind": "cross-sell", "channel": "email", "unit_cost": 500.0, "lift": 0.5},
]


@pytest.fixture
def people(workspace: Workspace) -> Workspace:
    con = workspace.con
    rows = [
        # id, email consent, email, country
        ("C1", True, "c1@x.org", "US"),  # eligible for everything
        ("C2", False, "c2@x.org", "US"),  # no e-mail consent
        ("C3", True, "c3@x.org", "US"),  # suppressed
        ("C4", True, "c4@x.org", "US"),  # control group of a running campaign
        ("C5", True, "c5@x.org", "US"),  # contacted with mail-x ten days ago: cooldown
        ("C6", True, "c6@x.org", "DE"),  # fails the rule country = 'US'
        ("C7", True, None, "US"),  # no e-mail address
    ]
    for cid, consent, email, country in rows:
        con.execute(
            "INSERT INTO customers (customer_id, first_seen, email, country, consent_email)"
            " VALUES (?, '2024-01-01', ?, ?, ?)",
            [cid, email, country, consent],
        )
        for k, day in enumerate(("2024-02-01", "2024-09-01", "2025-05-01")):
            con.execute(
                "INSERT INTO transactions (transaction_id, customer_id, ts, amount)"
                " VALUES (?, ?, ?, 80)",
                [f"{cid}-{k}", cid, day],
            )
    con.execute("INSERT INTO suppressions (customer_id, channel, reason) VALUES ('C3', NULL, 'x')")
    con.execute(
        "INSERT INTO campaigns (campaign_id, offer_id, channel, starts, ends, response_days,"
        " status) VALUES ('RUN', 'other', 'email', '2025-06-20', '2025-07-20', 30, 'running'),"
        " ('OLD', 'mail-x', 'email', '2025-06-18', '2025-06-19', 1, 'completed')"
    )
    con.execute(
        "INSERT INTO assignments VALUES ('RUN', 'C4', 'control', NULL, '2025-06-20'),"
        " ('OLD', 'C5', 'treatment', NULL, '2025-06-20')"
    )
    con.execute("INSERT INTO contacts VALUES ('OLD', 'C5', 'email', '2025-06-20 10:00')")
    return workspace


def test_each_rule_excludes_the_right_customers(people: Workspace) -> None:
    result = make_plan(people, 1000.0, as_of=AS_OF, offers=parse_offers(OFFERS), curve_points=0)
    ids = list(result.customer_ids)
    reasons = {
        (ids[i], result.offers[k].id): result.reasons[i, k]
        for i, k in zip(*np.nonzero(pd.notna(result.reasons)), strict=True)
    }
    assert reasons[("C2", "mail-y")] == "email policy: no_consent"
    assert reasons[("C3", "mail-y")] == "email policy: suppressed"
    assert reasons[("C4", "mail-y")] == "email policy: control_in_running_campaign"
    assert reasons[("C7", "mail-y")] == "email policy: no_email"
    assert reasons[("C5", "mail-x")] == "cooldown 30 days"
    assert ("C5", "mail-y") not in reasons  # the cooldown is per offer
    assert reasons[("C6", "mail-x")] == "rule: country = 'US'"
    assert all(reasons[(c, "old")].startswith("not valid on 2025-06-30") for c in ids)
    assert ("C1", "mail-x") not in reasons and ("C1", "dear") not in reasons
    chosen = result.chosen.set_index("customer_id")["offer_id"].to_dict()
    assert chosen == {"C1": "mail-x", "C5": "mail-y", "C6": "mail-y"}
    assert not np.isfinite(result.factors.score[:, 3]).any()  # cost 500 > any gain


def test_explanations_name_the_deciding_factor(people: Workspace) -> None:
    result = make_plan(people, 1000.0, as_of=AS_OF, offers=parse_offers(OFFERS), curve_points=0)
    save_plan(people, result)
    e = explain(people, "C1")
    assert e.chosen == "mail-x"
    why = dict(zip(e.offers["offer_id"], e.offers["why"], strict=True))
    assert why["mail-x"].startswith("chosen: lift 0.2")
    assert "deciding factor: lower lift (0.1 vs 0.2 for mail-x)" in why["mail-y"]
    assert why["old"].startswith("ineligible: not valid on")
    assert why["dear"].startswith("not worth it:") and "cost 500" in why["dear"]
    assert explain(people, "C2").chosen is None
    assert "no_consent" in explain(people, "C2").lines[0]


def test_budget_leaves_the_rest_out_for_budget(people: Workspace) -> None:
    result = make_plan(people, 0.15, as_of=AS_OF, offers=parse_offers(OFFERS), curve_points=0)
    assert result.solution.spent <= 0.15 and len(result.chosen) == 1
    save_plan(people, result)
    # the one contact the budget pays for is the highest lift (C1, mail-x at 0.2); C5 and C6,
    # eligible for mail-y only (lift 0.1, same value and cost), are left out for budget, and
    # mail-y for C1 is the lower-value offer of the one chosen
    chosen = result.chosen.set_index("customer_id")["offer_id"].to_dict()
    assert chosen == {"C1": "mail-x"}
    statuses = people.con.execute(
        "SELECT customer_id, list(DISTINCT status ORDER BY status) FROM plan_decisions"
        " WHERE customer_id IN ('C1', 'C5', 'C6') AND offer_id = 'mail-y' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert statuses == [("C1", ["lower_value"]), ("C5", ["budget"]), ("C6", ["budget"])]


def test_when_is_a_timestamp(people: Workspace) -> None:
    """A plan as of a day sees contacts made during that day."""
    people.con.execute(
        "INSERT INTO contacts VALUES ('OLD', 'C1', 'email', ?)", [datetime(2025, 6, 30, 12)]
    )
    result = make_plan(people, 1000.0, as_of=AS_OF, offers=parse_offers(OFFERS), curve_points=0)
    assert result.reasons[list(result.customer_ids).index("C1"), 0] == "cooldown 30 days"
