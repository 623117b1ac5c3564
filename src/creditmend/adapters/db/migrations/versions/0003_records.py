"""Public records, blacklist entries, the retention archive; persons know whether their name is.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 21:34:32.351035
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blacklist_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ingestion_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ingestion_id"],
            ["ingestions.id"],
            name=op.f("fk_blacklist_entries_ingestion_id_ingestions"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_blacklist_entries_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_entries")),
        sa.UniqueConstraint(
            "person_id",
            "source",
            "category",
            "listed_on",
            name=op.f("uq_blacklist_entries_person_id"),
        ),
    )
    with op.batch_alter_table("blacklist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blacklist_entries_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "public_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("court", sa.Text(), nullable=False),
        sa.Column("case_number", sa.String(length=128), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("ingestion_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ingestion_id"],
            ["ingestions.id"],
            name=op.f("fk_public_records_ingestion_id_ingestions"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_public_records_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_records")),
        sa.UniqueConstraint(
            "person_id", "kind", "case_number", name=op.f("uq_public_records_person_id")
        ),
    )
    with op.batch_alter_table("public_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_records_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "retention_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fact_key", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("hidden_from", sa.Date(), nullable=True),
        sa.Column("visible_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_retention_decisions_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_decisions")),
    )
    with op.batch_alter_table("retention_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_decisions_fact_key"), ["fact_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_retention_decisions_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_known", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("name_known")

    with op.batch_alter_table("retention_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_decisions_person_id"))
        batch_op.drop_index(batch_op.f("ix_retention_decisions_fact_key"))

    op.drop_table("retention_decisions")
    with op.batch_alter_table("public_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_records_person_id"))

    op.drop_table("public_records")
    with op.batch_alter_table("blacklist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blacklist_entries_person_id"))

    op.drop_table("blacklist_entries")
