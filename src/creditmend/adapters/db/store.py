"""The bureau store on SQLAlchemy: SQLite embedded by default, PostgreSQL for servers.

A furnishing file is applied in one transaction: every row of it, or none (a crash mid-file
rolls back). Rows go in chunks with set-based look-ups and `executemany`, so a million records is
a matter of seconds, not of a million round trips.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import ApplyCounts, StoreError, make_engine
from creditmend.adapters.db.furnishing import FurnishingStore
from creditmend.adapters.db.migrate import upgrade
from creditmend.adapters.db.reading import FileReader
from creditmend.adapters.vault import IdentityVault, VaultKeyError

__all__ = ["ApplyCounts", "SqlStore", "StoreError", "make_engine"]


class SqlStore(FurnishingStore, FileReader):
    @classmethod
    def open(cls, url: str, vault: IdentityVault) -> SqlStore:
        """Connect, migrate to the newest schema, and check that the key is this store's key."""
        try:
            engine = make_engine(url)
        except (ArgumentError, NoSuchModuleError, ImportError) as error:
            raise StoreError(
                f"{url!r} is not a database URL this bureau can open ({error})"
            ) from None
        try:
            with engine.begin() as conn:
                upgrade(conn)
                stored = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "key_check"))
                check = stored.scalar_one_or_none()
                if check is None:
                    conn.execute(insert(t.meta).values(key="key_check", value=vault.check_value()))
                elif check != vault.check_value():
                    raise VaultKeyError("this is not the key this database was created with")
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0]
            raise StoreError(f"cannot open {engine.url!r}: {reason}") from None
        return cls(engine, vault)
