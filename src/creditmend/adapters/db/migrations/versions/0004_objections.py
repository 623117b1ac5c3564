"""Objections with their event history, and personal statements.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 01:19:55.554867
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("record", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("routed_to", sa.String(length=64), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("repeat_of", sa.Integer(), nullable=True),
        sa.Column("lapsed_on", sa.Date(), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("corrections", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_objections_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["repeat_of"], ["objections.id"], name=op.f("fk_objections_repeat_of_objections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objections_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objections_record"), ["record"], unique=False)

    op.create_table(
        "objection_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("objection_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["objections.id"],
            name=op.f("fk_objection_events_objection_id_objections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_events")),
    )
    with op.batch_alter_table("objection_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objection_events_objection_id"), ["objection_id"], unique=False
        )

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("objection_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("record", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"], ["objections.id"], name=op.f("fk_statements_objection_id_objections")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_statements_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statements_objection_id"), ["objection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_statements_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statements_person_id"))
        batch_op.drop_index(batch_op.f("ix_statements_objection_id"))

    op.drop_table("statements")
    with op.batch_alter_table("objection_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_events_objection_id"))

    op.drop_table("objection_events")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_record"))
        batch_op.drop_index(batch_op.f("ix_objections_person_id"))

    op.drop_table("objections")
