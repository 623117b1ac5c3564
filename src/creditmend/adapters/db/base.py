"""What every repository of the store shares: the unit of work (one engine, the identity vault,
the open transaction), the audit trail, and the fen conversions."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from creditmend.adapters.db import sqlite_writer
from creditmend.adapters.db import tables as t
from creditmend.adapters.db.tenancy import follow_tenant
from creditmend.adapters.vault import IdentityVault
from creditmend.domain.problems import ConcurrentWriteError, Problem, ProblemsError

FEN = Decimal(100)


@dataclass(frozen=True, slots=True)
class ApplyCounts:
    applied: int
    unchanged: int
    corrected: int


class StoreError(ProblemsError):
    """The database cannot be reached: an input problem of the `db` setting."""

    def __init__(self, message: str) -> None:
        super().__init__((Problem("db", message),))


# What the database says when it cannot write: SQLite's messages (a full disk, a file-size limit,
# a read-only file or folder) and PostgreSQL's SQLSTATEs (disk_full, out_of_memory,
# read_only_sql_transaction). Other database errors (a lost connection, a serialisation
# failure another layer retries) are not these.
SQLITE_CANNOT_WRITE = (
    "database or disk is full",
    "attempt to write a readonly database",
    "disk I/O error",
    "unable to open database file",
    # the one writer busy past the busy timeout (a large file being applied by another process
    # or the API's worker): refused whole like the rest, and worth a retry
    "database is locked",
)
POSTGRES_CANNOT_WRITE = frozenset({"53100", "53200", "25006"})


def cannot_write(engine: Engine, error: DBAPIError) -> StoreError | None:
    """The store refusing a write for want of space or permission, as a one-line `StoreError`
    naming the database and the reason (None for any other database error)."""
    reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
    if engine.dialect.name == "sqlite":
        if not any(known in reason for known in SQLITE_CANNOT_WRITE):
            return None
        where = engine.url.database
    else:
        if getattr(error.orig, "sqlstate", None) not in POSTGRES_CANNOT_WRITE:
            return None
        where = engine.url.render_as_string(hide_password=True)
    return StoreError(f"cannot write {where}: {reason}; nothing was changed")


def fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount * FEN)


@lru_cache(maxsize=1 << 16)
def from_fen(fen: int) -> Decimal:
    """An amount in fen as yuan. Remembered: a file's months repeat the same few amounts
    (zero most of all), and a Decimal is immutable, so one object serves every caller."""
    return Decimal(fen) / FEN


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        sqlite_writer.prepare(engine)
    follow_tenant(engine)  # PostgreSQL: each transaction acts for the current tenant
    return engine


# PostgreSQL's SQLSTATEs for a row another transaction wrote first: unique_violation,
# deadlock_detected, serialization_failure.
TAKEN_MEANWHILE = frozenset({"23505", "40P01", "40001"})


@contextmanager
def taken_meanwhile() -> Iterator[None]:
    """A PostgreSQL error for rows another transaction wrote first, as `ConcurrentWriteError`
    (raised once the transaction inside has rolled back): the caller may run it again
    (`services/conflicts.py`). Around every transaction that makes persons or accounts on
    first sight (furnishing, records, inquiries): two of them at once may make the same one."""
    try:
        yield
    except Exception as error:
        if getattr(getattr(error, "orig", error), "sqlstate", None) in TAKEN_MEANWHILE:
            raise ConcurrentWriteError(str(error).splitlines()[0]) from error
        raise


class UnitOfWork:
    """The one engine and identity vault every repository holds, and the transaction they share.

    Each repository method that writes does so in `transaction()`: on its own it is one
    transaction (a furnishing file applied whole, an objection with its reply letter). Inside an
    outer `with unit_of_work.transaction():` every repository joins that transaction instead, so
    calls on several repositories commit or roll back together. Reads join it too, and so see
    what it has written."""

    def __init__(self, engine: Engine, vault: IdentityVault) -> None:
        self.engine = engine
        self.vault = vault
        self._open = threading.local()  # this thread's open transaction, if any

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        joined: Connection | None = getattr(self._open, "conn", None)
        if joined is not None:
            yield joined
            return
        try:
            with self._writer_turn(), self.engine.connect() as conn:
                conn.execution_options(**{sqlite_writer.WRITES: True})
                with conn.begin():
                    self._open.conn = conn
                    try:
                        yield conn
                    finally:
                        self._open.conn = None
        except DBAPIError as error:  # rolled back: the store is as it was
            refused = cannot_write(self.engine, error)
            if refused is None:
                raise
            raise refused from None

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """SQLite: this process's turn at the one writer (`sqlite_writer`); elsewhere nothing."""
        if self.engine.dialect.name != "sqlite":
            yield
            return
        with sqlite_writer.writer_turn(self.engine) as taken:
            if not taken:
                raise StoreError(
                    f"cannot write {self.engine.url.database}: database is locked; "
                    "nothing was changed"
                )
            yield

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection to read with: the open transaction's, or one of its own."""
        joined: Connection | None = getattr(self._open, "conn", None)
        if joined is not None:
            yield joined
            return
        with self.engine.connect() as conn:
            yield conn


# Built once: every inquiry writes one (a statement's compiled form is cached under a key
# SQLAlchemy works out, and keeps on the statement object, from the second time on).
AUDIT_EVENT = insert(t.audit_events)


def audit(
    conn: Connection,
    at: datetime,
    actor: str,
    action: str,
    subject: int | None = None,
    reason: str | None = None,
    consent: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    refused: str | None = None,
    subject_hash: str | None = None,
) -> None:
    """One event of the audit trail, written in the caller's transaction with what it records.
    A refused look says why (`refused`) and names its subject by the identity's keyed hash
    (`subject_hash`), as a refusal makes no person row."""
    conn.execute(
        AUDIT_EVENT,
        {
            "at": at,
            "actor": actor,
            "action": action,
            "subject_person_id": subject,
            "reason": reason,
            "consent_ref": consent,
            "detail": json.dumps(detail or {}, sort_keys=True),
            "refused": refused,
            "subject_id_hash": subject_hash,
        },
    )
