"""What an endpoint attaches to limit its callers: a larger body (`@body_limit`), the content
types it takes (`Depends(content_type(...))`), and the per-client rate (`Depends(rate_limit)`).

    @router.post("/v1/furnishings", dependencies=[Depends(content_type(NDJSON, CSV)),
                                                  Depends(rate_limit)])
    @body_limit(64 * MIB)
    def furnish(caller: Annotated[Caller, Depends(require_scope(FURNISH))], ...): ...
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from creditmend.domain.clients import Caller
from creditmend.interfaces.api.middleware import BODY_LIMIT_ATTRIBUTE
from creditmend.interfaces.api.problems import ApiProblemError
from creditmend.interfaces.api.security import authenticated

KIB = 1024
MIB = 1024 * KIB
F = TypeVar("F", bound=Callable[..., object])


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """Let this endpoint take bodies up to `max_bytes` (the app's default is 64 KiB). Put it
    under the route decorator: it marks the function the route holds."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, BODY_LIMIT_ATTRIBUTE, max_bytes)
        return endpoint

    return mark


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def content_type(*accepted: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency refusing, with 415, a request whose Content-Type (without its parameters,
    case-insensitive) is not one of `accepted`. `async`, as it blocks on nothing: FastAPI runs
    a synchronous dependency in a worker thread, a hand-over that costs more than the check."""
    allowed = frozenset(kind.lower() for kind in accepted)

    async def check(request: Request) -> None:
        given = _media_type(request.headers.get("content-type"))
        if given not in allowed:
            said = given or "none"
            raise ApiProblemError(
                415,
                f"Content-Type {said} is not accepted here; send {', '.join(sorted(allowed))}",
                kind="unsupported-media-type",
                errors=[("Content-Type", f"one of {', '.join(sorted(allowed))}")],
            )

    return check


@dataclass(frozen=True, slots=True)
class RateSettings:
    per_second: float = 20.0  # the sustained rate per client
    burst: int = 40  # the bucket's size: what a client may send at once


class TokenBuckets:
    """One token bucket per client, in this process (with N workers a client may send N times
    the rate: the reverse proxy is the place for a global limit, see docs/api.md)."""

    def __init__(self, settings: RateSettings, now: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.now = now
        self._buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go; else the seconds until it may."""
        rate, burst = self.settings.per_second, float(self.settings.burst)
        with self._lock:
            now = self.now()
            tokens, at = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / rate if rate > 0 else math.inf


async def rate_limit(request: Request, caller: Annotated[Caller, Depends(authenticated)]) -> None:
    """A dependency: 429 with `Retry-After` when the caller's bucket is empty (`async`: it
    blocks on nothing, as `content_type`)."""
    buckets: TokenBuckets = request.app.state.rate_limits
    wait = buckets.take(caller.client_id)
    if wait > 0:
        seconds = max(1, math.ceil(wait)) if math.isfinite(wait) else 3600
        raise ApiProblemError(
            429,
            f"too many requests from this client; retry in {seconds} s",
            kind="rate-limited",
            headers={"Retry-After": str(seconds)},
        )
