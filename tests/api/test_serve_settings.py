"""`cvm serve` settings: [serve] in cvm.toml gives the defaults, CVM_* wins, arguments win."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cvm._exceptions import ConfigError
from cvm.api import Settings, create_app
from cvm.settings import ServeSettings
from cvm.workspace import Workspace


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PORT", "HOST", "BATCH_SIZE", "QUEUE_SIZE", "CORS_ORIGINS", "WORKSPACE"):
        monkeypatch.delenv(f"CVM_{name}", raising=False)
    path = tmp_path / "shop"
    Workspace.create(path).close()
    return path


def write_serve(root: Path, text: str) -> None:
    config = root / "cvm.toml"
    config.write_text(config.read_text() + "\n[serve]\n" + text)


def test_the_serve_section_gives_the_defaults(root: Path) -> None:
    assert Settings(workspace=root).batch_size == ServeSettings().batch_size
    write_serve(root, 'port = 9100\nbatch_size = 250\ncors_origins = ["https://shop.example"]\n')
    settings = Settings(workspace=root)
    assert (settings.port, settings.batch_size) == (9100, 250)
    assert settings.cors_origins == ["https://shop.example"]
    assert settings.queue_size == ServeSettings().queue_size  # not in the section: its default
    with Workspace.open(root) as ws:  # the workspace itself accepts the section
        assert ws.config.settings.serve.port == 9100


def test_environment_wins_over_the_file_and_arguments_over_both(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_serve(root, "port = 9100\nbatch_size = 250\n")
    monkeypatch.setenv("CVM_PORT", "9200")
    monkeypatch.setenv("CVM_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings(workspace=root)
    assert (settings.port, settings.batch_size) == (9200, 250)
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert Settings(workspace=root, port=9300).port == 9300


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("batch_sise = 10\n", "cvm.toml: unknown key [serve] batch_sise; did you mean batch_size?"),
        ("port = 0\n", "cvm.toml: [serve] port must be between 1 and 65535, got 0"),
        ("queue_size = 0\n", "cvm.toml: [serve] queue_size must be at least 1, got 0"),
    ],
)
def test_a_wrong_serve_setting_is_one_line(root: Path, text: str, message: str) -> None:
    write_serve(root, text)
    with pytest.raises(ConfigError) as caught:
        Settings(workspace=root)
    assert str(caught.value) == message


def test_cors_origins_are_allowed_to_send_events(root: Path) -> None:
    settings = Settings(workspace=root, cors_origins=["https://shop.example"])
    preflight = {
        "Origin": "https://shop.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    with TestClient(create_app(settings)) as client:
        allowed = client.options("/v1/batch", headers=preflight)
        other = client.options("/v1/batch", headers={**preflight, "Origin": "https://evil.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "access-control-allow-origin" not in other.headers


def test_a_wrong_serve_variable_is_one_line(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CVM_PORT", "70000")
    with pytest.raises(ConfigError) as caught:
        Settings(workspace=root)
    assert str(caught.value) == "CVM_PORT: must be between 1 and 65535, got 70000"
