"""Every error the API answers is an RFC 9457 problem (`application/problem+json`):
`{type, title, status, detail, errors: [{field, reason}], request_id}`, never a traceback.

An endpoint refuses with `raise ApiProblemError(status, detail, errors=...)`; FastAPI's own errors
(validation, 404, 405) and anything unforeseen (500) are turned into problems by the handlers
`install_problem_handlers` registers. The OpenAPI document lists the problem answers of every
operation (`PROBLEM_RESPONSES`, `SECURED_RESPONSES`, rewritten to `application/problem+json`
by `problem_openapi`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditmend.domain.problems import Problem as DomainProblem
from creditmend.domain.problems import ProblemsError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:creditmend:problem:"
STORE_FIELDS = frozenset({"db", "store"})  # `StoreError` and its kin: the store, not the input
log = logging.getLogger("creditmend.api")


class FieldProblem(BaseModel):
    field: str = Field(description="The field, parameter or header at fault (dotted path)")
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details, with the fields at fault and the request's id."""

    type: str = Field(description="A URI naming the kind of problem; about:blank for plain HTTP")
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)
    request_id: str = Field(description="The X-Request-ID of the answer; the log carries it")


class ApiProblemError(Exception):
    """Raised by an endpoint or a dependency to answer a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = tuple(errors)
        self.headers = dict(headers or {})

    @classmethod
    def from_problems(cls, error: ProblemsError, status: int = 422) -> ApiProblemError:
        """The services' `ProblemsError` (bad input, one problem per field) as a problem."""
        problems: Sequence[DomainProblem] = error.problems
        detail = "; ".join(str(problem) for problem in problems[:3]) or "invalid input"
        fields = [(problem.field, problem.message) for problem in problems]
        return cls(status, detail, kind="invalid-input", errors=fields)


def request_id_of(scope_or_request: Request | Mapping[str, Any]) -> str:
    scope = scope_or_request.scope if isinstance(scope_or_request, Request) else scope_or_request
    state = scope.get("state") or {}
    return str(state.get("request_id", "-"))


def problem_body(
    status: int,
    detail: str,
    request_id: str,
    *,
    kind: str | None = None,
    errors: Sequence[tuple[str, str]] = (),
) -> bytes:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail,
        "errors": [{"field": field, "reason": reason} for field, reason in errors],
        "request_id": request_id,
    }
    return orjson.dumps(body)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: Sequence[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = problem_body(status, detail, request_id_of(request), kind=kind, errors=errors)
    return Response(body, status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


def _field(location: Sequence[int | str]) -> str:
    """`("body", "consent", "reference")` as `consent.reference`; a query parameter or header
    by its name."""
    parts = [str(part) for part in location]
    return ".".join(parts[1:]) if len(parts) > 1 else (parts[0] if parts else "body")


async def _on_api_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiProblemError)
    return problem_response(
        request, error.status, error.detail, kind=error.kind, errors=error.errors,
        headers=error.headers,
    )  # fmt: skip


async def _on_validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    # The reason only, never the value sent (`input`): it may be personal data.
    fields = [(_field(item.get("loc", ())), str(item.get("msg", ""))) for item in error.errors()]
    detail = "the request does not match the schema: " + "; ".join(
        f"{field}: {reason}" for field, reason in fields[:3]
    )
    return problem_response(request, 422, detail, kind="validation", errors=fields)


# FastAPI's words for a body it could not decode (bytes that are not the JSON or form the
# Content-Type says): answered 400, naming the body.
UNPARSED_BODY = "There was an error parsing the body"


async def _on_http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400 and error.detail == UNPARSED_BODY:
        reason = "cannot be read as the Content-Type says"
        return problem_response(request, 400, f"the body {reason}", errors=[("body", reason)])
    detail = {404: "no such resource", 405: "method not allowed on this resource"}.get(
        error.status_code, str(error.detail)
    )
    return problem_response(request, error.status_code, detail, headers=error.headers)


async def _on_problems(request: Request, error: Exception) -> Response:
    assert isinstance(error, ProblemsError)
    if any(problem.field in STORE_FIELDS for problem in error.problems):
        # The store refused (full, read-only, unreachable): not the caller's input. Said
        # without the store's path or URL; the log has it.
        log.error("request %s: %s", request_id_of(request), error)
        detail = "the store cannot serve this request now; nothing was changed"
        return problem_response(
            request, 503, detail, kind="store-unavailable", headers={"Retry-After": "5"}
        )
    problem = ApiProblemError.from_problems(error)
    return problem_response(request, 422, problem.detail, kind=problem.kind, errors=problem.errors)


def install_problem_handlers(app: FastAPI) -> None:
    """The handlers for every error an endpoint can meet; the last resort (500) is in the
    request middleware (`middleware.RequestContext`), outside every other layer."""
    app.add_exception_handler(ApiProblemError, _on_api_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(ProblemsError, _on_problems)


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem}


UNREADABLE_BODY = "The body cannot be read as its Content-Type says (`errors` names `body`)"
# Every operation may answer these (the app's default `responses`).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: _problem_response("The body is larger than this operation accepts"),
    415: _problem_response("The Content-Type is not one this operation accepts"),
    422: _problem_response("The request does not match the schema (`errors` names the fields)"),
    500: _problem_response("An unforeseen error (the log has it under the request id)"),
}
# And the operations behind a bearer token (`Depends(require_scope(...))`) these too.
SECURED_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem_response("No token, or a token unknown, expired or of a revoked client"),
    403: _problem_response("The token's client lacks the scope this operation needs"),
    429: _problem_response("Too many requests from this client: retry after `Retry-After`"),
}


def problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every problem answer as `application/problem+json` of the
    `Problem` schema (FastAPI writes a response model as `application/json`), FastAPI's
    `HTTPValidationError` replaced by it, and 401, 403, 429 on every operation that takes a
    bearer token (whether or not its router declared them)."""
    ref = {"$ref": "#/components/schemas/Problem"}
    problem_refs = {ref["$ref"], "#/components/schemas/HTTPValidationError"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answers = operation.setdefault("responses", {})
            if "requestBody" in operation:  # a body FastAPI cannot decode
                answers.setdefault("400", {"description": UNREADABLE_BODY, "content": {}})
            if operation.get("security"):  # behind `authenticated`: 401, 403, 429 may come
                for status, answer in SECURED_RESPONSES.items():
                    answers.setdefault(
                        str(status), {"description": answer["description"], "content": {}}
                    )
            for status, answer in answers.items():
                content = answer.get("content", {})
                json_schema = content.get("application/json", {}).get("schema", {})
                problem = not content or json_schema.get("$ref") in problem_refs
                if status != "default" and int(status) >= 400 and problem:
                    answer["content"] = {PROBLEM_JSON: {"schema": ref}}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    return schema
