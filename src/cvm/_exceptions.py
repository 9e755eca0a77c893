"""Every error cvm raises on purpose, in one place.

The CLI and the HTTP service turn any ``CvmError`` into one clear message (no traceback);
anything else escaping is a bug in cvm.

    CvmError
    ├── ConfigError          cvm.toml or an option is wrong
    ├── WorkspaceError       no workspace, locked, or a schema it cannot migrate
    │   └── WorkspaceBusyError   another process held the lock for longer than we waited
    ├── IngestError          a file cannot be read at all, or nothing in it could be loaded
    ├── DataError            input values that no model or query can use (recency > T, ...)
    ├── NotFittedError       a model used before ``fit``
    └── ConvergenceError     an optimiser that did not converge
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConvergenceError",
    "CvmError",
    "DataError",
    "IngestError",
    "NotFittedError",
    "WorkspaceBusyError",
    "WorkspaceError",
]


class CvmError(Exception):
    """Base of every error cvm raises for a user's mistake or a data problem."""


class ConfigError(CvmError, ValueError):
    """The configuration (cvm.toml, a mapping, an option) is invalid."""


class WorkspaceError(CvmError):
    """The workspace is missing, unreadable, or at a schema version cvm cannot handle."""


class WorkspaceBusyError(WorkspaceError):
    """Another process holds the workspace's lock (the message names it when DuckDB does)."""


class IngestError(CvmError):
    """A source file could not be read, or none of its rows could be loaded."""


class DataError(CvmError, ValueError):
    """Input data that cannot be used as given; the message names the rows or the cause."""


class NotFittedError(CvmError, AttributeError):
    """A model method that needs fitted parameters was called before ``fit``."""


class ConvergenceError(CvmError, RuntimeError):
    """The optimiser did not converge; the message lists what to try."""
