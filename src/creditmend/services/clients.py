"""API clients and their access tokens: who may call the bureau's HTTP API, and with what scopes.

A client is a lender's system (tied to one registered furnisher, scopes among `furnish`,
`inquire`, `respond`) or the bureau's own desk (scope `desk`). It authenticates with a client id
and a secret (OAuth 2.0 client credentials) and receives a short-lived opaque bearer token.

Why two kinds of hash:
- The client secret is shown once and kept only as an argon2 hash (`SecretHasher`, an adapter):
  a slow, memory-hard hash, so that a copy of the table does not let anyone try secrets fast.
  Our secrets are random too, but an operator may one day set one by hand, and the cost is paid
  only once per token (every 15 minutes per client), not per request.
- A token is 256 random bits from `secrets`, checked on every request, and kept only as its
  SHA-256 digest. Guessing a preimage of a 256-bit random value is hopeless at any hashing speed,
  so slowness buys nothing there and would cost every request; the digest still makes a stolen
  table useless (the bearer needs the token, not its digest).

Neither the secret nor the token is ever logged or audited; the audit trail names the client id.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from creditmend.domain.clients import (
    ADDRESS_LOCKOUT,
    CLIENT_LOCKOUT,
    DESK,
    FURNISH,
    INQUIRE,
    LENDER_SCOPES,
    RESPOND,
    SCOPES,
    AccessEvent,
    ApiClient,
    Caller,
)
from creditmend.domain.lockout import LockoutPolicy, wait_seconds
from creditmend.domain.problems import Problem, ProblemsError

__all__ = [
    "DESK",
    "FURNISH",
    "INQUIRE",
    "LENDER_SCOPES",
    "RESPOND",
    "SCOPES",
    "ApiClient",
    "Caller",
    "ClientService",
]

DEFAULT_TOKEN_TTL = timedelta(minutes=15)
SECRET_BYTES = 32  # 256 bits: the client secret
TOKEN_BYTES = 32  # 256 bits: the access token


@dataclass(frozen=True, slots=True)
class NewClient:
    """What `client add` prints once: the secret is not kept anywhere but in this value."""

    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grant:
    access_token: str = field(repr=False)
    expires_in: int  # seconds
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused authentication: `reason` is for the audit trail and the log, never for the
    caller beyond the generic error (an unknown client and a wrong secret read alike).
    `retry_after` (seconds) when the token endpoint is locked for this client id or address."""

    reason: str
    retry_after: int | None = None


LOCKED = "locked out"  # the reason of a token request refused while its client or address waits


class SecretHasher(Protocol):
    """A slow password hash (argon2 in `adapters/secret_hash.py`)."""

    def hash(self, secret: str) -> str: ...

    def verify(self, stored: str, secret: str) -> bool: ...


class ClientRepository(Protocol):
    """Clients and tokens in the store, and the audit trail of their use."""

    def add_client(self, client: ApiClient, secret_hash: str) -> None: ...

    def clients(self) -> list[ApiClient]: ...

    def client_and_hash(self, client_id: str) -> tuple[ApiClient, str] | None: ...

    def revoke(self, client_id: str, at: datetime) -> bool:
        """True if the client was active and is now revoked (its tokens deleted)."""
        ...

    def add_token(
        self,
        digest: str,
        client_id: str,
        issued_at: datetime,
        expires: datetime,
        cleared: Sequence[str] = (),
    ) -> None:
        """A new token; the client's expired tokens are swept, and the failure counts of
        `cleared` deleted, in the same transaction."""
        ...

    def latest_lock(self, keys: Sequence[str]) -> datetime | None:
        """The latest lock of the token endpoint's failure counts of `keys` (None: none)."""
        ...

    def count_failure(
        self, counted: Sequence[tuple[str, LockoutPolicy]], at: datetime
    ) -> datetime | None:
        """One failed token request more for each key, in one transaction, each key locked as
        its policy says; the latest lock of them."""
        ...

    def token_holder(self, digest: str) -> tuple[ApiClient, datetime] | None:
        """The client holding the token with this digest, and when the token expires."""
        ...

    def log(
        self,
        at: datetime,
        actor: str,
        action: str,
        detail: dict[str, object],
        refused: str | None = None,
    ) -> None:
        """An event of the audit trail (`audit_events`), in its own transaction."""
        ...

    def access_events(
        self, client_id: str | None, *, refused_only: bool, limit: int
    ) -> list[AccessEvent]:
        """The newest `limit` access events (of one client, or all), oldest first."""
        ...


