"""Reading credit files: one person's for an inquiry or report, every person's for the batch.

Both read the same way (`read_files`): set-based queries for a group of persons, so the batch
reads a store of any size in chunks of persons rather than one person at a time. The domain
decides what is shown; this module only turns rows into `CreditFileFacts`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, from_fen
from creditmend.adapters.db.objections import Deleted, objection_facts
from creditmend.adapters.db.retention import month_row
from creditmend.adapters.db.tenancy import as_bureau
from creditmend.adapters.vault import IdentityVault
from creditmend.domain.creditfile.furnisher import mask_id, mask_name
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import NegativeFact, overdue_episodes
from creditmend.domain.report.file import (
    AccountFacts,
    BlacklistFacts,
    CreditFileFacts,
    FurnisherFacts,
    InquiryFacts,
    PublicRecordFacts,
)
from creditmend.domain.rules.policies import FactKind

BATCH_PERSONS = 500


def _persons() -> Any:
    return bindparam("persons", expanding=True)


# The statements of a file's read, built once: every inquiry reads a file, and building and
# keying a statement anew each time cost more than running it (SQLAlchemy memoises a
# statement's cache key on the statement object, so the same object skips that too).
FURNISHERS = select(t.furnishers)
NAMES = select(t.persons.c.id, t.persons.c.name_cipher).where(t.persons.c.id.in_(_persons()))
ACCOUNTS = (
    select(t.accounts).where(t.accounts.c.person_id.in_(_persons())).order_by(t.accounts.c.id)
)
_m = t.account_months.c
# Only what a file's months are made of (`_account_facts`, `month_row`): not the row's
# provenance (its ingestion, line, time received), which a report does not show.
MONTHS = (
    select(
        _m.account_pk,
        _m.period,
        _m.status,
        _m.days_past_due,
        _m.scheduled_fen,
        _m.paid_fen,
        _m.past_due_fen,
        _m.balance_fen,
        _m.remarks,
        _m.last_payment_on,
        _m.closed_on,
    )
    .where(
        t.account_months.c.account_pk.in_(bindparam("accounts", expanding=True)),
        t.account_months.c.period <= bindparam("as_of"),
    )
    .order_by(t.account_months.c.account_pk, t.account_months.c.period)
)
INQUIRIES = (
    select(t.inquiries)
    .where(t.inquiries.c.person_id.in_(_persons()), t.inquiries.c.inquired_on <= bindparam("as_of"))
    .order_by(t.inquiries.c.id)
)
PUBLIC_RECORDS = (
    select(t.public_records)
    .where(
        t.public_records.c.person_id.in_(_persons()),
        t.public_records.c.filed_on <= bindparam("as_of"),
    )
    .order_by(t.public_records.c.filed_on, t.public_records.c.id)
)
BLACKLIST = (
    select(t.blacklist_entries)
    .where(
        t.blacklist_entries.c.person_id.in_(_persons()),
        t.blacklist_entries.c.listed_on <= bindparam("as_of"),
    )
    .order_by(t.blacklist_entries.c.listed_on, t.blacklist_entries.c.id)
)
DATA_STARTS = select(
    *(
        select(func.min(column)).scalar_subquery()
        for column in (
            t.account_months.c.period,
            t.inquiries.c.inquired_on,
            t.public_records.c.filed_on,
            t.blacklist_entries.c.listed_on,
        )
    )
)
# A stored status as the domain's member, without the enum's call per month.
STATUSES: dict[str, AccountStatus] = {status.value: status for status in AccountStatus}


class SqlCreditFileReader:
    """The `CreditFileReader` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def data_starts(self) -> date | None:
        """The earliest day the store knows anything about (None: the store is empty)."""
        # one statement of four index look-ups (0011 indexes each dated column): every
        # inquiry asks this, so it costs the same however large the store grows
        with self.unit_of_work.reading() as conn, as_bureau(conn):
            days = conn.execute(DATA_STARTS).one()
        return min((day for day in days if day is not None), default=None)

    def iter_files(self, as_of: date) -> Iterator[tuple[int, CreditFileFacts]]:
        """Every person's file, in chunks of `BATCH_PERSONS` persons (for the batch)."""
        with self.unit_of_work.reading() as conn:
            persons = list(conn.execute(select(t.persons.c.id).order_by(t.persons.c.id)).scalars())
            for start in range(0, len(persons), BATCH_PERSONS):
                chunk = persons[start : start + BATCH_PERSONS]
                yield from read_files(conn, self.unit_of_work.vault, chunk, as_of).items()


