"""The bureau store on SQLAlchemy: SQLite embedded by default, PostgreSQL for servers.

`open_store` connects, migrates and checks the key, and returns the `Store`: one repository per
port the services use (`services/ports.py`), all on one engine and one unit of work. A
furnishing file is applied in one transaction: every row of it, or none (a crash mid-file rolls
back). Rows go in chunks with set-based look-ups and bulk writes, so a million records is a
matter of seconds, not of a million round trips.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.audit import SqlAuditLog
from creditmend.adapters.db.base import ApplyCounts, StoreError, UnitOfWork, make_engine
from creditmend.adapters.db.disputed import SqlDisputedRecords
from creditmend.adapters.db.furnishers import SqlFurnisherRegistry
from creditmend.adapters.db.furnishing import SqlFurnishingRepository
from creditmend.adapters.db.ingestions import SqlIngestionLog
from creditmend.adapters.db.inquiries import SqlInquiryLog
from creditmend.adapters.db.migrate import upgrade
from creditmend.adapters.db.objections import SqlObjectionRepository
from creditmend.adapters.db.persons import SqlPersonDirectory
from creditmend.adapters.db.reading import SqlCreditFileReader
from creditmend.adapters.db.records import SqlRecordsRepository
from creditmend.adapters.db.retention import SqlRetentionRepository
from creditmend.adapters.vault import IdentityVault, VaultKeyError

__all__ = ["ApplyCounts", "Store", "StoreError", "make_engine", "open_store"]


@dataclass(frozen=True, slots=True)
class Store:
    """The repositories of one opened store, sharing its unit of work."""

    unit_of_work: UnitOfWork
    furnisher_registry: SqlFurnisherRegistry
    ingestion_log: SqlIngestionLog
    furnishing_repository: SqlFurnishingRepository
    records_repository: SqlRecordsRepository
    person_directory: SqlPersonDirectory
    credit_file_reader: SqlCreditFileReader
    inquiry_log: SqlInquiryLog
    audit_log: SqlAuditLog
    objection_repository: SqlObjectionRepository
    disputed_records: SqlDisputedRecords
    retention_repository: SqlRetentionRepository

    @classmethod
    def on(cls, unit_of_work: UnitOfWork) -> Store:
        return cls(
            unit_of_work,
            SqlFurnisherRegistry(unit_of_work),
            SqlIngestionLog(unit_of_work),
            SqlFurnishingRepository(unit_of_work),
            SqlRecordsRepository(unit_of_work),
            SqlPersonDirectory(unit_of_work),
            SqlCreditFileReader(unit_of_work),
            SqlInquiryLog(unit_of_work),
            SqlAuditLog(unit_of_work),
            SqlObjectionRepository(unit_of_work),
            SqlDisputedRecords(unit_of_work),
            SqlRetentionRepository(unit_of_work),
        )


def open_store(url: str, vault: Callable[[], IdentityVault], *, create: bool = False) -> Store:
    """Connect, migrate to the newest schema, and check that the key is this store's key.

    Only with `create` may the database be new (an SQLite file not there yet, or a database
    without the store's tables): the commands that bring data in make a store, every other
    command refuses, so a mistyped `--db` leaves no empty store, and no key file, behind.
    `vault` gives the key (for SQLite once the store is known to be there: the embedded
    default makes a key file on first use)."""
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        raise StoreError(f"{url!r} is not a database URL this bureau can open ({error})") from None
    where = engine.url.database if engine.dialect.name == "sqlite" else engine.url
    missing = f"no store at {where}: ingest furnishing files first, or check the path"
    if not create and engine.dialect.name == "sqlite" and not _file_exists(engine):
        raise StoreError(missing)  # checked before connecting: connecting makes the file
    # A server's key is asked first (a missing one is said without connecting); an SQLite
    # store's only once the store is known to be there (its key file is made on first use).
    keys = None if engine.dialect.name == "sqlite" else vault()
    if create and engine.dialect.name == "sqlite" and not _file_exists(engine):
        _create_owner_only(engine)
    try:
        with engine.begin() as conn:
            if not create and not inspect(conn).has_table("alembic_version"):
                raise StoreError(missing.replace("no store", "no creditmend store", 1))
            upgrade(conn)
            if keys is None:
                keys = vault()
            stored = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "key_check"))
            check = stored.scalar_one_or_none()
            if check is None:
                conn.execute(insert(t.meta).values(key="key_check", value=keys.check_value()))
            elif check != keys.check_value():
                raise VaultKeyError("this is not the key this database was created with")
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        raise StoreError(f"cannot open {engine.url!r}: {reason}") from None
    return Store.on(UnitOfWork(engine, keys))


def _create_owner_only(engine: Engine) -> None:
    """A new SQLite store made as an empty file readable by its owner only (0600) before SQLite
    opens it (an empty file is an empty database): it holds account-level financial data, and
    SQLite gives its journal, write-ahead log and shared-memory files the database's mode.
    A URI filename (`file:...?uri=true`) is left to SQLite."""
    if engine.url.query.get("uri"):
        return
    path = Path(str(engine.url.database))
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return
    except OSError as error:
        raise StoreError(f"cannot create {path}: {error.strerror or error}") from None


def _file_exists(engine: Engine) -> bool:
    """Whether an SQLite engine's database is there (in memory always is)."""
    database = engine.url.database
    return database in (None, "", ":memory:") or Path(database).exists()
