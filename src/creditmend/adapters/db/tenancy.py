"""Row-level security on PostgreSQL: the second line of a lender's isolation (issue 17).

The first line is the application's: every lookup by id is filtered by the caller's furnisher
code (docs/api.md). On PostgreSQL the database keeps a second one: the tables that hold a
lender's own rows have a forced policy (`TENANT_POLICIES`) letting a transaction see and write
only the rows of the tenant it was opened for, and the API's requests run as a role that owns no
table and cannot bypass the policies (`SERVICE_ROLE`). A bug in an endpoint that forgets its
filter then finds nothing instead of another lender's rows.

The tenant is a transaction-local setting (`set_config('creditmend.tenant', ..., true)`), set
when a transaction begins from this thread's or task's `current_tenant` (never a plain `SET`:
pooled connections would carry it to the next request). Unset, it is the bureau (`BUREAU`): the
bureau's own processes (the command line, the batch, retention, the API's token endpoint and
its background jobs) see everything. `acting_for(code)` sets it for a block; the API sets it
from the caller's token for the rest of each request.

Reading a whole credit file for a consented report is the bureau's act on the lender's behalf
(the report shows every lender's accounts and every institution's inquiries), so `read_files`
reads `as_bureau`; what the lender may not do, listing or changing another lender's rows, the
policies refuse.

SQLite has no row-level security: there the application's checks are the only line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

BUREAU = "*bureau*"  # the tenant that sees every row: not a furnisher code (codes have no '*')
SETTING = "creditmend.tenant"
SERVICE_ROLE = "creditmend_service"
TENANT = f"current_setting('{SETTING}', true)"

current_tenant: ContextVar[str | None] = ContextVar("creditmend_tenant", default=None)


@dataclass(frozen=True, slots=True)
class TenantPolicy:
    """A table holding lenders' rows and the SQL condition saying a row is `TENANT`'s own."""

    table: str
    owned: str


# One line per table that holds a lender's own rows. A row reached through another table (a
# month through its account) is owned when its parent is visible, as the parent's policy says.
TENANT_POLICIES: tuple[TenantPolicy, ...] = (
    TenantPolicy("accounts", f"furnisher_code = {TENANT}"),
    TenantPolicy("account_months", "account_pk IN (SELECT id FROM accounts)"),
    TenantPolicy("account_month_history", "account_pk IN (SELECT id FROM accounts)"),
    TenantPolicy("inquiries", f"furnisher_code = {TENANT}"),
    TenantPolicy("objections", f"routed_to = {TENANT}"),
    TenantPolicy("objection_events", "objection_id IN (SELECT id FROM objections)"),
    TenantPolicy("statements", "objection_id IN (SELECT id FROM objections)"),
    TenantPolicy("api_clients", f"furnisher_code = {TENANT}"),
    TenantPolicy("api_tokens", "client_id IN (SELECT client_id FROM api_clients)"),
    TenantPolicy("furnishing_jobs", f"furnisher_code = {TENANT}"),
    TenantPolicy("furnishing_job_bodies", "job_id IN (SELECT job_id FROM furnishing_jobs)"),
)

# Columns that name a lender: a table with one must be in TENANT_POLICIES (tests check it).
FURNISHER_COLUMNS = frozenset({"furnisher_code", "furnisher_id", "furnisher", "routed_to"})


def policy_statements(policy: TenantPolicy) -> list[str]:
    """The statements that put `policy` on its table, idempotently (a later migration adding a
    table runs `apply_policies`, which redoes the ones already there)."""
    name = f"{policy.table}_tenant"
    condition = f"({TENANT} = '{BUREAU}' OR {policy.owned})"
    return [
        f"ALTER TABLE {policy.table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {policy.table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {name} ON {policy.table}",
        f"CREATE POLICY {name} ON {policy.table} USING {condition} WITH CHECK {condition}",
    ]


def grant_statements(role: str = SERVICE_ROLE) -> list[str]:
    """The service role: it logs in, owns nothing, cannot bypass row-level security, and may
    read and write every table's rows (the policies say which). Roles belong to the cluster,
    not the database: made once, raced safely by two databases migrating at once."""
    return [
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$""",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # Tables later migrations make (run by the same owner) are granted as they are made.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]


def apply_policies(conn: Connection) -> None:
    """Every policy of `TENANT_POLICIES` whose table exists, and the service role's grants
    (PostgreSQL only; SQLite has no row-level security)."""
    if conn.dialect.name != "postgresql":
        return
    for statement in grant_statements():
        conn.exec_driver_sql(statement)
    for policy in TENANT_POLICIES:
        exists = conn.exec_driver_sql(
            "SELECT to_regclass(%(name)s) IS NOT NULL", {"name": f"public.{policy.table}"}
        ).scalar_one()
        if exists:
            for statement in policy_statements(policy):
                conn.exec_driver_sql(statement)


@contextmanager
def acting_for(tenant: str | None) -> Iterator[None]:
    """The transactions begun in this block act for `tenant` (a furnisher code; `BUREAU` or
    None: the bureau)."""
    token = current_tenant.set(tenant)
    try:
        yield
    finally:
        current_tenant.reset(token)


def tenant_now() -> str:
    """The tenant a transaction begun now acts for ("" for none: it sees no lender's rows)."""
    tenant = current_tenant.get()
    return BUREAU if tenant is None else tenant


def _set_tenant(conn: Connection) -> None:
    """At the start of each transaction, on the driver's connection (inside the transaction it
    begins), so that the setting ends with the transaction."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute("SELECT set_config(%s, %s, true)", (SETTING, tenant_now()))
    finally:
        cursor.close()


def follow_tenant(engine: Engine) -> None:
    """Every transaction on `engine` begins acting for `current_tenant` (PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _set_tenant)


@contextmanager
def as_bureau(conn: Connection) -> Iterator[None]:
    """The bureau's reads inside a lender's transaction (a consented report), then the lender
    again. Nothing on SQLite."""
    if conn.dialect.name != "postgresql":
        yield
        return
    # the tenant before, and the bureau's set, in one round trip: the subquery (OFFSET 0 keeps
    # it one, not merged into the outer query) reads the setting before the outer query sets it
    before: Any = conn.exec_driver_sql(
        f"SELECT b.tenant, set_config(%(s)s, %(t)s, true) FROM (SELECT {TENANT} AS tenant "
        "OFFSET 0) AS b",
        {"s": SETTING, "t": BUREAU},
    ).one()[0]
    try:
        yield
    finally:
        conn.exec_driver_sql(
            "SELECT set_config(%(s)s, %(t)s, true)", {"s": SETTING, "t": before or ""}
        )


def role_problems(conn: Connection) -> list[str]:
    """Why the connected role is not fit to serve the API behind row-level security: a
    superuser or a role with BYPASSRLS skips the policies, a table's owner may drop them."""
    role = conn.exec_driver_sql("SELECT current_user").scalar_one()
    found = conn.exec_driver_sql(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).one()
    owned = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
    ).scalar_one()
    problems = []
    if found.rolsuper:
        problems.append(f"{role} is a superuser")
    if found.rolbypassrls:
        problems.append(f"{role} has BYPASSRLS")
    if owned:
        problems.append(f"{role} owns {owned} tables")
    return problems