class KnownFurnishers(Protocol):
    def furnisher_codes(self) -> frozenset[str]: ...


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(text: str, allowed: Sequence[str] = LENDER_SCOPES) -> tuple[str, ...]:
    """`furnish,inquire` as a sorted tuple; unknown or no scopes are a problem of `scopes`."""
    scopes = sorted({part.strip() for part in text.split(",") if part.strip()})
    unknown = [scope for scope in scopes if scope not in allowed]
    if unknown or not scopes:
        said = ", ".join(unknown) if unknown else "none given"
        message = f"unknown scope {said}; one or more of {', '.join(allowed)}"
        raise ProblemsError((Problem("scopes", message),))
    return tuple(scopes)


def _utc(at: datetime) -> datetime:
    """Stored and compared in UTC (SQLite keeps no offset: every value must be in one zone)."""
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


class ClientService:
    """Registering, listing and revoking clients; issuing and checking tokens."""

    def __init__(
        self,
        repository: ClientRepository,
        hasher: SecretHasher,
        furnishers: KnownFurnishers,
        token_ttl: timedelta = DEFAULT_TOKEN_TTL,
    ) -> None:
        self.repository = repository
        self.hasher = hasher
        self.furnishers = furnishers
        self.token_ttl = token_ttl
        self._decoy: str | None = None

    # ------------------------------------------------------------ registering (the command line)
    def add_lender(self, furnisher_code: str, scopes: Sequence[str], at: datetime) -> NewClient:
        if furnisher_code not in self.furnishers.furnisher_codes():
            message = f"{furnisher_code} is not a registered furnisher (creditmend furnisher add)"
            raise ProblemsError((Problem("furnisher", message),))
        chosen = parse_scopes(",".join(scopes))
        return self._add(at, chosen, furnisher_code=furnisher_code)

    def add_desk(self, name: str, at: datetime) -> NewClient:
        if not name.strip():
            raise ProblemsError((Problem("desk", "a desk client needs a name"),))
        return self._add(at, (DESK,), desk_name=name.strip())

    def _add(
        self,
        at: datetime,
        scopes: tuple[str, ...],
        furnisher_code: str | None = None,
        desk_name: str | None = None,
    ) -> NewClient:
        client_id = "cm_" + secrets.token_hex(10)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        client = ApiClient(
            client_id, frozenset(scopes), _utc(at), furnisher_code=furnisher_code,
            desk_name=desk_name,
        )  # fmt: skip
        self.repository.add_client(client, self.hasher.hash(secret))
        return NewClient(client_id, secret, scopes)

    def clients(self) -> list[ApiClient]:
        return self.repository.clients()

    def revoke(self, client_id: str, at: datetime) -> None:
        if not self.repository.revoke(client_id, _utc(at)):
            message = f"{client_id} is not an active client (see `creditmend client list`)"
            raise ProblemsError((Problem("client_id", message),))

    # ------------------------------------------------------------ tokens (the API)
    def issue_token(
        self,
        client_id: str,
        secret: str,
        at: datetime,
        request_id: str,
        address: str | None = None,
    ) -> Grant | Refusal:
        """A new token for a client that proves its secret; refused (and audited) otherwise.
        An unknown client costs one argon2 verification too, so that timing does not tell
        which client ids exist. Failures are counted per client id and per `address`
        (`CLIENT_LOCKOUT`, `ADDRESS_LOCKOUT`): while either waits, the request is refused
        before its secret is checked (`retry_after` says how long)."""
        at = _utc(at)
        keys = _lockout_keys(client_id, address)
        wait = wait_seconds(self.repository.latest_lock([key for key, _ in keys]), at)
        if wait is not None:
            refused = self._refuse(at, client_id, LOCKED, request_id, address)
            return Refusal(refused.reason, wait)
        found = self.repository.client_and_hash(client_id)
        if found is None:
            self.hasher.verify(self._decoy_hash(), secret)
            return self.refuse_token_request(client_id, "unknown client", at, request_id, address)
        client, stored = found
        if not self.hasher.verify(stored, secret):
            return self.refuse_token_request(client_id, "wrong secret", at, request_id, address)
        if client.revoked_at is not None:
            return self.refuse_token_request(client_id, "revoked client", at, request_id, address)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        own = [key for key, policy in keys if policy is CLIENT_LOCKOUT]  # not the address's
        self.repository.add_token(
            token_digest(token), client.client_id, at, at + self.token_ttl, cleared=own
        )
        detail: dict[str, object] = {
            "request_id": request_id,
            "scopes": sorted(client.scopes),
            "address": address,
        }
        self.repository.log(at, _actor(client_id), "api_token", detail)
        return Grant(token, int(self.token_ttl.total_seconds()), tuple(sorted(client.scopes)))

    def refuse_token_request(
        self,
        client_id: str | None,
        reason: str,
        at: datetime,
        request_id: str,
        address: str | None = None,
    ) -> Refusal:
        """A token request refused (bad credentials, or a request the endpoint cannot read):
        audited, and counted against the client id it named and its address."""
        at = _utc(at)
        refused = self._refuse(at, client_id, reason, request_id, address)
        self.repository.count_failure(_lockout_keys(client_id, address), at)
        return refused

    def caller_of(self, token: str, at: datetime, request_id: str) -> Caller | Refusal:
        """The caller a bearer token stands for, or why not (unknown, expired, revoked)."""
        found = self.repository.token_holder(token_digest(token))
        if found is None:
            return self._refuse(at, None, "unknown token", request_id)
        client, expires = found
        if client.revoked_at is not None:
            return self._refuse(at, client.client_id, "revoked client", request_id)
        if _utc(expires) <= _utc(at):
            return self._refuse(at, client.client_id, "expired token", request_id)
        return Caller(client.client_id, client.furnisher_code, client.scopes, client.desk)

    def access_log(
        self, client_id: str | None = None, *, refused_only: bool = False, limit: int = 200
    ) -> list[AccessEvent]:
        """Who got tokens and who was refused, from the audit trail: the operator's view of
        the API's use (`creditmend audit --api`), the newest `limit` events, oldest first."""
        if limit < 1:
            raise ProblemsError((Problem("limit", f"{limit} is not a number >= 1"),))
        return self.repository.access_events(client_id, refused_only=refused_only, limit=limit)

    def refuse_scope(self, caller: Caller, scope: str, at: datetime, request_id: str) -> Refusal:
        return self._refuse(at, caller.client_id, f"scope {scope} not granted", request_id)

    def _refuse(
        self,
        at: datetime,
        client_id: str | None,
        reason: str,
        request_id: str,
        address: str | None = None,
    ) -> Refusal:
        detail: dict[str, object] = {"request_id": request_id}
        if address is not None:  # the token endpoint's: where the request came from
            detail["address"] = address
        self.repository.log(_utc(at), _actor(client_id), "api_refused", detail, refused=reason)
        return Refusal(reason)

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(SECRET_BYTES))
        return self._decoy


def _lockout_keys(client_id: str | None, address: str | None) -> list[tuple[str, LockoutPolicy]]:
    """The failure counts a token request is held to: the client id it named (cut short, as it
    may be anything; known or not) and its address."""
    keys = [("client:" + client_id[:64], CLIENT_LOCKOUT)] if client_id else []
    if address:
        keys.append(("address:" + address[:90], ADDRESS_LOCKOUT))
    return keys


def _actor(client_id: str | None) -> str:
    """The audit trail's actor: `api:<client id>`; an id the caller typed is cut short, as it
    may be anything (it is not a secret: the secret is never passed here)."""
    if client_id is None:
        return "api:unknown"
    return "api:" + client_id[:64]
