"""SQLite's one writer, taken in turn rather than fought over.

SQLite lets one transaction write at a time. Left to the driver, a transaction begins deferred,
reads, then asks for the write lock at its first INSERT; under load (the API's worker threads,
each logging an inquiry) the losers sleep in SQLite's busy handler, whose back-off grows to
100 ms a try, and a reader that has to become a writer after another wrote fails at once. So:

- the driver emits no BEGIN of its own (`isolation_level = None`, SQLAlchemy's documented
  recipe); SQLAlchemy's `begin` event emits `BEGIN IMMEDIATE` for a transaction that means to
  write (`WRITES` set on its connection) and a plain `BEGIN` for a read, which in WAL mode
  reads one snapshot and never waits;
- the threads of one process queue for the writer on a lock (`writer_turn`), handed over at
  once when it is released, so only processes meet in the busy handler.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry

# The execution option that marks a connection's transaction as a writer's.
WRITES = "creditmend_writes"
# Seconds a writer waits for its turn: the driver's own busy timeout (sqlite3.connect's 5 s).
BUSY_SECONDS = 5.0

_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def prepare(engine: Engine) -> None:
    """Set the pragmas and the transaction control above on every connection of `engine`."""
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # the driver begins nothing: `_on_begin` does
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITES, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writer_turn(engine: Engine) -> Iterator[bool]:
    """Wait for this process's turn to write to `engine`'s database; yields False when it did
    not come within the busy timeout (the caller refuses as for a locked database)."""
    database = str(engine.url.database)
    with _locks_guard:
        lock = _locks.setdefault(database, threading.RLock())
    taken = lock.acquire(timeout=BUSY_SECONDS)
    try:
        yield taken
    finally:
        if taken:
            lock.release()
