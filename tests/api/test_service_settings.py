"""The service's settings: CVM_* environment variables through one typed object."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cvm._exceptions import ConfigError
from cvm.api import Settings, create_app
from cvm.workspace import Workspace


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CVM_WORKSPACE", "CVM_API_KEY", "CVM_CACHE_SIZE"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_without_environment() -> None:
    assert (Settings().workspace, Settings().api_key, Settings().cache_size) == (Path("."), None, 8)


def test_environment_is_read_and_arguments_win(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CVM_WORKSPACE", str(tmp_path / "env"))
    monkeypatch.setenv("CVM_API_KEY", "k-7f3a")
    monkeypatch.setenv("CVM_CACHE_SIZE", "3")
    settings = Settings.from_env()
    assert (settings.workspace, settings.api_key, settings.cache_size) == (
        tmp_path / "env",
        "k-7f3a",
        3,
    )
    assert Settings.from_env(tmp_path / "arg").workspace == tmp_path / "arg"
    assert Settings(api_key="other").api_key == "other"


def test_an_empty_key_is_no_key_and_the_service_stays_closed(monkeypatch) -> None:
    monkeypatch.setenv("CVM_API_KEY", "")
    assert Settings().api_key is None
    assert Settings().open is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CVM_API_KEY", "changethis", "CVM_API_KEY: 'changethis' is a placeholder"),
        ("CVM_API_KEY", " k-7f3a", "CVM_API_KEY: the key has spaces around it"),
        ("CVM_CACHE_SIZE", "many", "CVM_CACHE_SIZE: input should be a valid integer"),
        ("CVM_CACHE_SIZE", "0", "CVM_CACHE_SIZE: must be at least 1"),
    ],
)
def test_bad_values_are_one_line(monkeypatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        Settings()
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_key_from_the_environment_guards_the_api(monkeypatch, tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    monkeypatch.setenv("CVM_WORKSPACE", str(tmp_path / "w"))
    monkeypatch.setenv("CVM_API_KEY", "k-7f3a")
    client = TestClient(create_app())
    assert client.get("/api/health").status_code == 401
    key = {"X-API-Key": "k-7f3a"}
    assert client.get("/api/health", headers=key).json()["workspace"] == "w"
    assert client.get("/api/segments").status_code == 401
    assert client.get("/api/segments", headers={"X-API-Key": "k-7f3a"}).status_code != 401
