"""Inquiries: who asked about whom, why, with which consent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 21:10:09.433945
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("furnisher_code", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("hard", sa.Boolean(), nullable=False),
        sa.Column("consent_ref", sa.Text(), nullable=True),
        sa.Column("inquired_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["furnisher_code"],
            ["furnishers.code"],
            name=op.f("fk_inquiries_furnisher_code_furnishers"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_inquiries_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiries_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiries_person_id"))

    op.drop_table("inquiries")
