"""The one-line message a cvm.toml text is refused with."""

from __future__ import annotations

import tomllib

import pytest

from cvm._exceptions import ConfigError
from cvm.settings import parse_settings


def refusal(toml: str) -> str:
    """The ConfigError message parsing ``toml`` raises (the test fails if it parses)."""
    with pytest.raises(ConfigError) as err:
        parse_settings(tomllib.loads(toml))
    return str(err.value)
