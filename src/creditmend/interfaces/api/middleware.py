"""The API's edge, as plain ASGI middleware (outside FastAPI's routing, so it holds for every
answer, the router's 404 and 405 included):

- `RequestContext`: an `X-Request-ID` on every answer (the caller's if it is a short safe token,
  else a new one) and in the one log line per request; the security headers; and the last-resort
  handler: an exception no one handled is logged with its traceback and answered as a 500
  problem without one.
- `BodyLimit`: a body larger than the route allows is refused with 413, on its declared
  `Content-Length` before any byte is read, or while it streams, as soon as it passes the limit
  (never after reading it whole). A route allows more with `@body_limit(n)` (`limits.py`).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditmend.interfaces.api.problems import PROBLEM_JSON, problem_body

log = logging.getLogger("creditmend.api")
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
BODY_LIMIT_ATTRIBUTE = "__creditmend_body_limit__"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_problem(send: Send, status: int, detail: str, request_id: str) -> None:
    body = problem_body(status, detail, request_id)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """Request id, headers, access log line and the last-resort 500 (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        personal = str(scope.get("path", "")).startswith("/v1")
        status = 0
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (key, value)
                    for key, value in message.get("headers", [])
                    if key.lower() not in {b"server", b"x-request-id"}
                ]
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                if personal:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("request %s failed", request_id)
            if status == 0:
                await send_problem(
                    send_with_headers, 500, "an unforeseen error; the log has it", request_id
                )
        finally:
            log.info(
                "%s %s %s %d %.1fms client=%s",
                request_id,
                scope.get("method", "-"),
                scope.get("path", "-"),
                status,
                (time.perf_counter() - started) * 1000,
                state.get("client_id", "-"),
            )


class BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """413 for a body over the route's limit (see the module); `default` elsewhere.

    The limit is decided at the first read of the body, when routing has put the endpoint in
    the scope (FastAPI reads a body only once it knows the route): the endpoint's
    `@body_limit(n)` mark, else `default`. The declared Content-Length is checked then, before
    any byte is read; a body without one (chunked) is counted as it streams."""

    def __init__(self, app: ASGIApp, default: int) -> None:
        self.app = app
        self.default = default

    def limit_for(self, scope: Scope) -> int:
        endpoint = scope.get("endpoint")
        return int(getattr(endpoint, BODY_LIMIT_ATTRIBUTE, self.default))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit: int | None = None
        seen = 0
        refused: tuple[int, str] | None = None
        started = False

        async def counting_receive() -> Message:
            nonlocal limit, seen, refused
            if limit is None:
                limit = self.limit_for(scope)
                declared = _header(scope, b"content-length")
                if declared is not None and not declared.isdigit():
                    refused = (400, "Content-Length is not a number")
                    raise BodyTooLargeError
                if declared is not None and int(declared) > limit:
                    refused = (413, _too_large(limit))
                    raise BodyTooLargeError
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = (413, _too_large(limit))
                    raise BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused is not None and not started:
                return  # whatever the app answers to a refused body, the answer is the refusal
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if refused is None:
                raise
        if refused is not None and not started:
            request_id = str(scope.get("state", {}).get("request_id", "-"))
            await send_problem(send, refused[0], refused[1], request_id)


def _too_large(limit: int) -> str:
    return f"the body is larger than this operation accepts ({limit} bytes)"
