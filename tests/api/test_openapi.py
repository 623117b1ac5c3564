"""The OpenAPI document: 3.1, every problem answer documented as `application/problem+json`, and
Schemathesis run over every operation in process (no 500, every answer as documented)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from api_support import InProcess, register_furnishers
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from creditmend import bootstrap
from creditmend.interfaces.api.app import create_app


def test_every_operation_documents_its_problems(api: InProcess) -> None:
    schema = api.client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            for status in ("413", "415", "422", "500"):
                assert answers[status]["content"] == {"application/problem+json": problem}, (
                    method,
                    path,
                    status,
                )
            if operation.get("security"):
                for status in ("401", "403", "429"):
                    assert answers[status]["content"] == {"application/problem+json": problem}
    assert schema["paths"]["/v1/me"]["get"]["security"] == [{"bearer": []}]
    token = schema["paths"]["/v1/token"]["post"]["responses"]
    assert set(token["401"]["content"]) == {"application/json"}  # RFC 6749's error body
    assert (
        "application/x-www-form-urlencoded"
        in (schema["paths"]["/v1/token"]["post"]["requestBody"]["content"])
    )


@pytest.fixture(scope="module")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'bureau.db'}"
    register_furnishers(url, "LEND1")
    return create_app(bootstrap.build_service(url))


def test_schemathesis_over_every_operation(served_app: FastAPI) -> None:
    """Property-based requests from the schema to every operation, in process: no 500, and
    every answer's status, content type and body as the document says. (Run per operation
    here, as schemathesis' pytest fixture loader does not work with this pytest.)"""
    schema = schemathesis.openapi.from_asgi("/openapi.json", served_app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert {operation.path for operation in operations} >= {"/v1/token", "/v1/me", "/readyz"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate()

        check()
