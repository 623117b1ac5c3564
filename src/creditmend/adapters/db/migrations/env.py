"""Alembic environment: run with the connection the store hands over (never a URL in an ini)."""

from __future__ import annotations

from alembic import context

from creditmend.adapters.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
