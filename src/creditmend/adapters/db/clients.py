"""API clients and tokens in the store (the `ClientRepository` port of services/clients.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update

from creditmend.adapters.db import auth_failures
from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit
from creditmend.domain.clients import ACCESS_ACTIONS, AccessEvent, ApiClient
from creditmend.domain.lockout import LockoutPolicy

# Built once: every API request looks its token up (see `reading.py`).
TOKEN_HOLDER = (
    select(t.api_clients, t.api_tokens.c.expires_at)
    .join(t.api_tokens, t.api_tokens.c.client_id == t.api_clients.c.client_id)
    .where(t.api_tokens.c.digest == bindparam("digest"))
)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives back the UTC values it was given without their offset."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _client(row: Any) -> ApiClient:
    return ApiClient(
        client_id=row.client_id,
        scopes=frozenset(row.scopes.split(",")),
        created_at=_utc(row.created_at) or row.created_at,
        furnisher_code=row.furnisher_code,
        desk_name=row.desk_name,
        revoked_at=_utc(row.revoked_at),
    )


class SqlClientRepository:
    """The `ClientRepository` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def add_client(self, client: ApiClient, secret_hash: str) -> None:
        with self.unit_of_work.transaction() as conn:
            conn.execute(
                insert(t.api_clients).values(
                    client_id=client.client_id,
                    furnisher_code=client.furnisher_code,
                    desk_name=client.desk_name,
                    scopes=",".join(sorted(client.scopes)),
                    secret_hash=secret_hash,
                    created_at=client.created_at,
                )
            )
            detail = {
                "client_id": client.client_id,
                "furnisher": client.furnisher_code,
                "desk": client.desk_name,
                "scopes": sorted(client.scopes),
            }
            audit(conn, client.created_at, "operator", "api_client_added", detail=detail)

    def clients(self) -> list[ApiClient]:
        with self.unit_of_work.reading() as conn:
            rows = conn.execute(select(t.api_clients).order_by(t.api_clients.c.created_at))
            return [_client(row) for row in rows]

    def client_and_hash(self, client_id: str) -> tuple[ApiClient, str] | None:
        with self.unit_of_work.reading() as conn:
            query = select(t.api_clients).where(t.api_clients.c.client_id == client_id)
            row = conn.execute(query).one_or_none()
            return None if row is None else (_client(row), row.secret_hash)

    def revoke(self, client_id: str, at: datetime) -> bool:
        clients = t.api_clients.c
        with self.unit_of_work.transaction() as conn:
            done = conn.execute(
                update(t.api_clients)
                .where(clients.client_id == client_id, clients.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            if done.rowcount != 1:
                return False
            conn.execute(delete(t.api_tokens).where(t.api_tokens.c.client_id == client_id))
            audit(conn, at, "operator", "api_client_revoked", detail={"client_id": client_id})
            return True

    def add_token(
        self,
        digest: str,
        client_id: str,
        issued_at: datetime,
        expires: datetime,
        cleared: Sequence[str] = (),
    ) -> None:
        tokens = t.api_tokens.c
        with self.unit_of_work.transaction() as conn:
            if cleared:
                auth_failures.clear(conn, cleared)
            conn.execute(
                delete(t.api_tokens).where(
                    tokens.client_id == client_id, tokens.expires_at <= issued_at
                )
            )
            conn.execute(
                insert(t.api_tokens).values(
                    digest=digest, client_id=client_id, issued_at=issued_at, expires_at=expires
                )
            )

    def latest_lock(self, keys: Sequence[str]) -> datetime | None:
        with self.unit_of_work.reading() as conn:
            return auth_failures.latest_lock(conn, keys)

    def count_failure(
        self, counted: Sequence[tuple[str, LockoutPolicy]], at: datetime
    ) -> datetime | None:
        with self.unit_of_work.transaction() as conn:
            return auth_failures.count_failure(conn, counted, at)

    def token_holder(self, digest: str) -> tuple[ApiClient, datetime] | None:
        with self.unit_of_work.reading() as conn:
            row = conn.execute(TOKEN_HOLDER, {"digest": digest}).one_or_none()
            if row is None:
                return None
            return _client(row), _utc(row.expires_at) or row.expires_at

    def log(
        self,
        at: datetime,
        actor: str,
        action: str,
        detail: dict[str, object],
        refused: str | None = None,
    ) -> None:
        with self.unit_of_work.transaction() as conn:
            audit(conn, at, actor, action, detail=dict(detail), refused=refused)

    def access_events(
        self, client_id: str | None, *, refused_only: bool, limit: int
    ) -> list[AccessEvent]:
        events = t.audit_events.c
        actions = ("api_refused",) if refused_only else ACCESS_ACTIONS
        query = select(t.audit_events).where(events.action.in_(actions))
        if client_id is not None:
            # a token's and a refusal's actor is the client; the operator adds and revokes it
            named = json.dumps({"client_id": client_id})[1:-1]
            query = query.where(
                or_(
                    events.actor == "api:" + client_id,
                    and_(events.actor == "operator", events.detail.contains(named)),
                )
            )
        with self.unit_of_work.reading() as conn:
            rows = conn.execute(query.order_by(events.id.desc()).limit(limit)).all()
        return [_access(row) for row in reversed(rows)]


def _access(row: Any) -> AccessEvent:
    detail = json.loads(row.detail) if row.detail else {}
    detail = detail if isinstance(detail, dict) else {}
    actor = str(row.actor)
    client = detail.get("client_id") if actor == "operator" else actor.removeprefix("api:")
    return AccessEvent(
        at=_utc(row.at) or row.at,
        action=row.action,
        client_id=None if client in (None, "unknown") else str(client),
        refused=row.refused,
        request_id=detail.get("request_id"),
        address=detail.get("address"),
    )
