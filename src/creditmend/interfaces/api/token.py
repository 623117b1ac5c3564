"""`POST /v1/token`: OAuth 2.0 client credentials (RFC 6749 section 4.4).

The client authenticates with `client_id` and `client_secret` in the form-encoded body, or with
HTTP Basic (RFC 6749 section 2.3.1: both URL-encoded, then base64), never both. Errors here are
RFC 6749's (`{"error", "error_description"}` as `application/json`), which OAuth client
libraries read: `invalid_request` 400, `invalid_client` 401, `unsupported_grant_type` 400.
Other problems (413, 415, 422, 429, 500) are RFC 9457 problems like everywhere else.

Every refused request the endpoint reads (400, 401, 429) is an `api_refused` event of the audit
trail (the client id it named, the address, the reason, the request id; never the secret), and
the 400s and 401s are counted against the client id and the address: past a few, that client id
or address waits (429 `too-many-failures` with `Retry-After`, refused before any secret is
checked; services/clients.py, domain/lockout.py).
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from creditmend.interfaces.api.limits import content_type
from creditmend.interfaces.api.problems import ApiProblemError, Problem, request_id_of
from creditmend.interfaces.api.security import service_of
from creditmend.services.clients import LOCKED, Refusal

FORM = "application/x-www-form-urlencoded"
router = APIRouter(tags=["tokens"])


class TokenAnswer(BaseModel):
    access_token: str = Field(description="Opaque; send it as `Authorization: Bearer ...`")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds from now")
    scope: str = Field(description="The client's scopes, space-separated")


class OAuthError(BaseModel):
    error: Literal["invalid_request", "invalid_client", "unsupported_grant_type"]
    error_description: str
    request_id: str


async def _refused(
    request: Request, client_id: str | None, status: int, error: str, description: str
) -> JSONResponse:
    """RFC 6749's error, after the refusal is audited and counted (services/clients.py)."""
    service = service_of(request)
    await run_in_threadpool(
        service.clients.refuse_token_request,
        client_id or None,
        f"{error}: {description}",
        service.clock.now(),
        request_id_of(request),
        _address(request),
    )
    return _oauth_error(request, status, error, description)


def _address(request: Request) -> str | None:
    """The caller's address: the peer's, or behind a trusted proxy the one it forwards
    (`CREDITMEND_API_TRUSTED_PROXIES`, which `creditmend serve` gives uvicorn)."""
    return request.client.host if request.client else None


def _oauth_error(request: Request, status: int, error: str, description: str) -> JSONResponse:
    headers = {"Pragma": "no-cache"}
    if status == 401 and request.headers.get("authorization", "").lower().startswith("basic"):
        headers["WWW-Authenticate"] = 'Basic realm="creditmend"'
    body = {"error": error, "error_description": description, "request_id": request_id_of(request)}
    return JSONResponse(body, status, headers=headers)


def _basic(request: Request) -> tuple[str, str] | str | None:
    """The Basic credentials, None when there are none, or why they cannot be read."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return "only HTTP Basic client authentication is accepted in Authorization"
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "the Basic credentials are not base64 of client_id:client_secret"
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return "the Basic credentials are not client_id:client_secret"
    return unquote_plus(client_id), unquote_plus(secret)


TOKEN_FORM = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_id": {"type": "string", "description": "Or HTTP Basic"},
        "client_secret": {"type": "string", "description": "Or HTTP Basic"},
    },
}


@router.post(
    "/v1/token",
    summary="Get an access token (OAuth 2.0 client credentials)",
    response_model=TokenAnswer,
    responses={
        400: {"model": OAuthError, "description": "invalid_request or unsupported_grant_type"},
        401: {"model": OAuthError, "description": "invalid_client: unknown, wrong or revoked"},
        429: {
            "model": Problem,
            "description": "Too many failed requests for this client id or from this address: "
            "`Retry-After`",
        },
    },
    dependencies=[Depends(content_type(FORM))],
    openapi_extra={"requestBody": {"required": True, "content": {FORM: {"schema": TOKEN_FORM}}}},
)
async def token(request: Request) -> JSONResponse:
    # The form is read here, not by FastAPI's `Form()` parameters, so that a missing or other
    # grant_type is RFC 6749's 400, not a validation problem.
    form = await request.form()
    fields = {name: form.get(name) for name in ("grant_type", "client_id", "client_secret")}
    named = fields["client_id"] if isinstance(fields["client_id"], str) else None
    if any(value is not None and not isinstance(value, str) for value in fields.values()):
        return await _refused(
            request, named, 400, "invalid_request", "fields must be text, not files"
        )
    grant_type, client_id, client_secret = (
        value if isinstance(value, str) else None for value in fields.values()
    )
    basic = _basic(request)
    if isinstance(basic, str):
        return await _refused(request, client_id, 400, "invalid_request", basic)
    if basic is not None and (client_id is not None or client_secret is not None):
        message = "send the client's credentials one way: Basic or the form, not both"
        return await _refused(request, client_id, 400, "invalid_request", message)
    given_id, secret = basic if basic is not None else (client_id, client_secret)
    if grant_type is None:
        return await _refused(request, given_id, 400, "invalid_request", "grant_type is missing")
    if grant_type != "client_credentials":
        message = "only grant_type=client_credentials is supported"
        return await _refused(request, given_id, 400, "unsupported_grant_type", message)
    if not given_id or not secret:
        message = "client_id and client_secret are needed"
        return await _refused(request, given_id, 401, "invalid_client", message)
    service = service_of(request)
    # argon2 takes tens of milliseconds of CPU: off the event loop.
    grant = await run_in_threadpool(
        service.clients.issue_token,
        given_id,
        secret,
        service.clock.now(),
        request_id_of(request),
        _address(request),
    )
    if isinstance(grant, Refusal):
        if grant.reason == LOCKED and grant.retry_after is not None:
            raise ApiProblemError(
                429,
                "too many failed token requests for this client id or from this address; "
                f"retry in {grant.retry_after} s",
                kind="too-many-failures",
                headers={"Retry-After": str(grant.retry_after), "Pragma": "no-cache"},
            )
        message = "client authentication failed"  # which part was wrong is not said
        return _oauth_error(request, 401, "invalid_client", message)
    request.state.client_id = given_id
    answer = TokenAnswer(
        access_token=grant.access_token,
        token_type="Bearer",
        expires_in=grant.expires_in,
        scope=" ".join(grant.scopes),
    )
    return JSONResponse(answer.model_dump(), headers={"Pragma": "no-cache"})
