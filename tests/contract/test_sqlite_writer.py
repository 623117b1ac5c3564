"""SQLite's one writer taken in turn (`adapters/db/sqlite_writer.py`): threads of one process
that write at once all commit, none refused as locked; a read that must then write is not failed
by a writer in between (a writing transaction begins IMMEDIATE); and a turn that does not come
within the busy timeout is one `StoreError`, the store as it was."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from creditmend.adapters.db import sqlite_writer
from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import StoreError
from creditmend.adapters.db.store import Store, open_store
from creditmend.adapters.vault import IdentityVault, new_key

AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)


def _store(tmp_path: Path) -> Store:
    vault = IdentityVault(new_key())
    return open_store(f"sqlite:///{tmp_path / 'bureau.db'}", lambda _new: vault, create=True)


def _audit_rows(store: Store) -> int:
    with store.unit_of_work.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(t.audit_events)).scalar_one())


def test_threads_writing_at_once_all_commit(tmp_path: Path) -> None:
    store = _store(tmp_path)
    before = _audit_rows(store)
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for number in range(25):
                with store.unit_of_work.transaction() as conn:
                    # read, then write: a deferred transaction would fail here once another
                    # thread wrote after its read began
                    conn.execute(select(func.count()).select_from(t.audit_events)).scalar_one()
                    conn.execute(
                        insert(t.audit_events).values(
                            at=AT, actor=f"t{thread}", action=f"n{number}", detail="{}"
                        )
                    )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _audit_rows(store) == before + 8 * 25


def test_a_turn_that_does_not_come_is_one_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    before = _audit_rows(store)
    monkeypatch.setattr(sqlite_writer, "BUSY_SECONDS", 0.2)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.unit_of_work.transaction():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        row = {"at": AT, "actor": "x", "action": "y", "detail": "{}"}
        with (
            pytest.raises(StoreError, match="database is locked; nothing was changed"),
            store.unit_of_work.transaction() as conn,
        ):
            conn.execute(insert(t.audit_events).values(**row))
    finally:
        release.set()
        holder.join()
    assert _audit_rows(store) == before
