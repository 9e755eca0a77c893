"""The frequency caps read from cvm.toml: whole numbers of at least 1, nothing else."""

from __future__ import annotations

import pytest

from cvm._exceptions import ConfigError
from cvm.campaigns.policy import DEFAULT_CAPS, frequency_caps
from cvm.workspace import load_config


def _with_caps(ws, text: str):
    ws.path.joinpath("cvm.toml").write_text(
        ws.path.joinpath("cvm.toml").read_text() + "\n[campaigns.frequency_caps]\n" + text
    )
    ws.config = load_config(ws.path / "cvm.toml")
    return ws


def test_defaults_and_overrides(crm) -> None:
    assert frequency_caps(crm) == {"days_7": 2, "days_30": 6} == DEFAULT_CAPS
    assert frequency_caps(_with_caps(crm, "days_30 = 9\n")) == {"days_7": 2, "days_30": 9}


@pytest.mark.parametrize("value", ["true", "0", "-1", '"3"', "2.5"])
def test_anything_but_a_whole_number_from_one_is_refused(crm, value: str) -> None:
    # TOML `true` is a bool, which Python also counts as an int: it must not pass as a cap of 1
    with pytest.raises(ConfigError, match=r"campaigns.frequency_caps.days_7 must be an integer"):
        frequency_caps(_with_caps(crm, f"days_7 = {value}\n"))
