"""cvm: Customer Value Management.

Know what each customer is worth, treat customers by that value, spend where it creates the
most value, and prove it did.
"""

from cvm._exceptions import (
    ConfigError,
    ConvergenceError,
    CvmError,
    DataError,
    IngestError,
    NotFittedError,
    WorkspaceError,
)
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
