"""The offer catalog: every field checked with a message naming the offer and the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cvm._exceptions import ConfigError
from cvm.decide import load_catalog, parse_offers, read_decide_settings
from cvm.workspace import Workspace

GOOD = {"id": "wb10", "kind": "win-back", "channel": "email", "unit_cost": 0.1, "discount": 0.1}


def test_a_full_offer_is_read() -> None:
    (o,) = parse_offers(
        [
            {
                **GOOD,
                "eligible": "lifecycle = 'lapsed'",
                "valid_from": date(2025, 1, 1),
                "valid_to": "2025-12-31",
                "capacity": 100,
                "weight": 1.5,
                "lift": 0.04,
                "cooldown_days": 14,
                "boosts": [{"where": "clv > 100", "factor": 1.2}],
            }
        ]
    )
    assert (o.kind, o.channel, o.capacity, o.weight, o.lift) == (
        "win-back",
        "email",
        100,
        1.5,
        0.04,
    )
    assert o.valid_to == date(2025, 12, 31) and o.valid_on(date(2025, 6, 1))
    assert not o.valid_on(date(2026, 1, 1))
    assert o.boosts[0].factor == 1.2


def test_kind_aliases() -> None:
    (o,) = parse_offers([{**GOOD, "kind": "advocacy"}])
    assert o.kind == "referral"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "bribe"}, "offer 1 (wb10): kind 'bribe': use one of"),
        ({"channel": "fax"}, "offer 1 (wb10): channel 'fax'"),
        ({"discount": 1.5}, "discount must be within [0, 1]"),
        ({"unit_cost": "cheap"}, "unit_cost must be a number"),
        ({"capacity": 2.5}, "capacity must be a whole number"),
        ({"valid_from": "2025-02-01", "valid_to": "2025-01-01"}, "valid_to 2025-01-01 is before"),
        ({"valid_to": "soon"}, "valid_to must be a date"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ({"product": "P1"}, "product targets only cross-sell and up-sell offers"),
        ({"id": "bad id!"}, "id 'bad id!'"),
        ({"boosts": [{"where": "x"}]}, "boost 1 needs exactly 'where' and 'factor'"),
    ],
)
def test_bad_offers_are_named(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        parse_offers([{**GOOD, **change}])
    assert message in str(info.value)


def test_missing_field_and_duplicate_id() -> None:
    with pytest.raises(ConfigError, match="channel is required"):
        parse_offers([{"id": "a", "kind": "retention"}])
    with pytest.raises(ConfigError, match="offer id 'wb10' appears twice"):
        parse_offers([GOOD, GOOD])


def test_settings_are_checked() -> None:
    s = read_decide_settings({"margin": 0.4, "capacity": {"email": 10}, "budget": 5})
    assert (s.margin, s.capacity, s.budget) == (0.4, {"email": 10}, 5.0)
    with pytest.raises(ConfigError, match="capacity for unknown channel 'fax'"):
        read_decide_settings({"capacity": {"fax": 1}})
    with pytest.raises(ConfigError, match="unknown key"):
        read_decide_settings({"budjet": 1})


def test_catalog_from_its_own_file(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "offers.toml").write_text(
        '[[offers]]\nid = "x1"\nkind = "cross-sell"\nchannel = "sms"\n', encoding="utf-8"
    )
    workspace.config = workspace.config.replace(
        decide={"offers_file": str(tmp_path / "offers.toml")}
    )
    assert [o.id for o in load_catalog(workspace)] == ["x1"]
    workspace.config = workspace.config.replace(decide={"offers_file": "missing.toml"})
    with pytest.raises(ConfigError, match=r"missing\.toml not found"):
        load_catalog(workspace)
    workspace.config = workspace.config.replace(decide=None)
    with pytest.raises(ConfigError, match="no offers"):
        load_catalog(workspace)
