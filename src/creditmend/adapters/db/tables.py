"""The store's tables. Money is integer fen; every furnished fact keeps its provenance.

Core tables (not ORM classes): the domain keeps its own frozen records, and the store only maps
them to rows, so persistence never leaks into the domain (Fineract's JPA entities did).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import true as sql_true

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

furnishers = Table(
    "furnishers",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # bank | non_bank
    Column("subtype", String(32), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_hash", String(64), nullable=False, unique=True),  # keyed hash of type + number
    Column("id_type", String(16), nullable=False),
    Column("id_cipher", LargeBinary, nullable=False),  # the number, encrypted
    Column("name_cipher", LargeBinary, nullable=False),
    # False while the person is known only from an inquiry (no name yet); the first furnishing
    # with a name fills it in.
    Column("name_known", Boolean, nullable=False, server_default=sql_true()),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

ingestions = Table(
    "ingestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("applied", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("corrected", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("furnisher_code", String(64), ForeignKey("furnishers.code"), nullable=False),
    Column("account_id", String(128), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("account_type", String(32), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("principal_fen", BigInteger, nullable=True),
    Column("credit_limit_fen", BigInteger, nullable=True),
    Column("term_months", Integer, nullable=True),
    UniqueConstraint("furnisher_code", "account_id"),
)

_MONTH_COLUMNS = (
    ("scheduled_fen", BigInteger),
    ("paid_fen", BigInteger),
    ("balance_fen", BigInteger),
    ("past_due_fen", BigInteger),
    ("days_past_due", Integer),
)


def _month_columns() -> list[Column[object]]:
    columns: list[Column[object]] = [
        Column(name, kind, nullable=False) for name, kind in _MONTH_COLUMNS
    ]
    columns += [
        Column("status", String(16), nullable=False),
        Column("closed_on", Date, nullable=True),
        Column("last_payment_on", Date, nullable=True),
        Column("first_delinquency_on", Date, nullable=True),
        Column("negative_notice_on", Date, nullable=True),
        Column("remarks", Text, nullable=False),  # codes joined by ";"
        Column("ingestion_id", Integer, ForeignKey("ingestions.id"), nullable=False),
        Column("line", Integer, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    ]
    return columns


account_months = Table(
    "account_months",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_pk", Integer, ForeignKey("accounts.id"), nullable=False),
    # first day of the month reported; indexed for the store's earliest day (0011)
    Column("period", Date, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    *_month_columns(),
    UniqueConstraint("account_pk", "period"),
)

# Every version a correction replaced, as it was.
account_month_history = Table(
    "account_month_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_pk", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("period", Date, nullable=False),
    Column("version", Integer, nullable=False),
    *_month_columns(),
    Column("superseded_at", DateTime(timezone=True), nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject_person_id", Integer, ForeignKey("persons.id"), nullable=True, index=True),
    Column("reason", Text, nullable=True),
    Column("consent_ref", Text, nullable=True),
    Column("detail", Text, nullable=False),  # JSON
    # A refused look: why (NULL: the look was given), and its subject by the keyed hash of the
    # identity (persons.id_hash), since a refusal makes no person row for someone unknown.
    Column("refused", Text, nullable=True),
    Column("subject_id_hash", String(64), nullable=True, index=True),
)

inquiries = Table(
    "inquiries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("furnisher_code", String(64), ForeignKey("furnishers.code"), nullable=True),
    Column("purpose", String(32), nullable=False),
    Column("hard", Boolean, nullable=False),
    Column("consent_ref", Text, nullable=True),
    Column("inquired_on", Date, nullable=False, index=True),  # the business date (as-of)
    Column("at", DateTime(timezone=True), nullable=False),
    # False: the subject read their own file for a plan or a what-if, no report was given
    # (NULL: logged before this was kept, read as a report).
    Column("gives_report", Boolean, nullable=True),
    # Asked through the API (0009): the client that asked (its daily quota counts these) and
    # the consent's term; NULL for a look from the command line.
    Column("client_id", String(64), ForeignKey("api_clients.client_id"), nullable=True),
    Column("consent_signed_on", Date, nullable=True),
    Column("consent_expires_on", Date, nullable=True),
    Index("ix_inquiries_client_id_at", "client_id", "at"),  # a client's inquiries of a day
)

public_records = Table(
    "public_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("court", Text, nullable=False),
    Column("case_number", String(128), nullable=False),
    Column("filed_on", Date, nullable=False, index=True),
    Column("published_on", Date, nullable=True),
    Column("amount_fen", BigInteger, nullable=True),
    Column("status", String(16), nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("source", Text, nullable=False),
    Column("ingestion_id", Integer, ForeignKey("ingestions.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("person_id", "kind", "case_number"),
)

blacklist_entries = Table(
    "blacklist_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("source", String(128), nullable=False),
    Column("category", String(32), nullable=False),
    Column("listed_on", Date, nullable=False, index=True),
    Column("expires_on", Date, nullable=True),
    Column("reason", Text, nullable=False),
    Column("ingestion_id", Integer, ForeignKey("ingestions.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("person_id", "source", "category", "listed_on"),
)

# What each retention run decided for each negative fact, kept run after run (the operator's
# archive). The facts themselves stay where they are; reports decide afresh for their own date.
retention_decisions = Table(
    "retention_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fact_key", String(200), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("shown", Boolean, nullable=False),
    Column("hidden_from", Date, nullable=True),
    Column("visible_until", Date, nullable=True),
    Column("reason", Text, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

# Objections (issue 6): one row per objection with its current state; every step of its life
# is an event, so the row can always be explained by its history.
objections = Table(
    "objections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("record", String(200), nullable=False, index=True),  # the report's record reference
    Column("reason", String(40), nullable=False),
    Column("routed_to", String(64), nullable=False),  # a furnisher code, or "bureau"
    Column("evidence", Text, nullable=False),  # JSON
    Column("filed_on", Date, nullable=False),  # the business date of receipt
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("answered_by", String(64), nullable=True),
    Column("answered_on", Date, nullable=True),
    Column("repeat_of", Integer, ForeignKey("objections.id"), nullable=True),
    Column("lapsed_on", Date, nullable=True),
    Column("proposal", Text, nullable=True),  # JSON: the bureau's automatic evidence check
    Column("corrections", Text, nullable=True),  # JSON: the values applied on `corrected`
    # The reply letter's approval (0013): draft | approved | sent_back once there is an outcome;
    # who reviewed it last, on which business day and when, and a send-back's note.
    Column("letter_status", String(16), nullable=True),
    Column("letter_reviewed_by", String(64), nullable=True),
    Column("letter_reviewed_on", Date, nullable=True),
    Column("letter_reviewed_at", DateTime(timezone=True), nullable=True),
    Column("letter_review_note", Text, nullable=True),
)

objection_events = Table(
    "objection_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("objection_id", Integer, ForeignKey("objections.id"), nullable=False, index=True),
    Column("on", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("note", Text, nullable=False),
)

statements = Table(
    "statements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("objection_id", Integer, ForeignKey("objections.id"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("record", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# API clients (issue 17): a lender's system or the bureau's desk. The secret is kept only as its
# argon2 hash; `scopes` is a comma-separated sorted list (furnish, inquire, respond | desk).
api_clients = Table(
    "api_clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("furnisher_code", String(64), ForeignKey("furnishers.code"), nullable=True, index=True),
    Column("desk_name", Text, nullable=True),
    Column("scopes", Text, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# Access tokens, by the SHA-256 digest of the token (never the token): a token is 256 random
# bits, so a fast hash is enough to make a stolen table useless (see services/clients.py).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column(
        "client_id", String(64), ForeignKey("api_clients.client_id"), nullable=False, index=True
    ),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Furnishing jobs (issue 17): a file a lender sent over the API, applied by the server's worker.
# An idempotency key is the client's own (unique per client); the lease says until when the
# worker that took the job is known to be alive (a lapsed lease: that server stopped).
furnishing_jobs = Table(
    "furnishing_jobs",
    metadata,
    Column("job_id", String(40), primary_key=True),
    Column(
        "client_id", String(64), ForeignKey("api_clients.client_id"), nullable=False, index=True
    ),
    Column("furnisher_code", String(64), ForeignKey("furnishers.code"), nullable=False, index=True),
    Column("idempotency_key", String(255), nullable=True),
    Column("fmt", String(8), nullable=False),  # jsonl | csv
    Column("partial", Boolean, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("owner", String(64), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Column("applied", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("corrected", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("rejects", Text, nullable=True),  # JSON: [{line, field, reason}], the first 1,000
    Column("reason", Text, nullable=True),
    UniqueConstraint("client_id", "idempotency_key"),
)

# The uploaded file until its job has finished (then deleted): in the store, so that a job and
# its body are committed together and any server process of the store can run it.
furnishing_job_bodies = Table(
    "furnishing_job_bodies",
    metadata,
    Column("job_id", String(40), ForeignKey("furnishing_jobs.job_id"), primary_key=True),
    Column("body", LargeBinary, nullable=False),
)

# ---------------------------------------------------------------- the portal (issue 18)
# A portal user: a borrower (found by `login_hash`, the identity's keyed hash, which is the
# `persons.id_hash` of their person; the number itself only encrypted) or a desk user (the keyed
# hash of `desk:NAME`). Secrets: the password as argon2id, the TOTP secret encrypted with the
# store's key; `pending_*` hold a started enrolment until its first TOTP code.
portal_users = Table(
    "portal_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("role", String(16), nullable=False),  # borrower | desk
    Column("login_hash", String(64), nullable=False, unique=True),
    Column("id_type", String(16), nullable=False),  # cn_ric | passport | us_ssn | desk
    Column("id_cipher", LargeBinary, nullable=False),  # the number (or desk name), encrypted
    Column("display_name", Text, nullable=True),  # a desk user's name
    Column("status", String(16), nullable=False),  # invited | active
    Column("password_hash", Text, nullable=True),
    Column("totp_cipher", LargeBinary, nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),  # no TOTP code is accepted twice
    Column("pending_password_hash", Text, nullable=True),
    Column("pending_totp_cipher", LargeBinary, nullable=True),
    # Unused since 0014 (the failed sign-ins are counted in `auth_failures`, `portal:user:ID`,
    # with the token endpoint's): kept so that a downgrade finds them.
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=True),
)

# One-time enrolment codes and recovery codes, by their SHA-256 digest (80 random bits each).
portal_codes = Table(
    "portal_codes",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("portal_users.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # enrolment | recovery
    Column("expires_on", Date, nullable=True),  # an enrolment code's last business date
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

# Server-side sessions, by the SHA-256 digest of the cookie's 256-bit token.
portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("portal_users.id"), nullable=False, index=True),
    Column("stage", String(16), nullable=False),  # enrolling | signed_in
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
)

# Failed authentications counted for the lockout (domain/lockout.py): the portal sign-in's by
# `portal:user:ID`; the token endpoint's by
# `client:CLIENT_ID` (any id a caller sent, known or not: a lock must not tell which exist) and
# by `address:HOST`. One row per key, updated in place; no secret is ever part of a key.
auth_failures = Table(
    "auth_failures",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
)
