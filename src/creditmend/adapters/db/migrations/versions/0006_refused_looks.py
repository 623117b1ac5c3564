"""Refused looks in the audit trail: an inquiry refused (no consent, a furnisher not registered)
or a self-report refused is an audit event with why it was refused, its subject kept by the
keyed hash of the identity (a refusal makes no person). Events logged before read as looks given.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refused", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("subject_id_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_audit_events_subject_id_hash"), ["subject_id_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_subject_id_hash"))
        batch_op.drop_column("subject_id_hash")
        batch_op.drop_column("refused")
