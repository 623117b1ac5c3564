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
from creditmend.adapters.db.clients import SqlClientRepository
from creditmend.adapters.db.disputed import SqlDisputedRecords
from creditmend.adapters.db.furnish_jobs import SqlJobRepository
from creditmend.adapters.db.furnishers import SqlFurnisherRegistry
from creditmend.adapters.db.furnishing import SqlFurnishingRepository
from creditmend.adapters.db.ingestions import SqlIngestionLog
from creditmend.adapters.db.inquiries import SqlInquiryLog
from creditmend.adapters.db.migrate import upgrade
from creditmend.adapters.db.objections import SqlObjectionRepository
from creditmend.adapters.db.persons import SqlPersonDirectory
from creditmend.adapters.db.portal_users import SqlPortalRepository
from creditmend.adapters.db.reading import SqlCreditFileReader
from creditmend.adapters.db.records import SqlRecordsRepository
from creditmend.adapters.db.retention import SqlRetentionRepository
from creditmend.adapters.db.sqlite_file import sqlite_file
from creditmend.adapters.db.tenancy import role_problems
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
    client_repository: SqlClientRepository
    job_repository: SqlJobRepository
    portal_repository: SqlPortalRepository

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
            SqlClientRepository(unit_of_work),
            SqlJobRepository(unit_of_work),
            SqlPortalRepository(unit_of_work),
        )


def open_store(
    url: str,
    vault: Callable[[bool], IdentityVault],
    *,
    create: bool = False,
    serve_as: str | None = None,
) -> Store:
    """Connect, migrate to the newest schema, and check that the key is this store's key.

    Only with `create` may the database be new (an SQLite file not there yet, or a database
    without the store's tables): the commands that bring data in make a store, every other
    command refuses, so a mistyped `--db` leaves no empty store, and no key file, behind.
    `vault(new)` gives the key; `new` says the store holds no key yet, the one time an embedded
    store's key file may be made. An SQLite store's key is asked only once the store is known
    to be there (or is being made) and whether it holds a key is known: a store whose key file
    is gone is told so, instead of getting a new key that cannot read it.

    `serve_as` (PostgreSQL): once migrated with `url`, the store works on this URL instead, a
    role under row-level security (`tenancy`); one that would bypass it is refused."""
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        raise StoreError(f"{url!r} is not a database URL this bureau can open ({error})") from None
    embedded = sqlite_file(engine.url) if engine.dialect.name == "sqlite" else None
    where = engine.url if embedded is None else (embedded.path or engine.url.database)
    missing = f"no store at {where}: ingest furnishing files first, or check the path"
    if not create and embedded is not None and embedded.path and not embedded.path.exists():
        raise StoreError(missing)  # checked before connecting: connecting makes the file
    # A server's key is asked first (a missing one is said without connecting; it is never
    # made, so `new` does not matter).
    keys = vault(False) if embedded is None else None
    if create and embedded is not None and embedded.path and not embedded.path.exists():
        _create_owner_only(embedded.path)
    try:
        with engine.begin() as conn:
            new_store = not inspect(conn).has_table("alembic_version")
            if new_store and not create:
                raise StoreError(missing.replace("no store", "no creditmend store", 1))
            if keys is None and new_store:
                # Before any table: SQLite's DDL is not rolled back by this driver, so a key
                # refused after the migration would leave a half-made store behind.
                keys = vault(True)
            upgrade(conn)
            stored = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "key_check"))
            check = stored.scalar_one_or_none()
            if keys is None:
                keys = vault(check is None)
            if check is None:
                conn.execute(insert(t.meta).values(key="key_check", value=keys.check_value()))
            elif check != keys.check_value():
                raise VaultKeyError("this is not the key this database was created with")
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        raise StoreError(f"cannot open {engine.url!r}: {reason}") from None
    if serve_as is not None and embedded is None:
        engine = _service_engine(serve_as)
    return Store.on(UnitOfWork(engine, keys))


def _service_engine(url: str) -> Engine:
    """The engine of the API's service role, checked to be under row-level security."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            problems = role_problems(conn)
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        raise StoreError(f"cannot connect as the service role {engine.url!r}: {reason}") from None
    if problems:
        raise StoreError(
            f"the service role {engine.url.username} would bypass row-level security: "
            f"{'; '.join(problems)}"
        )
    return engine


def _create_owner_only(path: Path) -> None:
    """A new SQLite store made as an empty file readable by its owner only (0600) before SQLite
    opens it (an empty file is an empty database): it holds account-level financial data, and
    SQLite gives its journal, write-ahead log and shared-memory files the database's mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return
    except OSError as error:
        raise StoreError(f"cannot create {path}: {error.strerror or error}") from None
