"""The service's settings, in one typed object read from ``CVM_*`` environment variables.

Arguments win over the environment: ``Settings(workspace=path)``. An empty variable counts as
unset: ``CVM_API_KEY=`` means no environment key (the service is not opened by it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cvm._exceptions import ConfigError

__all__ = ["Settings"]

PLACEHOLDER_KEYS = frozenset({"changethis", "changeme", "secret", "password", "apikey"})
"""Example values that must never guard a real service."""


class Settings(BaseSettings):
    """What the service needs to know.

    workspace : the workspace folder it serves (``CVM_WORKSPACE``, default the current folder).
    api_key : an admin key from the environment (``CVM_API_KEY``), beside the keys made with
        ``cvm keys create``. A placeholder (``changethis``) or a key with spaces around it is
        refused.
    cache_size : built reports kept in memory (``CVM_CACHE_SIZE``), per (as_of, segment) and
        database version.
    open : ``CVM_OPEN=1`` opens the service for local demo use: every caller, with or without
        a key, is an admin. Off by default: then every route wants a working key.
    """

    model_config = SettingsConfigDict(
        env_prefix="CVM_", env_ignore_empty=True, extra="ignore", frozen=True
    )

    workspace: Path = Path(".")
    api_key: str | None = None
    cache_size: int = 8
    # keys and roles: without a key nothing answers, unless the service is opened on purpose
    open: bool = False

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            name = f"CVM_{str(err['loc'][0]).upper()}" if err["loc"] else "CVM_*"
            message = str(err["msg"]).removeprefix("Value error, ")
            raise ConfigError(f"{name}: {message[:1].lower()}{message[1:]}") from None

    @field_validator("api_key")
    @classmethod
    def _real_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value != value.strip():
            raise ValueError("the key has spaces around it; set it without them")
        if value.lower() in PLACEHOLDER_KEYS:
            raise ValueError(f"{value!r} is a placeholder; set a key of your own")
        return value

    @field_validator("cache_size")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be at least 1, got {value}")
        return value

    @classmethod
    def from_env(cls, workspace: Path | None = None) -> Settings:
        """The environment's settings, with ``workspace`` (when given) instead of
        ``CVM_WORKSPACE``."""
        return cls(workspace=workspace) if workspace is not None else cls()
