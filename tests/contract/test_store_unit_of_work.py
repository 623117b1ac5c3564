"""The repositories share one unit of work (SQLite and PostgreSQL): on its own each call is its
own transaction; inside an open `transaction()` calls on several repositories join it, see its
writes, and commit or roll back together."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.store import Store, open_store
from creditmend.adapters.vault import IdentityVault, new_key
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind

AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)
LENDER = Furnisher("LENDER1", "Lender One", FurnisherKind.NON_BANK)


@pytest.fixture
def store(db_url: str) -> Store:
    vault = IdentityVault(new_key())
    return open_store(db_url, lambda _new: vault, create=True)


def _audit_events(store: Store) -> int:
    with store.unit_of_work.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.audit_events)).scalar_one())


def _furnisher_and_batch_then_fail(store: Store) -> None:
    with store.unit_of_work.transaction():
        store.furnisher_registry.add_furnisher(LENDER, AT)
        store.audit_log.log_batch(date(2025, 6, 15), AT, {"engine": "duckdb"})
        # Reads join the open transaction: they see what it wrote.
        assert store.furnisher_registry.furnisher_codes() == {"LENDER1"}
        raise RuntimeError("a later step fails")


def _batch_then_fail(store: Store) -> None:
    with store.unit_of_work.transaction():
        store.audit_log.log_batch(date(2025, 6, 15), AT, {"engine": "duckdb"})
        raise RuntimeError("a later step fails")


def test_calls_on_several_repositories_roll_back_together(store: Store) -> None:
    with pytest.raises(RuntimeError, match="a later step"):
        _furnisher_and_batch_then_fail(store)
    assert store.furnisher_registry.furnisher_codes() == frozenset()
    assert _audit_events(store) == 0


def test_each_call_commits_on_its_own_outside_a_transaction(store: Store) -> None:
    store.furnisher_registry.add_furnisher(LENDER, AT)
    with pytest.raises(RuntimeError, match="a later step"):
        _batch_then_fail(store)
    assert store.furnisher_registry.furnisher_codes() == {"LENDER1"}
    assert _audit_events(store) == 1  # the furnisher's own, not the rolled-back batch's
