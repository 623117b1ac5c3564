"""Failed authentications counted for the lockout (domain/lockout.py), one row per key, shared
by every worker: the API's token endpoint's per client id tried and per address (issue 17,
docs/api.md "Lockout"), and the portal's sign-in per user (`portal:user:ID`), which kept its
count in `portal_users.failed` and `locked_until` until now: those counts move here (the two
columns stay, no longer written or read, so that a downgrade finds them).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_failures")),
    )
    op.execute(
        "INSERT INTO auth_failures (key, failures, last_failure_at, locked_until) "
        "SELECT 'portal:user:' || CAST(id AS VARCHAR(20)), failed, "
        "COALESCE(locked_until, enrolled_at, created_at), locked_until "
        "FROM portal_users WHERE failed > 0"
    )


def downgrade() -> None:
    op.drop_table("auth_failures")
