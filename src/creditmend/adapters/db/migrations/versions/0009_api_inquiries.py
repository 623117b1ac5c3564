"""Inquiries asked through the API (issue 17): the client that asked (a lender's daily quota
counts its client's inquiries) and the consent's term (signed on, expires on).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("consent_signed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("consent_expires_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_inquiries_client_id_at", ["client_id", "at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_inquiries_client_id_api_clients"),
            "api_clients",
            ["client_id"],
            ["client_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_inquiries_client_id_api_clients"), type_="foreignkey"
        )
        batch_op.drop_index("ix_inquiries_client_id_at")
        batch_op.drop_column("consent_expires_on")
        batch_op.drop_column("consent_signed_on")
        batch_op.drop_column("client_id")
