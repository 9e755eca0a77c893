"""Rule segments: hand-made customers land where the rules say; bad rules are refused."""

from __future__ import annotations

import pytest

from cvm._exceptions import ConfigError
from cvm.segments import evaluate_rules, read_settings, select
from cvm.segments.settings import parse_rules
from cvm.workspace import Workspace
from handmade import add_customer, add_event, add_orders

AS_OF = "2024-06-30"


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    add_customer(workspace, "BIG", "2024-01-01", consent_email=True)
    add_orders(workspace, "BIG", ["2024-01-05", "2024-03-05", "2024-06-01"], 400.0, "web")
    add_customer(workspace, "MID", "2024-01-01", consent_email=False)
    add_orders(workspace, "MID", ["2024-02-01", "2024-06-20"], 150.0, "store")
    add_customer(workspace, "ONE", "2024-01-01", consent_email=True)
    add_orders(workspace, "ONE", ["2024-01-02"], 20.0, "app")
    add_event(workspace, "PRO", "2024-06-01")
    return workspace


RULES = {
    "big_spenders": {"where": "revenue >= 300"},
    "big_email": {"parent": "big_spenders", "where": "consent_email"},
    "web_first": {"where": "coalesce(channel_shares['web'], 0) > 0.5"},
    "prospects": {"where": "is_prospect"},
    "stale": {"where": "days_since_last > 90"},
}


def test_hand_made_customers_land_in_expected_segments(ws: Workspace) -> None:
    members = evaluate_rules(ws, parse_rules(RULES), AS_OF)
    got = {name: sorted(members.index[members[name]]) for name in members.columns}
    assert got == {
        "big_spenders": ["BIG", "MID"],
        "big_email": ["BIG"],  # nested: consent AND the parent's rule (ONE consents, spends 20)
        "web_first": ["BIG"],
        "prospects": ["PRO"],
        "stale": ["ONE"],
    }


def test_select_uses_segment_columns(ws: Workspace) -> None:
    ids = select(ws, "lifecycle = 'prospect' OR (rfm_segment IS NOT NULL AND r_score = 5)", AS_OF)
    assert list(ids) == ["MID", "PRO"]


def test_rules_come_from_cvm_toml(ws: Workspace) -> None:
    ws.config = ws.config.replace(segments={"rules": {"vip": {"where": "revenue > 1000"}}})
    members = evaluate_rules(ws, as_of=AS_OF)
    assert list(members.columns) == ["vip"] and members["vip"].sum() == 1


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("revenu > 10", "segment 'bad': unknown column 'revenu'.*did you mean revenue"),
        ("revenue >", "segment 'bad': cannot parse 'revenue >'"),
        (
            "(SELECT max(amount) FROM transactions) > 1",
            r"a subquery \(SELECT, max\(\)\) is not allowed",
        ),
        ("revenue > 1; DROP TABLE customers", "';' is not allowed"),
        ("revenue > 1 -- and more", "comments are not allowed"),
        ("sum(revenue) > 10", "aggregates are not allowed"),
    ],
)
def test_bad_rule_gives_a_clear_error(ws: Workspace, where: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        evaluate_rules(ws, parse_rules({"bad": {"where": where}}), AS_OF)
    assert ws.table_counts()["customers"] == 3  # nothing ran


def test_bad_rule_structure_is_refused() -> None:
    with pytest.raises(ConfigError, match="parent 'nope', which is not a segment"):
        parse_rules({"a": {"where": "true", "parent": "nope"}})
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        parse_rules({"a": {"where": "true", "parent": "b"}, "b": {"where": "true", "parent": "a"}})
    with pytest.raises(ConfigError, match="needs where"):
        parse_rules({"a": {"when": "true"}})
    with pytest.raises(ConfigError, match="segment name 'my vip'"):
        parse_rules({"my vip": {"where": "true"}})


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="needs its own"):
        read_settings({"rfm": {"bins": 4}})
    with pytest.raises(ConfigError, match="add up to less than 1"):
        read_settings({"tiers": {"shares": [0.5, 0.6]}})
    with pytest.raises(ConfigError, match=r"unknown \[segments\.lifecycle\] setting"):
        read_settings({"lifecycle": {"new_dayz": 30}})


def test_bad_rfm_map_rule_names_it(ws: Workspace) -> None:
    from cvm.segments import segment_table

    settings = read_settings({"rfm": {"map": {"Top": "r >= 5 AND q > 1", "Rest": "TRUE"}}})
    with pytest.raises(ConfigError, match=r"segments\.rfm\.map 'Top': unknown column 'q'"):
        segment_table(ws, AS_OF, settings, fit_clv=False)
