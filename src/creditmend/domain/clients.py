"""Who may call the bureau's HTTP API: its clients, their scopes, and the caller an endpoint sees.

A client is a lender's system (tied to one registered furnisher, scopes among `furnish`,
`inquire`, `respond`) or the bureau's own desk (scope `desk`). How they authenticate is in
services/clients.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FURNISH = "furnish"
INQUIRE = "inquire"
RESPOND = "respond"
DESK = "desk"
LENDER_SCOPES = (FURNISH, INQUIRE, RESPOND)
SCOPES = (*LENDER_SCOPES, DESK)


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
