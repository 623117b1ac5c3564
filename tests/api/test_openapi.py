"""The OpenAPI document: 3.1, every problem answer documented as `application/problem+json`.
Schemathesis runs it over every operation in `test_schema_fuzz.py`."""

from __future__ import annotations

from api_support import InProcess


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
