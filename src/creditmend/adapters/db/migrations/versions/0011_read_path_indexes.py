"""Indexes for the earliest day the store knows (`data_starts`, asked by every inquiry and
batch): without them each look scanned every account-month, inquiry and record, so a look cost
more the larger the bureau grew (50 ms at 10,000 persons, seconds at a million).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# (table, column): each index is ix_<table>_<column>, as `tables.py` names `index=True`.
DATED = (
    ("account_months", "period"),
    ("inquiries", "inquired_on"),
    ("public_records", "filed_on"),
    ("blacklist_entries", "listed_on"),
)


def upgrade() -> None:
    for table, column in DATED:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(DATED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
