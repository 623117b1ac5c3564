"""Failed authentications counted for the lockout (domain/lockout.py), in the store so that every
worker process sees the same count: the token endpoint's, per client id tried and per address.

A failure is counted with one row per key, made on first sight and updated in place under its
row lock (PostgreSQL: `INSERT ... ON CONFLICT DO NOTHING`, then `SELECT ... FOR UPDATE`; SQLite:
the one writer from BEGIN IMMEDIATE): two failures at once are two, never one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.domain.lockout import LockoutPolicy

f = t.auth_failures.c
LOCKS = select(f.locked_until).where(f.key.in_(bindparam("keys", expanding=True)))
COUNT = select(f.failures, f.last_failure_at).where(f.key == bindparam("key")).with_for_update()


def _utc(value: datetime) -> datetime:
    """SQLite gives back the UTC values it was given without their offset."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def latest_lock(conn: Connection, keys: Sequence[str]) -> datetime | None:
    """The latest `locked_until` among `keys` (None when none has one)."""
    found = [_utc(at) for at in conn.execute(LOCKS, {"keys": list(keys)}).scalars() if at]
    return max(found, default=None)


def count_failure(
    conn: Connection, counted: Sequence[tuple[str, LockoutPolicy]], at: datetime
) -> datetime | None:
    """One failure more for each key (a count its policy has forgotten starts again), each
    key's lock set by its policy; the latest lock of them (None: no key is locked)."""
    at = _utc(at)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    latest: datetime | None = None
    for key, policy in counted:
        first = {"key": key, "failures": 0, "last_failure_at": at, "locked_until": None}
        made = dialect.insert(t.auth_failures).values(**first)
        conn.execute(made.on_conflict_do_nothing(index_elements=["key"]))
        row = conn.execute(COUNT, {"key": key}).one()
        kept = row.failures if policy.still_counts(_utc(row.last_failure_at), at) else 0
        failures = kept + 1
        until = policy.locked_until(failures, at)
        conn.execute(
            update(t.auth_failures)
            .where(f.key == key)
            .values(failures=failures, last_failure_at=at, locked_until=until)
        )
        if until is not None and (latest is None or until > latest):
            latest = until
    return latest


def clear(conn: Connection, keys: Sequence[str]) -> None:
    """A success: the keys' counts start again."""
    conn.execute(delete(t.auth_failures).where(f.key.in_(list(keys))))
