"""The API's settings, from the environment (so that every worker process reads the same):

| variable | default | what |
|---|---|---|
| CREDITMEND_API_TOKEN_TTL | 900 | seconds an access token lives |
| CREDITMEND_API_BODY_LIMIT | 65536 | bytes a body may have (a route may allow more) |
| CREDITMEND_API_RATE | 20 | requests per second per client, sustained |
| CREDITMEND_API_BURST | 40 | requests a client may send at once |
| CREDITMEND_API_FURNISH_LIMIT | 67108864 | bytes a furnishing file may have (64 MiB) |
| CREDITMEND_API_JOB_LEASE | 30 | seconds a running furnishing job is its worker's (renewed) |
| CREDITMEND_API_INQUIRY_QUOTA | 10000 | inquiries a client may make a business day |
| CREDITMEND_API_THREADS | 8 | threads a worker process runs blocking calls on |
| CREDITMEND_API_TRUSTED_PROXIES | none | proxies whose X-Forwarded-For is believed |
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.interfaces.api.limits import KIB, MIB, RateSettings

TOKEN_TTL_ENV = "CREDITMEND_API_TOKEN_TTL"
BODY_LIMIT_ENV = "CREDITMEND_API_BODY_LIMIT"
RATE_ENV = "CREDITMEND_API_RATE"
BURST_ENV = "CREDITMEND_API_BURST"
FURNISH_LIMIT_ENV = "CREDITMEND_API_FURNISH_LIMIT"
JOB_LEASE_ENV = "CREDITMEND_API_JOB_LEASE"
INQUIRY_QUOTA_ENV = "CREDITMEND_API_INQUIRY_QUOTA"
THREADS_ENV = "CREDITMEND_API_THREADS"
TRUSTED_PROXIES_ENV = "CREDITMEND_API_TRUSTED_PROXIES"


@dataclass(frozen=True, slots=True)
class ApiSettings:
    token_ttl: timedelta = timedelta(minutes=15)
    body_limit: int = 64 * KIB
    rate: RateSettings = field(default_factory=RateSettings)
    furnish_body_limit: int = 64 * MIB
    job_lease: timedelta = timedelta(seconds=30)
    inquiry_quota: int = 10_000  # inquiries per client per business day (all workers)
    # Threads a worker runs the store's calls on (anyio's default is 40). The calls are
    # Python holding the GIL most of the time: past a few threads, more only switch between
    # requests and make each slower; the waiting ones queue on the event loop instead.
    threads: int = 8
    # The reverse proxies whose `X-Forwarded-For` is believed (uvicorn's `forwarded_allow_ips`):
    # the token endpoint's lockout counts failures per caller address, and behind a proxy
    # every peer address is the proxy's. None by default: no forwarded header is trusted.
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ApiSettings:
        env = os.environ if env is None else env
        default = cls()
        ttl = _number(env, TOKEN_TTL_ENV, default.token_ttl.total_seconds(), minimum=1)
        return cls(
            token_ttl=timedelta(seconds=ttl),
            body_limit=int(_number(env, BODY_LIMIT_ENV, default.body_limit, minimum=1)),
            rate=RateSettings(
                per_second=_number(env, RATE_ENV, default.rate.per_second, minimum=0.001),
                burst=int(_number(env, BURST_ENV, default.rate.burst, minimum=1)),
            ),
            furnish_body_limit=int(
                _number(env, FURNISH_LIMIT_ENV, default.furnish_body_limit, minimum=1)
            ),
            job_lease=timedelta(
                seconds=_number(env, JOB_LEASE_ENV, default.job_lease.total_seconds(), minimum=1)
            ),
            inquiry_quota=int(_number(env, INQUIRY_QUOTA_ENV, default.inquiry_quota, minimum=0)),
            threads=int(_number(env, THREADS_ENV, default.threads, minimum=1)),
            trusted_proxies=_networks(env, TRUSTED_PROXIES_ENV),
        )


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= minimum or value == float("inf"):
        raise ProblemsError((Problem(name, f"{text!r} is not a number >= {minimum}"),))
    return value


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (`10.0.0.5`, `10.0.0.0/24`), each checked."""
    found = []
    for part in env.get(name, "").split(","):
        text = part.strip()
        if not text:
            continue
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            message = f"{text!r} is not an IP address or network"
            raise ProblemsError((Problem(name, message),)) from None
        found.append(text)
    return tuple(found)
