"""Schemathesis over every operation of the OpenAPI document, in process (issue 17, point 7):
property-based requests from the schema, valid and invalid, with a lender's token, the desk's
token or none, and every answer checked: never a 500, the status one the operation documents,
the content type and body as documented, and input that breaks the schema refused with a 4xx.

Driven per operation with Hypothesis' `@given` (schemathesis' pytest loader does not work with
this pytest), a bounded number of examples each, so that it runs in `make test` in seconds.
An operation added later is fuzzed without a change here; a media type schemathesis cannot
write (a CMF file as `text/csv` or `application/x-ndjson`) gets a serializer below."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from api_support import register_furnishers
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from creditmend import bootstrap
from creditmend.domain.clients import FURNISH, INQUIRE, RESPOND
from creditmend.interfaces.api.app import create_app
from creditmend.interfaces.api.limits import RateSettings
from creditmend.interfaces.api.settings import ApiSettings
from creditmend.services.clients import Grant

EXAMPLES = 10  # per operation and caller (a lender, the desk, no token)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
WHO = ("lender", "desk", "nobody")
FILE_TYPES = {"text/csv", "application/x-ndjson"}  # bodies checked by the job, after the 202


@schemathesis.serializer("text/csv", "application/x-ndjson")
def _as_text(_context: schemathesis.SerializationContext, value: Any) -> bytes:
    """A generated body for a file upload, sent as text (the schema says a string; anything
    else is sent as its JSON, which the endpoint must refuse with a 4xx, not a 500)."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8")


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> tuple[FastAPI, dict[str, str]]:
    """The app on a fresh SQLite store with a lender holding every lender scope and a desk,
    without rate limits in the way (a 429 would be a conforming answer that tests nothing)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'bureau.db'}"
    register_furnishers(url, "LEND1", "LEND2")
    service = bootstrap.build_service(url)
    unlimited = ApiSettings(rate=RateSettings(per_second=1e6, burst=1_000_000))
    now = service.clock.now()
    tokens = {}
    for who, made in (
        ("lender", service.clients.add_lender("LEND1", [FURNISH, INQUIRE, RESPOND], now)),
        ("desk", service.clients.add_desk("ops", now)),
    ):
        grant = service.clients.issue_token(made.client_id, made.client_secret, now, "fuzz")
        assert isinstance(grant, Grant), grant
        tokens[who] = grant.access_token
    return create_app(service, unlimited), tokens


def test_schemathesis_over_every_operation(fuzzed: tuple[FastAPI, dict[str, str]]) -> None:
    app, tokens = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert {operation.path for operation in operations} >= {"/v1/token", "/v1/me", "/readyz"}
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
        # A furnishing file is read by its job, after the 202: a body schemathesis calls invalid
        # (any text is a "string") is refused there, with line and field, not by the request.
        content = operation.definition.raw.get("requestBody", {}).get("content", {})
        strict = not set(content) & FILE_TYPES
        for who in WHO if operation.definition.raw.get("security") else ("nobody",):
            bearer = {"Authorization": f"Bearer {tokens[who]}"} if who in tokens else None
            _fuzz(cases, bearer, strict)


def _fuzz(
    cases: st.SearchStrategy[schemathesis.Case[Any]],
    headers: dict[str, str] | None,
    strict: bool,
) -> None:
    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: a failure is reproducible
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        checks = list(CHECKS)
        negative = case.meta is not None and case.meta.generation.mode is GenerationMode.NEGATIVE
        if negative and strict:
            checks.append(negative_data_rejection)
        case.call_and_validate(headers=headers, checks=checks)

    check()
