"""`BodyLimit` at the ASGI level: a chunked body is refused as soon as it passes the limit, not
after it has been read whole, and a declared Content-Length before any byte is read."""

from __future__ import annotations

import asyncio
import json

from starlette.types import Message, Receive, Scope, Send

from creditmend.interfaces.api.limits import body_limit
from creditmend.interfaces.api.middleware import BodyLimit

CHUNK = 1000


async def reads_everything(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads its body whole, then answers 200."""
    while (await receive()).get("more_body", False):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def run(
    headers: list[tuple[bytes, bytes]], chunks: int, endpoint: object = None
) -> tuple[int, int, dict[str, object]]:
    """(chunks the client was asked for, status, body) for a body of `chunks` chunks."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": pulled < chunks}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/x",
        "headers": headers,
        "state": {"request_id": "r1"},
        "endpoint": endpoint,
    }
    asyncio.run(BodyLimit(reads_everything, default=10 * CHUNK)(scope, receive, send))
    body = json.loads(sent[1]["body"]) if sent[0]["status"] != 200 else {}
    return pulled, int(sent[0]["status"]), body


def test_a_streamed_body_is_refused_at_the_limit_not_after_it() -> None:
    pulled, status, body = run([], chunks=1000)
    assert status == 413
    assert pulled == 11  # the chunk that passed 10 * CHUNK, none after it
    assert body["request_id"] == "r1"


def test_a_declared_length_is_refused_before_any_byte_is_read() -> None:
    pulled, status, _ = run([(b"content-length", str(10 * CHUNK + 1).encode())], chunks=11)
    assert (pulled, status) == (0, 413)


def test_a_body_at_the_limit_passes_and_an_endpoint_may_allow_more() -> None:
    assert run([], chunks=10)[:2] == (10, 200)

    @body_limit(50 * CHUNK)
    def big() -> None: ...

    assert run([], chunks=50, endpoint=big)[:2] == (50, 200)
    assert run([], chunks=60, endpoint=big)[:2] == (51, 413)
