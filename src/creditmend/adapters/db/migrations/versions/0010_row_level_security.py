"""Row-level security on PostgreSQL (issue 17): the tables holding a lender's own rows get a
forced policy on the transaction's tenant, and the role the API connects as
(`creditmend_service`: logs in, owns no table, no BYPASSRLS) is granted its rows. The policies
are `adapters/db/tenancy.TENANT_POLICIES`, applied to the tables that exist. Nothing on SQLite.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

from alembic import op

from creditmend.adapters.db.tenancy import SERVICE_ROLE, TENANT_POLICIES, apply_policies

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_policies(op.get_bind())


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for policy in TENANT_POLICIES:
        if conn.exec_driver_sql(
            "SELECT to_regclass(%(name)s) IS NOT NULL", {"name": f"public.{policy.table}"}
        ).scalar_one():
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {policy.table}_tenant ON {policy.table}")
            conn.exec_driver_sql(f"ALTER TABLE {policy.table} NO FORCE ROW LEVEL SECURITY")
            conn.exec_driver_sql(f"ALTER TABLE {policy.table} DISABLE ROW LEVEL SECURITY")
    # The role belongs to the cluster (other stores may use it): only this database's grants go.
    conn.exec_driver_sql(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {SERVICE_ROLE}"
    )
    conn.exec_driver_sql(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {SERVICE_ROLE}"
    )
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {SERVICE_ROLE}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {SERVICE_ROLE}")
    conn.exec_driver_sql(f"REVOKE USAGE ON SCHEMA public FROM {SERVICE_ROLE}")
