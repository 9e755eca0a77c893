"""Workspaces: a folder with ``cvm.toml`` and ``cvm.duckdb``, opened once per use.

The workspace is the one place that opens the database (``connection.py``): it applies the
``[duckdb]`` memory cap and spill folder to every connection, waits for a lock another process
holds, and migrates the schema (``migrations/``, applied as a set of versions). Jobs never use
the connection: they use ``ws.engine`` (:mod:`cvm.engines`), and read ``ws.settings``
(:mod:`cvm.settings`), checked once when the workspace opens.
"""

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
