"""The section models: the files cvm writes parse, defaults live in one place, type errors
are one line."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import pytest
from config_errors import refusal

from cvm.campaigns.measure import compare_arms
from cvm.demo import DEMO_OFFERS
from cvm.settings import CampaignSettings, Settings, parse_settings
from cvm.workspace import Workspace
from cvm.workspace.config import DEFAULT_CONFIG

README = Path(__file__).parents[2] / "README.md"


def test_the_config_cvm_init_writes_parses_to_the_defaults() -> None:
    settings = parse_settings(tomllib.loads(DEFAULT_CONFIG.format(name="shop")))
    assert settings.workspace.name == "shop"
    assert settings.model_dump(exclude={"workspace"}) == Settings().model_dump(
        exclude={"workspace"}
    )
    assert (settings.workspace.currency, settings.workspace.time_unit) == ("USD", "D")


def test_the_demo_config_parses_with_its_offers(tmp_path: Path) -> None:
    from cvm.decide.catalog import load_catalog

    with Workspace.create(tmp_path / "demo", name="demo") as ws:
        pass
    with open(tmp_path / "demo" / "cvm.toml", "a", encoding="utf-8") as config:
        config.write(DEMO_OFFERS)  # what run_demo appends
    with Workspace.open(tmp_path / "demo", read_only=True) as ws:
        written = tomllib.loads((tmp_path / "demo" / "cvm.toml").read_text())["offers"]
        assert [o.id for o in load_catalog(ws)] == [o["id"] for o in written]
        assert len(written) >= 2


def test_every_toml_example_in_the_readme_parses() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    for block in blocks:
        try:
            raw = tomllib.loads(block)
        except tomllib.TOMLDecodeError:
            continue  # a fragment (an offers file or a commented-out line), not a cvm.toml
        parse_settings(raw)


def test_margin_rate_has_one_default_the_documented_one() -> None:
    documented = re.search(r"`margin_rate`, default ([0-9.]+)", README.read_text())
    assert documented is not None and float(documented.group(1)) == 0.3
    assert CampaignSettings().margin_rate == 0.3
    assert inspect.signature(compare_arms).parameters["margin_rate"].default == 0.3
    lift = re.search(r"\[campaigns\] target_relative_lift = ([0-9.]+)", README.read_text())
    assert lift is not None and CampaignSettings().target_relative_lift == float(lift.group(1))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[workspace]\ncurrency = 3\n",
            "cvm.toml: [workspace] currency: input should be a valid string, got 3",
        ),
        (
            "[sources.transactions]\nheader = 'yes'\n",
            "cvm.toml: [sources.transactions] header: input should be a valid boolean, got 'yes'",
        ),
        (
            "[sources.customers.columns]\ncustomer_id = 7\n",
            "cvm.toml: [sources.customers.columns] customer_id: input should be a valid string,"
            " got 7",
        ),
        (
            "[sources.surveys]\nscore_max = nan\n",
            "cvm.toml: [sources.surveys] score_max must be a finite number, got nan",
        ),
        (
            "[survey]\nn_boot = 1.5\n",
            "cvm.toml: [survey] n_boot: input should be a valid integer, got 1.5",
        ),
        ("[decide]\ntop_k = '5'\n", "cvm.toml [decide]: top_k must be a whole number, got '5'"),
        ("campaigns = 3\n", "cvm.toml: [campaigns] must be a table, got 3"),
        ("[segments]\nrules = 3\n", "cvm.toml: [segments.rules] must be a table, got 3"),
        (
            "[campaigns]\nmargin_rate = 'high'\n",
            "cvm.toml: campaigns.margin_rate must be a number within [0, 1]",
        ),
    ],
)
def test_a_type_error_is_one_line(toml: str, message: str) -> None:
    got = refusal(toml)
    assert got == message
    assert "\n" not in got and "validation error" not in got


def test_values_are_typed_and_filled_once(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    config = tmp_path / "w" / "cvm.toml"
    config.write_text(
        config.read_text()
        + "\n[campaigns]\nmargin_rate = 1\n[campaigns.frequency_caps]\ndays_30 = 9\n"
        + "[currencies]\neur = 1.5\n[segments.churn]\nhorizon_days = 30\n"
    )
    with Workspace.open(tmp_path / "w", read_only=True) as ws:
        assert ws.settings is ws.settings  # parsed when the workspace opened, not per read
        assert ws.settings.campaigns.margin_rate == 1.0
        assert isinstance(ws.settings.campaigns.margin_rate, float)
        assert ws.settings.campaigns.frequency_caps.model_dump() == {"days_7": 2, "days_30": 9}
        assert ws.settings.currencies == {"EUR": 1.5}
        assert ws.settings.segments.churn.horizon_days == 30
        assert ws.settings.workspace.name == "w" == ws.config.name


def test_settings_are_read_only() -> None:
    settings = Settings()
    with pytest.raises(Exception, match="frozen"):
        settings.campaigns.margin_rate = 0.5  # type: ignore[misc]
