"""What the commands with a Spark path share: the engine from ``[spark]``, the output folder.

The engine choice (``--engine``, else ``engine`` in ``cvm.toml``) and the session
(:func:`cvm.clv.on_spark.spark_from_settings`) are those of ``cvm score``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cvm.engines import Engine
    from cvm.settings import Settings

EngineOption = Annotated[
    str | None, typer.Option(help="duckdb or spark (default: cvm.toml's engine, else duckdb).")
]
# folders are text, not Path: a URI (hdfs:///x, s3a://b/x) must keep its "//"
InputOption = Annotated[
    str | None,
    typer.Option("--input", help="spark: the transactions' Parquet folder ([spark] transactions)."),
]
ResultsOption = Annotated[
    str | None,
    typer.Option("--results-dir", help="spark: where results are written ([spark] output)."),
]
MasterOption = Annotated[str | None, typer.Option(help="spark: the master URL ([spark] master).")]


def engine_name(workspace: Path, engine: str | None) -> str:
    """``--engine``, else ``engine`` in the workspace's ``cvm.toml``, else duckdb."""
    from cvm._exceptions import ConfigError
    from cvm.workspace.config import CONFIG_NAME, load_config

    name = engine
    if name is None and (workspace / CONFIG_NAME).exists():
        name = load_config(workspace / CONFIG_NAME).settings.engine
    if name not in (None, "duckdb", "spark"):
        raise ConfigError(f"--engine must be duckdb or spark, got {name!r}")
    return name or "duckdb"


def workspace_settings(workspace: Path) -> Settings:
    """The settings of ``workspace``'s ``cvm.toml``, or the defaults without one."""
    from cvm.settings import Settings
    from cvm.workspace.config import CONFIG_NAME, load_config

    config = workspace / CONFIG_NAME
    return load_config(config).settings if config.exists() else Settings()


def spark_engine(
    settings: Settings, source: str | None, output: str | None, master: str | None
) -> tuple[Engine, Path | str]:
    """A Spark engine on the ``[spark]`` folders (plus order lines and subscriptions when
    named), and the folder results go to; one line of error when either is missing."""
    from cvm._exceptions import ConfigError
    from cvm.clv.on_spark import spark_from_settings
    from cvm.engines.spark import SparkEngine

    target = output or settings.spark.output
    if not target:
        raise ConfigError(
            "the spark engine writes results to a folder: --results-dir DIR, or [spark] output"
        )
    engine = spark_from_settings(settings, transactions=source, master=master)
    more = {
        "order_items": settings.spark.order_items,
        "subscriptions": settings.spark.subscriptions,
    }
    for table, folder in more.items():
        if folder and isinstance(engine, SparkEngine):
            engine.read(table, folder)
    return engine, target
