"""Workspaces: configuration, the DuckDB store and its schema."""

from cvm.workspace.config import Config, load_config
from cvm.workspace.connection import connect, transaction
from cvm.workspace.core import Workspace
from cvm.workspace.schema import current_version, latest_version, migrate

__all__ = [
    "Config",
    "Workspace",
    "connect",
    "current_version",
    "latest_version",
    "load_config",
    "migrate",
    "transaction",
]
