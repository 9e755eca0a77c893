"""The OpenAPI document describes every route with examples, and schemathesis, driven by it,
finds no 500 and no answer that breaks its declared schema.

The routes are read from the document the service serves, so routes added by any module are
covered without being named here. The examples are bounded (``MAX_EXAMPLES`` per operation)
so the whole run stays well under a minute.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from report_workspace import full_workspace
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cvm.api import Settings, create_app, schemas
from cvm.api.keys import create_key
from cvm.workspace import Workspace

MAX_EXAMPLES = 10
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """The service on a copy of the demo workspace (the calls write: keys, events, jobs),
    with an admin key."""
    root = tmp_path_factory.mktemp("openapi") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), root)
    with Workspace.open(root) as ws:
        key = create_key(ws, "schemathesis", "admin")
    app = create_app(Settings(workspace=root))
    with TestClient(app):  # the lifespan: the workspace is released at the end
        yield app, key


@pytest.fixture(scope="module")
def document(served: tuple[FastAPI, str]) -> dict[str, Any]:
    app, key = served
    answer = TestClient(app).get("/api/openapi.json", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="module")
def api_schema(served: tuple[FastAPI, str]) -> Any:
    app, key = served
    return schemathesis.openapi.from_asgi(
        "/api/openapi.json", app, headers={"Authorization": f"Bearer {key}"}
    )


def test_no_500_and_no_answer_breaks_its_schema(
    api_schema: Any, served: tuple[FastAPI, str]
) -> None:
    """Every operation of the document: its documented examples and generated requests."""
    _app, key = served
    auth = {"Authorization": f"Bearer {key}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:
        cases = st.one_of(
            *api_schema.get_strategies_from_examples(operation),
            operation.as_strategy(),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),  # malformed: 4xx
        )

        @given(case=cases)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=auth, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # every operation runs; all are shown
            failures[operation.label] = str(exc)[:3000]
    assert not failures, "\n\n".join(f"{label}: {text}" for label, text in failures.items())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    methods = {"get", "post", "put", "patch", "delete"}
    return [
        (path, method, op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        if method in methods
    ]


def _component(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def _has_example(schema: dict[str, Any]) -> bool:
    if "example" in schema or schema.get("examples"):
        return True
    return any(_has_example(s) for s in schema.get("anyOf", []) + schema.get("allOf", []))


def test_every_route_has_examples(document: dict[str, Any]) -> None:
    """Each parameter, request body and JSON answer of every route carries an example."""
    operations = _operations(document)
    assert len(operations) >= 9
    missing = []
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        for param in op.get("parameters", []):
            if not (param.get("example") or param.get("examples") or _has_example(param["schema"])):
                missing.append(f"{where}: parameter {param['name']}")
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        documented = body and (body.get("example") or body.get("examples"))
        if body and not documented and not _has_example(_component(document, body["schema"])):
            missing.append(f"{where}: request body")
        for code, answer in op["responses"].items():
            json_body = answer.get("content", {}).get("application/json")
            if code.startswith("2") and json_body and not json_body.get("examples"):
                component = _component(document, json_body["schema"])
                if not _has_example(component) and not _items_have_examples(document, component):
                    missing.append(f"{where}: {code} answer")
    assert missing == []


def _items_have_examples(document: dict[str, Any], component: dict[str, Any]) -> bool:
    """A list answer (``{"keys": [...]}``) is described by its items' examples."""
    props = component.get("properties", {})
    return (
        bool(props)
        and all(
            _has_example(_component(document, p))
            for p in props.values()
            if p.get("type") == "array"
        )
        and any(p.get("type") == "array" for p in props.values())
    )


def _models() -> list[type[BaseModel]]:
    from cvm.api.routes import keys

    found = []
    for module in (schemas, keys):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_each_example_is_a_valid_answer(model: type[BaseModel]) -> None:
    """An example that its own model refuses would teach clients a wrong shape."""
    examples = model.model_json_schema().get("examples", [])
    for example in examples:
        model.model_validate(example)


def test_the_document_declares_the_three_ways_to_send_a_key(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["basicKey"] == {
        "type": "http",
        "scheme": "basic",
        "description": "The key as user name, password empty (how Segment sends a write key)",
    }
    assert schemes["bearerKey"]["scheme"] == "bearer"
    assert schemes["apiKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert {next(iter(s)) for s in document["security"]} == set(schemes)
