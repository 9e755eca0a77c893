"""cvm.toml: a key no section declares is refused, at any depth, with the closest known key."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_errors import refusal

from cvm._exceptions import ConfigError
from cvm.cli import app
from cvm.settings import parse_settings
from cvm.workspace import Workspace


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[campaigns]\nmargn_rate = 0.2\n",
            "cvm.toml: unknown key [campaigns] margn_rate; did you mean margin_rate?",
        ),
        (
            "[campaign]\nmargin_rate = 0.2\n",
            "cvm.toml: unknown section [campaign]; did you mean [campaigns]?",
        ),
        (
            "[campaigns.frequency_caps]\nday_7 = 2\n",
            "cvm.toml: unknown key [campaigns.frequency_caps] day_7; did you mean days_7?",
        ),
        (
            "[sources.transaction]\nprofile = 'shopify'\n",
            "cvm.toml: unknown key [sources] transaction; did you mean transactions?",
        ),
        (
            "[sources.transactions]\ndate_fromat = '%d/%m/%Y'\n",
            "cvm.toml: unknown key [sources.transactions] date_fromat; did you mean date_format?",
        ),
        (
            "[sources.surveys.wide.questions.Q1]\nattribute = 'taste'\nbrnad = 'us'\n",
            "cvm.toml: unknown key [sources.surveys.wide.questions.Q1] brnad; did you mean brand?",
        ),
        (
            "[segments.rules.vip]\nwhere = 'clv > 500'\nparnet = 'x'\n",
            "cvm.toml: unknown key [segments.rules.vip] parnet; did you mean parent?",
        ),
        (
            "[segments.churn]\nhorizon = 60\n",
            "cvm.toml: unknown key [segments.churn] horizon; did you mean horizon_days?",
        ),
        ("[decide]\nbudjet = 5\n", "cvm.toml: unknown key [decide] budjet; did you mean budget?"),
        (
            "[survey]\nown_brnd = 'us'\n",
            "cvm.toml: unknown key [survey] own_brnd; did you mean own_brand?",
        ),
        (
            "[ingest]\ntimestamp_flor = 1990-01-01\n",
            "cvm.toml: unknown key [ingest] timestamp_flor; did you mean timestamp_floor?",
        ),
        (
            "[workspace]\ncurency = 'EUR'\n",
            "cvm.toml: unknown key [workspace] curency; did you mean currency?",
        ),
    ],
)
def test_unknown_key_is_named_with_a_suggestion(toml: str, message: str) -> None:
    assert refusal(toml) == message


def test_a_key_like_nothing_known_lists_the_known_keys() -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings({"campaigns": {"zzz": 1}})
    assert str(err.value) == (
        "cvm.toml: unknown key [campaigns] zzz"
        " (known: margin_rate, target_relative_lift, frequency_caps)"
    )


def test_lifecycle_keeps_its_wording_and_suggests() -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings({"segments": {"lifecycle": {"new_dayz": 30}}})
    assert str(err.value) == (
        "cvm.toml: unknown [segments.lifecycle] setting new_dayz; did you mean new_days?"
    )


def test_workspace_with_an_unknown_key_does_not_open(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    config = tmp_path / "w" / "cvm.toml"
    config.write_text(config.read_text() + "\n[campaigns]\nmargn_rate = 0.2\n")
    with pytest.raises(ConfigError, match=r"\[campaigns\] margn_rate; did you mean margin_rate"):
        Workspace.open(tmp_path / "w")


def test_cli_prints_one_line_without_a_traceback(tmp_path: Path, runner) -> None:
    Workspace.create(tmp_path / "w").close()
    config = tmp_path / "w" / "cvm.toml"
    config.write_text(config.read_text() + "\n[segments.rfm]\nbinz = 4\n")
    result = runner.invoke(app, ["info", "-w", str(tmp_path / "w")])
    assert result.exit_code != 0
    out = result.output.strip()
    assert "unknown key [segments.rfm] binz; did you mean bins?" in out
    assert "Traceback" not in out and "pydantic" not in out and len(out.splitlines()) == 1
