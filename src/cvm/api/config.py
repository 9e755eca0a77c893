"""The service's settings, in one typed object read from ``CVM_*`` environment variables.

Arguments win over the environment: ``Settings(workspace=path)``. An empty variable counts as
unset: ``CVM_API_KEY=`` means no environment key (the service is not opened by it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from cvm._exceptions import ConfigError
from cvm.settings import CONFIG_NAME, ServeSettings
from cvm.workspace import load_config

__all__ = ["Settings"]

PLACEHOLDER_KEYS = frozenset({"changethis", "changeme", "secret", "password", "apikey"})
"""Example values that must never guard a real service."""


_SERVE = ServeSettings()
"""The [serve] defaults, declared once in :mod:`cvm.settings.serve`."""


class Settings(BaseSettings):
    """What the service needs to know.

    workspace : the workspace folder it serves (``CVM_WORKSPACE``, default the current folder).
    api_key : an admin key from the environment (``CVM_API_KEY``), beside the keys made with
        ``cvm keys create``. A placeholder (``changethis``) or a key with spaces around it is
        refused.
    cache_size : built reports kept in memory (``CVM_CACHE_SIZE``), per (as_of, segment) and
        database version.
    host, port, workers, batch_size, batch_interval_ms, queue_size, cors_origins : how
        ``cvm serve`` listens and commits collected events; the workspace's ``[serve]``
        section (:class:`cvm.settings.ServeSettings`) gives the defaults, ``CVM_*`` wins.
    open : ``CVM_OPEN=1`` opens the service for local demo use: every caller, with or without
        a key, is an admin. Off by default: then every route wants a working key.
    access_log : ``CVM_ACCESS_LOG=1`` logs a line per request (off by default: at thousands
        of requests a second the log would cost more than the answers).
    """

    model_config = SettingsConfigDict(
        env_prefix="CVM_", env_ignore_empty=True, extra="ignore", frozen=True
    )

    workspace: Path = Path(".")
    api_key: str | None = None
    cache_size: int = 8
    # live collection (cvm serve): cvm.toml [serve] over ServeSettings' defaults (one place)
    host: str = _SERVE.host
    port: int = _SERVE.port
    workers: int = _SERVE.workers
    batch_size: int = _SERVE.batch_size
    batch_interval_ms: int = _SERVE.batch_interval_ms
    queue_size: int = _SERVE.queue_size
    cors_origins: Annotated[list[str], NoDecode] = []
    # keys and roles: without a key nothing answers, unless the service is opened on purpose
    open: bool = False
    # a line per request costs the event loop a write: off unless asked (CVM_ACCESS_LOG=1)
    access_log: bool = False
    # the live profiles loaded into memory at start (the database is then held from the start);
    # off, the database stays closed until a request or a committed event needs it
    live_at_start: bool = True

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

    @field_validator("cache_size", "workers", "batch_size", "batch_interval_ms", "queue_size")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be at least 1, got {value}")
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError(f"must be between 1 and 65535, got {value}")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):  # CVM_CORS_ORIGINS="https://a.example,https://b.example"
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then ``CVM_*``, then the workspace's ``cvm.toml`` ``[serve]``."""
        return init_settings, env_settings, _ServeSection(settings_cls, init_settings)

    @classmethod
    def from_env(cls, workspace: Path | None = None) -> Settings:
        """The environment's settings, with ``workspace`` (when given) instead of
        ``CVM_WORKSPACE``."""
        return cls(workspace=workspace) if workspace is not None else cls()


class _ServeSection(PydanticBaseSettingsSource):
    """The ``[serve]`` section of the served workspace's ``cvm.toml`` (none: nothing)."""

    def __init__(self, settings_cls: type[BaseSettings], init: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self.init = init

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads the whole section

    def __call__(self) -> dict[str, Any]:
        given = self.init.init_kwargs if isinstance(self.init, InitSettingsSource) else {}
        folder = given.get("workspace") or os.environ.get("CVM_WORKSPACE") or "."
        path = Path(folder) / CONFIG_NAME
        if not path.is_file():
            return {}
        return load_config(path).settings.serve.model_dump()
