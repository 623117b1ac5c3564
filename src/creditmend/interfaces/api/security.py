"""Who is calling: the bearer token checked on every request (`authenticated`), and the scope an
operation needs (`require_scope`), which hands the endpoint its `Caller`.

    @router.get("/v1/inquiries")
    def inquiries(caller: Annotated[Caller, Depends(require_scope(INQUIRE))]) -> ...:
        ...  # every lookup filtered by caller.furnisher_code (the desk's is None)

A token is taken from the `Authorization: Bearer` header only, never from the URL (ASVS 13.1.3).
Every refused token and every refused scope is written to the audit trail with the request id
(never the token); a request without any token is refused without an audit event (it names no
one), and its log line says 401.

Once the caller is known, the rest of the request acts for its lender (the desk: for the
bureau): on PostgreSQL every transaction the endpoint opens is under row-level security for that
tenant (`bootstrap.act_for`, docs/api.md "Isolation in the database"). Both dependencies are
`async` so that this reaches the endpoint: FastAPI runs a synchronous dependency in a worker
thread with a copy of the request's context, and what it set there would be lost; the blocking
store calls go to the thread pool explicitly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from creditmend.bootstrap import Service, act_for
from creditmend.domain.clients import Caller
from creditmend.interfaces.api.problems import ApiProblemError, request_id_of
from creditmend.services.clients import Refusal

__all__ = ["Caller", "authenticated", "require_scope", "service_of"]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An access token from `POST /v1/token` (OAuth 2.0 client credentials)",
)
REALM = 'Bearer realm="creditmend"'


def service_of(request: Request) -> Service:
    """The services `create_app` was given."""
    service: Service = request.app.state.service
    return service


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller a valid bearer token stands for; 401 otherwise (no token, unknown, expired,
    or its client revoked: one answer for all, the audit trail and the log tell them apart)."""
    if credentials is None:
        raise ApiProblemError(
            401,
            "this operation needs a bearer token (POST /v1/token)",
            kind="unauthenticated",
            headers={"WWW-Authenticate": REALM},
        )
    service = service_of(request)
    found = await run_in_threadpool(
        service.clients.caller_of,
        credentials.credentials,
        service.clock.now(),
        request_id_of(request),
    )
    if isinstance(found, Refusal):
        raise ApiProblemError(
            401,
            "the token is not valid: unknown, expired, or its client revoked; get a new one",
            kind="invalid-token",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    request.state.client_id = found.client_id  # for the request's log line
    act_for(None if found.desk else (found.furnisher_code or ""))
    return found


def require_scope(*scopes: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency giving the `Caller` whose client holds one of `scopes`; 403 (audited)
    otherwise. `require_scope(RESPOND, DESK)` lets either in."""
    needed = " ".join(scopes)

    async def caller_with_scope(
        request: Request, caller: Annotated[Caller, Depends(authenticated)]
    ) -> Caller:
        if any(caller.may(scope) for scope in scopes):
            return caller
        service = service_of(request)
        await run_in_threadpool(
            service.clients.refuse_scope,
            caller,
            needed,
            service.clock.now(),
            request_id_of(request),
        )
        raise ApiProblemError(
            403,
            f"this client lacks the scope this operation needs: {needed}",
            kind="insufficient-scope",
            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{needed}"'},
        )

    caller_with_scope.__name__ = f"require_scope_{'_'.join(scopes)}"
    return caller_with_scope
