"""The store's failure counts (table `auth_failures`, migration 0014) on SQLite and PostgreSQL:
the portal's sign-in counts kept in `portal_users` before 0014 move there, so an account locked
before the upgrade stays locked after it, and its count goes on from where it was."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, select, update

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.migrate import alembic_config
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import build_bureau, build_portal_users
from creditmend.domain.portal import SIGN_IN_LOCKOUT

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_migration_0014_moves_the_portal_sign_in_counts(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    build_bureau(db_url, create=True)
    portal = build_portal_users(db_url)
    portal.add_desk("Wang Fang", date(2026, 12, 7), AT)
    portal.add_desk("Li Lei", date(2026, 12, 7), AT)
    until = AT + timedelta(minutes=15)
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0013")
        with engine.begin() as conn:
            locked, fresh = conn.execute(
                select(t.portal_users.c.id).order_by(t.portal_users.c.id)
            ).scalars()  # fmt: skip
            conn.execute(
                update(t.portal_users)
                .where(t.portal_users.c.id == locked)
                .values(failed=5, locked_until=until)
            )
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with engine.connect() as conn:
            rows = conn.execute(select(t.auth_failures)).all()
    finally:
        engine.dispose()
    assert [(row.key, row.failures) for row in rows] == [(f"portal:user:{locked}", 5)]
    repository = build_portal_users(db_url).repository
    assert repository.lock_of(locked) == until
    assert repository.lock_of(fresh) is None
    # the count goes on from 5: the sixth failure locks for twice the first lock
    assert repository.count_failure(locked, SIGN_IN_LOCKOUT, AT) == AT + 2 * timedelta(minutes=15)
    repository.record_success(locked, None)
    assert repository.lock_of(locked) is None
