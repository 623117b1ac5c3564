"""Whether a look at a credit file gave a report: a self-report counts against the free ones a
year (Order 631 Art. 17), the subject's own reading of the file for a plan or a what-if does not.
Looks logged before this column read as reports (NULL).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inquiries", sa.Column("gives_report", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("inquiries", "gives_report")
