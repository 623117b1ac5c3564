"""What every part of the store shares: the engine, the identity vault, transactions, audit,
persons, ingestion provenance, and the fen conversions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import IdentityVault
from creditmend.domain.money import Money
from creditmend.domain.problems import Problem, ProblemsError

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


def fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount * FEN)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class StoreBase:
    def __init__(self, engine: Engine, vault: IdentityVault) -> None:
        self.engine = engine
        self.vault = vault

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _open_ingestion(
        self,
        conn: Connection,
        file_name: str,
        sha256: str,
        as_of: date,
        rejected: int,
        at: datetime,
    ) -> int:
        """The provenance row every fact of one file points to."""
        return int(
            conn.execute(
                insert(t.ingestions)
                .values(
                    file_name=file_name,
                    sha256=sha256,
                    received_at=at,
                    as_of=as_of,
                    applied=0,
                    unchanged=0,
                    corrected=0,
                    rejected=rejected,
                )
                .returning(t.ingestions.c.id)
            ).scalar_one()
        )

    def _close_ingestion(
        self, conn: Connection, ingestion_id: int, applied: int, unchanged: int, corrected: int
    ) -> None:
        conn.execute(
            update(t.ingestions)
            .where(t.ingestions.c.id == ingestion_id)
            .values(applied=applied, unchanged=unchanged, corrected=corrected)
        )

    def person_id(
        self, conn: Connection, id_type: str, id_number: str, at: datetime, name: str | None = None
    ) -> int:
        """The person's row, made on first sight: an inquiry about someone the bureau has no
        data on is still information about them (they will see it in their own report)."""
        key = self.vault.id_hash(id_type, id_number)
        row = conn.execute(
            select(t.persons.c.id, t.persons.c.name_known).where(t.persons.c.id_hash == key)
        ).one_or_none()
        if row is None:
            return int(
                conn.execute(
                    insert(t.persons)
                    .values(
                        id_hash=key,
                        id_type=id_type,
                        id_cipher=self.vault.encrypt(id_number),
                        name_cipher=self.vault.encrypt(name or ""),
                        name_known=name is not None,
                        created_at=at,
                    )
                    .returning(t.persons.c.id)
                ).scalar_one()
            )
        if name is not None and not row.name_known:
            conn.execute(
                update(t.persons)
                .where(t.persons.c.id == row.id)
                .values(name_cipher=self.vault.encrypt(name), name_known=True)
            )
        return int(row.id)

    # ------------------------------------------------------------ audit
    def _audit(
        self,
        conn: Connection,
        at: datetime,
        actor: str,
        action: str,
        subject: int | None = None,
        reason: str | None = None,
        consent: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            insert(t.audit_events).values(
                at=at,
                actor=actor,
                action=action,
                subject_person_id=subject,
                reason=reason,
                consent_ref=consent,
                detail=json.dumps(detail or {}, sort_keys=True),
            )
        )


def from_fen(fen: int) -> Decimal:
    return Decimal(fen) / FEN


def money_of(fen: int | None, currency: str) -> Money | None:
    return None if fen is None else Money(from_fen(fen), currency)