# ---------------------------------------------------------------- the set-based reads


def read_files(
    conn: Connection,
    vault: IdentityVault,
    persons: Sequence[int],
    as_of: date,
    masked_id: str | None = None,
) -> dict[int, CreditFileFacts]:
    """The files of `persons` as of a day; with `masked_id` (one person's own look), the
    subject's masked identity and name for the report's header. Read as the bureau: a
    consented report shows every lender's accounts and every institution's inquiries, also in
    a lender's transaction (`tenancy`)."""
    with as_bureau(conn):
        return _read_files(conn, vault, persons, as_of, masked_id)


def _read_files(
    conn: Connection,
    vault: IdentityVault,
    persons: Sequence[int],
    as_of: date,
    masked_id: str | None,
) -> dict[int, CreditFileFacts]:
    furnishers = {
        row.code: FurnisherFacts(row.code, row.name, row.kind)
        for row in conn.execute(FURNISHERS).all()
    }
    names: dict[int, str] = {}
    if masked_id is not None:
        for row in conn.execute(NAMES, {"persons": list(persons)}):
            names[row.id] = mask_name(vault.decrypt(row.name_cipher))
    objections, statements, deleted = objection_facts(conn, persons, as_of)
    accounts = _account_facts(conn, persons, as_of, deleted)
    inquiries = _inquiry_facts(conn, persons, as_of, furnishers)
    public, blacklist = _record_facts(conn, persons, as_of)
    # the records' negative facts, from the rows just read (`record_negative_facts`'s, which
    # the retention run reads on its own), before an objection's deletion is taken out below
    records_negative = _record_negative(public, blacklist)
    for person, gone in deleted.items():  # records an objection deleted are not read
        inquiries[person] = [i for i in inquiries.get(person, ()) if i.ref not in gone.refs]
        public[person] = [r for r in public.get(person, ()) if r.ref not in gone.refs]
        blacklist[person] = [b for b in blacklist.get(person, ()) if b.ref not in gone.refs]
    # Overdue episodes come from the months just read; records need a look of their own.
    negative: dict[int, list[NegativeFact]] = {
        person: [
            fact
            for account in accounts.get(person, ())
            for fact in overdue_episodes(account.history, account.key)
        ]
        for person in persons
    }
    for person, fact in records_negative:
        if person not in deleted or fact.key not in deleted[person].refs:
            negative[person].append(fact)
    return {
        person: CreditFileFacts(
            subject_id="" if masked_id is None else mask_id(masked_id),
            subject_name=names.get(person, ""),
            accounts=tuple(accounts.get(person, ())),
            inquiries=tuple(inquiries.get(person, ())),
            public_records=tuple(public.get(person, ())),
            blacklist=tuple(blacklist.get(person, ())),
            negative=tuple(negative.get(person, ())),
            furnishers=furnishers,
            objections=tuple(objections.get(person, ())),
            statements=tuple(statements.get(person, ())),
        )
        for person in persons
    }


