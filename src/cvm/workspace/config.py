"""``cvm.toml``: the workspace settings a user edits by hand."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvm._exceptions import ConfigError
from cvm.settings import CONFIG_NAME, Settings, parse_settings

__all__ = ["CONFIG_NAME", "DEFAULT_CONFIG", "Config", "load_config"]

DEFAULT_CONFIG = """\
# cvm workspace settings. Every section is optional; see README.md ("cvm.toml reference").

[workspace]
name = "{name}"
currency = "USD"          # amounts are stored in this currency
timezone = "UTC"          # time zone of source timestamps that carry none
time_unit = "D"           # D (days) or W (weeks) for recency/frequency summaries
load_memory_limit = "1.5GB"  # DuckDB memory during a load; beyond it, work spills to disk

# Column mapping for a source; `profile` picks a built-in mapping (generic, shopify).
# [sources.transactions]
# profile = "generic"
# date_format = "%Y-%m-%d %H:%M:%S"
# [sources.transactions.columns]
# transaction_id = "order_number"
# customer_id = "client"
# ts = "order_date"
# amount = "total"

# Exchange rates into the workspace currency (1 unit of the key = value units).
# [currencies]
# EUR = 1.08
"""


@dataclass
class Config:
    """The parsed ``cvm.toml``: ``settings`` holds every section, typed and checked;
    ``raw`` keeps the file as written."""

    settings: Settings = field(default_factory=Settings)
    raw: dict[str, Any] = field(default_factory=dict)
    folder: str = "cvm"

    @property
    def name(self) -> str:
        """``[workspace] name``, else the workspace folder's name."""
        return self.settings.workspace.name or self.folder

    @property
    def currency(self) -> str:
        return self.settings.workspace.currency

    @property
    def timezone(self) -> str:
        return self.settings.workspace.timezone

    @property
    def time_unit(self) -> str:
        return self.settings.workspace.time_unit

    @property
    def load_memory_limit(self) -> str:
        return self.settings.workspace.load_memory_limit

    def replace(self, **sections: Any) -> Config:
        """This config with whole sections replaced (``None`` removes one), checked again:
        ``ws.config = ws.config.replace(segments={"rules": {...}})``."""
        raw = {**self.raw, **sections}
        raw = {key: table for key, table in raw.items() if table is not None}
        return Config(settings=parse_settings(raw), raw=raw, folder=self.folder)


def load_config(path: Path) -> Config:
    """Read and check ``cvm.toml``: a syntax error names the line, an unknown or mistyped key
    names its table and key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return Config(settings=parse_settings(raw), raw=raw, folder=path.parent.name)
