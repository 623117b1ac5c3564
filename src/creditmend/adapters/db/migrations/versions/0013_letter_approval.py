"""The reply letter's approval by the desk (issue 18): an objection's letter is drafted with its
outcome and sent only once the desk approves it, or sent back with a note. Five columns on
`objections` (its row-level security policy already covers them: the policy is on rows, not
columns). Letters written before this step were sent as they were written: they are recorded as
approved, by no one named, on the day they were written.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("letter_reviewed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("letter_reviewed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("letter_reviewed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("letter_review_note", sa.Text(), nullable=True))
    op.execute(
        "UPDATE objections SET letter_status = 'approved', letter_reviewed_on = answered_on "
        "WHERE outcome IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_column("letter_review_note")
        batch_op.drop_column("letter_reviewed_at")
        batch_op.drop_column("letter_reviewed_on")
        batch_op.drop_column("letter_reviewed_by")
        batch_op.drop_column("letter_status")