def _account_facts(
    conn: Connection,
    persons: Sequence[int],
    as_of: date,
    deleted: dict[int, Deleted],
) -> dict[int, list[AccountFacts]]:
    accounts = [
        row
        for row in conn.execute(ACCOUNTS, {"persons": list(persons)}).all()
        if row.person_id not in deleted or row.id not in deleted[row.person_id].accounts
    ]
    gone = {month for d in deleted.values() for month in d.months}
    months: dict[int, list[Any]] = {row.id: [] for row in accounts}
    if accounts:
        for row in conn.execute(MONTHS, {"accounts": list(months), "as_of": as_of}).all():
            if (row.account_pk, row.period) not in gone:
                months[row.account_pk].append(row)
    result: dict[int, list[AccountFacts]] = {}
    for account in accounts:
        facts: dict[date, MonthFacts] = {}
        balances: dict[date, Decimal] = {}
        history = []
        for row in months[account.id]:  # one pass: a file has hundreds of months
            period = row.period
            facts[period] = MonthFacts(
                STATUSES[row.status],
                row.days_past_due,
                from_fen(row.scheduled_fen),
                from_fen(row.paid_fen),
                from_fen(row.past_due_fen),
                tuple(code for code in row.remarks.split(";") if code),
            )
            balances[period] = from_fen(row.balance_fen)
            history.append(month_row(row))
        result.setdefault(account.person_id, []).append(
            AccountFacts(
                furnisher=account.furnisher_code,
                account_id=account.account_id,
                account_type=account.account_type,
                currency=account.currency,
                opened_on=account.opened_on,
                principal=_amount(account.principal_fen),
                credit_limit=_amount(account.credit_limit_fen),
                months=facts,
                balances=balances,
                key=f"account:{account.id}",
                history=tuple(history),
                term_months=account.term_months,
            )
        )
    return result


def _inquiry_facts(
    conn: Connection,
    persons: Sequence[int],
    as_of: date,
    furnishers: dict[str, FurnisherFacts],
) -> dict[int, list[InquiryFacts]]:
    rows = conn.execute(INQUIRIES, {"persons": list(persons), "as_of": as_of}).all()
    result: dict[int, list[InquiryFacts]] = {}
    for row in rows:
        by = row.furnisher_code
        result.setdefault(row.person_id, []).append(
            InquiryFacts(
                row.inquired_on,
                by,
                row.purpose,
                bool(row.hard),
                f"inquiry:{row.id}",
                furnishers[by].kind if by in furnishers else None,
                row.gives_report is not False,
                row.consent_ref,
                row.consent_signed_on,
                row.consent_expires_on,
                row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
            )
        )
    return result


def _record_facts(
    conn: Connection, persons: Sequence[int], as_of: date
) -> tuple[dict[int, list[PublicRecordFacts]], dict[int, list[BlacklistFacts]]]:
    public: dict[int, list[PublicRecordFacts]] = {}
    for row in conn.execute(PUBLIC_RECORDS, {"persons": list(persons), "as_of": as_of}).all():
        public.setdefault(row.person_id, []).append(
            PublicRecordFacts(
                f"public_record:{row.id}",
                row.kind,
                row.court,
                row.case_number,
                row.filed_on,
                _amount(row.amount_fen),
                row.status,
                row.ended_on,
            )
        )
    blacklist: dict[int, list[BlacklistFacts]] = {}
    for row in conn.execute(BLACKLIST, {"persons": list(persons), "as_of": as_of}).all():
        blacklist.setdefault(row.person_id, []).append(
            BlacklistFacts(
                f"blacklist:{row.id}",
                row.source,
                row.category,
                row.listed_on,
                row.expires_on,
                row.reason,
            )
        )
    return public, blacklist


def _record_negative(
    public: dict[int, list[PublicRecordFacts]], blacklist: dict[int, list[BlacklistFacts]]
) -> list[tuple[int, NegativeFact]]:
    """What `record_negative_facts` reads for the same persons and day (a court's revoked
    listing is no negative information), made from the records already read. Their order
    differs (by date here); the domain decides each fact on its own and sorts what it shows."""
    facts: list[tuple[int, NegativeFact]] = []
    for person, records in public.items():
        for r in records:
            if r.status != "revoked":
                fact = NegativeFact(FactKind.PUBLIC_RECORD, r.ref, r.filed_on, r.ended_on, r.amount)
                facts.append((person, fact))
    for person, entries in blacklist.items():
        for b in entries:
            fact = NegativeFact(
                FactKind.BLACKLIST, b.ref, b.listed_on, None, expires_on=b.expires_on
            )
            facts.append((person, fact))
    return facts


def _amount(fen: int | None) -> Decimal | None:
    return None if fen is None else from_fen(fen)
