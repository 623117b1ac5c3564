"""Who may call the bureau's HTTP API: its clients, their scopes, and the caller an endpoint sees.

A client is a lender's system (tied to one registered furnisher, scopes among `furnish`,
`inquire`, `respond`) or the bureau's own desk (scope `desk`). How they authenticate is in
services/clients.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from creditmend.domain.lockout import LockoutPolicy

FURNISH = "furnish"
INQUIRE = "inquire"
RESPOND = "respond"
DESK = "desk"
LENDER_SCOPES = (FURNISH, INQUIRE, RESPOND)
SCOPES = (*LENDER_SCOPES, DESK)

# The token endpoint's lockout (domain/lockout.py, the rule of the portal's sign-in), counted
# per client id tried (known or not: a lock must not tell which ids exist) and per address.
# A client's system retries on its own, so a short lock is enough and a long one would let
# anyone who learnt a client id keep its lender out: at most an hour. An address may be shared
# (a lender's gateway, a proxy), so it has more free tries, and its count is forgotten after
# an hour without failure; a client's is cleared by a token issued.
CLIENT_LOCKOUT = LockoutPolicy(
    free_failures=5,
    lock_after=8,
    first_wait=timedelta(seconds=30),
    first_lock=timedelta(minutes=15),
    longest_lock=timedelta(hours=1),
    forget_after=timedelta(hours=24),
)
ADDRESS_LOCKOUT = LockoutPolicy(
    free_failures=20,
    lock_after=25,
    first_wait=timedelta(seconds=1),
    first_lock=timedelta(minutes=5),
    longest_lock=timedelta(hours=1),
    forget_after=timedelta(hours=1),
)


@dataclass(frozen=True, slots=True)
class ApiClient:
    """A registered client; `furnisher_code` for a lender's, `desk_name` for the desk's."""

    client_id: str
    scopes: frozenset[str]
    created_at: datetime
    furnisher_code: str | None = None
    desk_name: str | None = None
    revoked_at: datetime | None = None

    @property
    def desk(self) -> bool:
        return DESK in self.scopes


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, as an endpoint sees it: the client, the lender it acts for (None for the
    desk), its scopes. Every lookup by id an endpoint makes is filtered by `furnisher_code`."""

    client_id: str
    furnisher_code: str | None
    scopes: frozenset[str]
    desk: bool

    def may(self, scope: str) -> bool:
        return scope in self.scopes


# The audit trail's events of the API's clients and tokens (`creditmend audit --api`).
ACCESS_ACTIONS = ("api_client_added", "api_client_revoked", "api_token", "api_refused")


@dataclass(frozen=True, slots=True)
class AccessEvent:
    """One event of a client's access, as the audit trail keeps it: a client added or revoked
    (by the operator), a token issued, a request refused (the token endpoint's, a bearer
    token's, a scope's) with why; never a secret or a token."""

    at: datetime
    action: str  # one of ACCESS_ACTIONS
    client_id: str | None  # None: a request that named no client
    refused: str | None
    request_id: str | None
    address: str | None  # the token endpoint's: where the request came from
