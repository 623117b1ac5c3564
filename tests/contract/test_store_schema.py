"""The migrations build exactly the schema `tables.py` declares, on SQLite and PostgreSQL.

The store's code reads and writes through `tables.py`; a database is made by the migrations.
When the two drift apart (a column, an index, a constraint, a type added to one and not the
other), a fresh store works in tests built from the metadata and fails, or silently differs,
on a database made by the migrations. Alembic's autogenerate comparison of the migrated
database with the metadata must therefore find nothing.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from creditmend.adapters.db.migrate import upgrade
from creditmend.adapters.db.tables import metadata


def _differences(db_url: str) -> list[Any]:
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            upgrade(connection)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_the_migrations_build_the_tables_the_code_declares(db_url: str) -> None:
    assert _differences(db_url) == []
