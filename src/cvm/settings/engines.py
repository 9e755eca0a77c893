"""``engine``, ``[duckdb]`` and ``[spark]``: where the set-based jobs run, within what memory.

``engine = "duckdb"`` (the default) runs every job on the workspace's database, under
``[duckdb] memory_limit`` (DuckDB spills to ``temp_directory`` beyond it). ``engine = "spark"``
runs the jobs that have a Spark path (``cvm score``, ``cvm kpis``, ``cvm segment``) on
``[spark] master``, reading the canonical tables from Parquet (or Delta) folders and writing
results under ``output``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from cvm._exceptions import ConfigError
from cvm.settings._base import Section

ENGINES = ("duckdb", "spark")
_SIZE = re.compile(r"(\d+(\.\d+)?\s*[KMGT]i?B|\d{1,2}(\.\d+)?%)", re.IGNORECASE)


class DuckDBSettings(Section):
    """``memory_limit``: a size (``6GB``) or a share of RAM (``60%``); ``temp_directory``:
    where DuckDB spills (default: ``.tmp`` in the workspace)."""

    SECTION = ("duckdb",)

    memory_limit: str = "60%"
    temp_directory: str | None = None

    @field_validator("memory_limit", mode="before")
    @classmethod
    def _size(cls, value: Any) -> str:
        text = str(value).strip()
        if not _SIZE.fullmatch(text):
            raise ConfigError(
                f"cvm.toml: duckdb.memory_limit must be a size such as '6GB' or a share such as"
                f" '60%', got {value!r}"
            )
        return text


class SparkSettings(Section):
    """``master``: any Spark master URL; ``transactions`` (and ``customers``, ``events``,
    ``order_items``, ``subscriptions``): Parquet or Delta folders; ``output``: where scores,
    profiles, KPIs, cohorts and segments are written; ``config``: extra ``spark.*`` settings
    passed to the session."""

    SECTION = ("spark",)

    master: str = "local[*]"
    transactions: str | None = None
    customers: str | None = None
    events: str | None = None
    output: str | None = None
    config: dict[str, str] = Field(default_factory=dict)
    order_items: str | None = None
    subscriptions: str | None = None
    # churn and uplift on the engine: the models are fitted on the driver on a seeded sample
    # of at most sample_rows customers (stratified by the label), then score every customer
    sample_rows: int = Field(default=200_000, ge=200)
    sample_seed: int = 0


EngineName = Literal["duckdb", "spark"]
