"""The service never answers 500 nor leaks the machine: bad keys, absurd days, HEAD, unknown
runs, a busy workspace, and an OpenAPI schema that lists the errors it gives."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from report_workspace import full_workspace

from cvm.api import Settings, create_app
from cvm.workspace import Workspace
from db_holder import hold_database


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_workspace(tmp_path_factory)


@pytest.fixture(scope="module")
def client(ws_path: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(Settings(workspace=ws_path, api_key="s3cret"))
    ) as served:  # closes the workspace it owns
        yield served


KEY = {"X-API-Key": "s3cret"}


@pytest.mark.parametrize("sent", ["s3cr\u00e9t", "\u00ff" * 6, "s3cret\u00a0", "\u00e9"])
def test_a_non_ascii_api_key_is_401_not_500(client: TestClient, sent: str) -> None:
    # httpx sends str header values as Latin-1 bytes: these are bytes >= 0x80 on the wire
    answer = client.get("/api/kpis", headers={"X-API-Key": sent.encode("latin-1")})
    assert answer.status_code == 401
    assert answer.json() == {"detail": "wrong key: it matches no working key"}
    assert client.get("/api/kpis", headers=KEY).status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1969-12-31"])
def test_absurd_days_are_422_on_api_and_dashboard(client: TestClient, day: str) -> None:
    api = client.get("/api/kpis", params={"as_of": day}, headers=KEY)
    page = client.get("/dashboard", params={"as_of": day}, headers=KEY)
    for answer in (api, page):
        assert answer.status_code == 422, answer.text
        assert "as_of" in answer.json()["detail"] and "out of range" in answer.json()["detail"]


def test_a_sane_day_still_answers(client: TestClient) -> None:
    answer = client.get("/api/kpis", params={"as_of": "2024-06-30"}, headers=KEY)
    assert answer.status_code == 200 and answer.json()["as_of"].startswith("2024-06-30")


@pytest.mark.parametrize("path", ["/api/health", "/api/kpis", "/api/segments", "/dashboard"])
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    get = client.get(path, headers=KEY)
    head = client.head(path, headers=KEY)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_on_a_guarded_route_still_needs_the_key(client: TestClient) -> None:
    assert client.head("/api/kpis").status_code == 401


def test_unknown_segments_run_is_404(client: TestClient) -> None:
    answer = client.get("/api/segments", params={"run_id": "nope"}, headers=KEY)
    assert answer.status_code == 404
    assert answer.json() == {"detail": "unknown segments run 'nope'"}
    newest = client.get("/api/segments", headers=KEY).json()["run_id"]
    again = client.get("/api/segments", params={"run_id": newest}, headers=KEY)
    assert again.status_code == 200 and again.json()["run_id"] == newest


def test_openapi_lists_the_error_answers(client: TestClient) -> None:
    schema = client.get("/api/openapi.json", headers=KEY).json()
    for path in ("/api/kpis", "/api/segments", "/api/customers/{customer_id}"):
        answers = schema["paths"][path]["get"]["responses"]
        assert {"200", "400", "401", "404", "422"} <= set(answers), (path, sorted(answers))
        body = answers["422"]["content"]["application/json"]["schema"]["$ref"]
        assert body.endswith("/ErrorBody")  # what the handlers send: {"detail": "..."}
    assert "503" in schema["paths"]["/api/health"]["get"]["responses"]
    assert "422" in schema["paths"]["/dashboard"]["get"]["responses"]


@pytest.fixture
def busy_path(tmp_path: Path) -> Path:
    """A workspace of its own: the module's service already owns ``ws_path``."""
    Workspace.create(tmp_path / "busy").close()
    return tmp_path / "busy"


@pytest.fixture
def locked(busy_path: Path) -> Iterator[int]:
    """Another process writing the workspace: holds its lock until the test ends."""
    holder = hold_database(busy_path)
    yield holder.pid
    holder.kill()
    holder.wait()


def test_a_busy_workspace_is_503_without_path_or_pid(busy_path: Path, locked: int) -> None:
    ws_path = busy_path
    client = TestClient(create_app(Settings(workspace=ws_path, open=True)))
    answer = client.get("/api/kpis")
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    assert "busy" in detail and "retry" in detail
    for secret in (str(ws_path), str(ws_path.parent), str(locked), sys.executable, "PID"):
        assert secret not in answer.text
    assert answer.headers["retry-after"] == "1"
    # health does not open the database, so a writer never makes it fail (nor the reverse)
    assert client.get("/api/health").status_code == 200


def test_a_missing_workspace_is_503_without_its_path(tmp_path: Path) -> None:
    app = create_app(Settings(workspace=tmp_path / "gone", open=True))
    answer = TestClient(app).get("/api/kpis")
    assert answer.status_code == 503
    assert "not a workspace" in answer.json()["detail"]
    assert str(tmp_path) not in answer.text


def test_the_library_date_parser_is_the_same_everywhere() -> None:
    from cvm._dates import parse_day
    from cvm._exceptions import ConfigError, DataError

    assert str(parse_day("2024-06-30", "as_of")) == "2024-06-30"
    with pytest.raises(DataError, match=r"as_of: 9999-12-31 is out of range \(1970-01-01 \.\. "):
        parse_day("9999-12-31", "as_of")
    with pytest.raises(ConfigError, match="as_of: not a date: 'soon'"):
        parse_day("soon", "as_of", ConfigError)
