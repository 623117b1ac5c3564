"""Furnishing jobs (issue 17): a file a lender sent over the API, waiting for or applied by the
server's worker, and its body until the job has finished.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "furnishing_jobs",
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("furnisher_code", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("fmt", sa.String(length=8), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("corrected", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("rejects", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_clients.client_id"],
            name=op.f("fk_furnishing_jobs_client_id_api_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["furnisher_code"],
            ["furnishers.code"],
            name=op.f("fk_furnishing_jobs_furnisher_code_furnishers"),
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_furnishing_jobs")),
        sa.UniqueConstraint(
            "client_id", "idempotency_key", name=op.f("uq_furnishing_jobs_client_id")
        ),
    )
    with op.batch_alter_table("furnishing_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_furnishing_jobs_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_furnishing_jobs_furnisher_code"), ["furnisher_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_furnishing_jobs_status"), ["status"], unique=False)
    op.create_table(
        "furnishing_job_bodies",
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["furnishing_jobs.job_id"],
            name=op.f("fk_furnishing_job_bodies_job_id_furnishing_jobs"),
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_furnishing_job_bodies")),
    )


def downgrade() -> None:
    op.drop_table("furnishing_job_bodies")
    with op.batch_alter_table("furnishing_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_furnishing_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_furnishing_jobs_furnisher_code"))
        batch_op.drop_index(batch_op.f("ix_furnishing_jobs_client_id"))
    op.drop_table("furnishing_jobs")
