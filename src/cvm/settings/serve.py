"""``[serve]``: how ``cvm serve`` listens and how it commits the events it collects.

    [serve]
    host = "127.0.0.1"        interface to listen on
    port = 8765
    workers = 1               one process: it is the workspace's single writer
    batch_size = 20000        events committed together at most (group commit)
    batch_interval_ms = 50    longest wait for more events before a commit
    queue_size = 100000       events waiting for a commit at most; beyond, 429 + Retry-After
    cors_origins = []         browser origins allowed to call the API ("*" for any)

``CVM_*`` environment variables of the same names win over these (see ``cvm.api.config``).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from cvm.settings._base import Section

__all__ = ["ServeSettings"]


class ServeSettings(Section):
    """The service's listening address, process count and group-commit window."""

    SECTION = ("serve",)

    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 1
    batch_size: int = 20_000
    batch_interval_ms: int = 50
    queue_size: int = 100_000
    cors_origins: list[str] = Field(default_factory=list)

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError(f"must be between 1 and 65535, got {value}")
        return value

    @field_validator("workers", "batch_size", "batch_interval_ms", "queue_size")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be at least 1, got {value}")
        return value
