"""The service's settings, in one object read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """What the service needs to know.

    workspace : the workspace folder it serves (``CVM_WORKSPACE``, default the current folder).
    api_key : when set (``CVM_API_KEY``), every ``/api/*`` request must send it in the
        ``X-API-Key`` header; the dashboard pages stay open. Unset: no check.
    cache_size : built reports kept in memory, per (as_of, segment) and database version.
    """

    workspace: Path = Path(".")
    api_key: str | None = None
    cache_size: int = 8

    @classmethod
    def from_env(cls, workspace: Path | None = None) -> Settings:
        return cls(
            workspace=workspace or Path(os.environ.get("CVM_WORKSPACE", ".")),
            api_key=os.environ.get("CVM_API_KEY") or None,
        )
