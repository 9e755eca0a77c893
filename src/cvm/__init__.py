"""cvm: Customer Value Management.

Know what each customer is worth, treat customers by that value, spend where it creates the
most value, and prove it did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cvm._exceptions import (
    ConfigError,
    ConvergenceError,
    CvmError,
    DataError,
    IngestError,
    NotFittedError,
    WorkspaceError,
)

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "ConvergenceError",
    "CvmError",
    "DataError",
    "IngestError",
    "NotFittedError",
    "Workspace",
    "WorkspaceError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """``cvm.Workspace`` is imported on first use: ``import cvm.models`` needs no database."""
    if name == "Workspace":
        from cvm.workspace import Workspace

        globals()["Workspace"] = Workspace
        return Workspace
    raise AttributeError(f"module 'cvm' has no attribute {name!r}")
