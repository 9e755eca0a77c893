"""``cvm.toml``: the workspace settings a user edits by hand."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvm._exceptions import ConfigError

CONFIG_NAME = "cvm.toml"

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
    """The parsed ``cvm.toml``; ``raw`` keeps every section for the modules that own them."""

    name: str = "cvm"
    currency: str = "USD"
    timezone: str = "UTC"
    time_unit: str = "D"
    load_memory_limit: str | None = "1.5GB"
    raw: dict[str, Any] = field(default_factory=dict)

    def section(self, *keys: str) -> dict[str, Any]:
        """The nested table at ``keys`` (empty when absent): ``section("sources", "events")``."""
        node: Any = self.raw
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if not isinstance(node, dict):
            raise ConfigError(f"{CONFIG_NAME}: [{'.'.join(keys)}] must be a table")
        return node


def load_config(path: Path) -> Config:
    """Read and check ``cvm.toml``; a syntax error names the line."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    ws = raw.get("workspace", {})
    if not isinstance(ws, dict):
        raise ConfigError(f"{path}: [workspace] must be a table")
    unit = str(ws.get("time_unit", "D")).upper()
    if unit not in {"D", "W"}:
        raise ConfigError(f"{path}: workspace.time_unit must be 'D' or 'W', got {unit!r}")
    return Config(
        name=str(ws.get("name", path.parent.name)),
        currency=str(ws.get("currency", "USD")).upper(),
        timezone=str(ws.get("timezone", "UTC")),
        time_unit=unit,
        load_memory_limit=str(ws["load_memory_limit"]) if "load_memory_limit" in ws else "1.5GB",
        raw=raw,
    )
