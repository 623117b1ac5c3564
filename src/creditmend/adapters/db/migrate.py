"""Schema migrations through Alembic, run on the store's own connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection) -> None:
    """Bring the schema to the newest revision (a no-op when it is there already)."""
    command.upgrade(alembic_config(connection), "head")


def schema_behind(connection: Connection) -> str | None:
    """None when the schema is at the newest revision; else what it is at (for `/readyz`)."""
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
    current = MigrationContext.configure(connection).get_current_revision()
    return None if current == head else f"schema at {current}, newest is {head}"
