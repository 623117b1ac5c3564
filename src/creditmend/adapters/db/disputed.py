"""The records an objection disputes, as stored: whether the record is the subject's and known
on the filing day, and its stored values for corrected ones to be checked against."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date
from typing import Any

from sqlalchemy import select

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, from_fen
from creditmend.adapters.db.objections import account_of
from creditmend.domain.creditfile.evidence import due_day_of
from creditmend.domain.creditfile.furnishing import (
    AccountStatus,
    AccountType,
    FurnishedRecord,
    IdType,
)
from creditmend.domain.creditfile.objection import Disputed, RecordKind, RecordRef
from creditmend.domain.creditfile.records import (
    BlacklistCategory,
    BlacklistEntry,
    PublicRecord,
    PublicRecordKind,
    PublicRecordStatus,
)


class SqlDisputedRecords:
    """The `DisputedRecords` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def target(self, person: int, ref: RecordRef, as_of: date) -> Disputed | None:
        """The record if it is this person's and known on `as_of` (None otherwise)."""
        with self.unit_of_work.reading() as conn:
            if ref.kind is RecordKind.INQUIRY:
                row = conn.execute(
                    select(t.inquiries).where(
                        t.inquiries.c.id == ref.number,
                        t.inquiries.c.person_id == person,
                        t.inquiries.c.inquired_on <= as_of,
                    )
                ).one_or_none()
                if row is None:
                    return None
                return Disputed(
                    row.furnisher_code,
                    row.consent_ref,
                    consent_signed_on=row.consent_signed_on,
                    consent_expires_on=row.consent_expires_on,
                    looked_at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
                )
            if ref.kind in (RecordKind.PUBLIC_RECORD, RecordKind.BLACKLIST):
                table = (
                    t.public_records
                    if ref.kind is RecordKind.PUBLIC_RECORD
                    else t.blacklist_entries
                )
                row = conn.execute(
                    select(table.c.id).where(table.c.id == ref.number, table.c.person_id == person)
                ).one_or_none()
                return None if row is None else Disputed()
            account = account_of(conn, person, ref)
            if account is None:
                return None
            months = conn.execute(
                select(t.account_months)
                .where(
                    t.account_months.c.account_pk == account.id, t.account_months.c.period <= as_of
                )
                .order_by(t.account_months.c.period)
            ).all()
            if ref.period is not None:
                months = [row for row in months if row.period == ref.period]
            if not months:  # nothing furnished yet on `as_of`: nothing to object to
                return None
            return Disputed(
                due_days=tuple(
                    due_day_of(
                        row.period,
                        from_fen(row.scheduled_fen),
                        from_fen(row.past_due_fen),
                        row.first_delinquency_on,
                        [code for code in row.remarks.split(";") if code],
                    )
                    for row in months
                    if row.days_past_due > 0
                )
            )

    def stored_months(
        self, person: int, ref: RecordRef, periods: Iterable[date]
    ) -> dict[date, FurnishedRecord]:
        """The account's stored months as furnished records (identity left out: it is not
        corrected here), for the corrected values to be checked against."""
        with self.unit_of_work.reading() as conn:
            account = account_of(conn, person, ref)
            if account is None:
                return {}
            id_type = conn.execute(
                select(t.persons.c.id_type).where(t.persons.c.id == person)
            ).scalar_one()
            rows = conn.execute(
                select(t.account_months).where(
                    t.account_months.c.account_pk == account.id,
                    t.account_months.c.period.in_(list(periods)),
                )
            ).all()
        return {row.period: _furnished(account, row, id_type) for row in rows}

    def stored_record(self, person: int, ref: RecordRef) -> PublicRecord | BlacklistEntry | None:
        """A public record or blacklist entry as stored (identity left out), for corrected
        values to be checked against and shown old -> new."""
        with self.unit_of_work.reading() as conn:
            if ref.kind is RecordKind.PUBLIC_RECORD:
                row = conn.execute(
                    select(t.public_records).where(
                        t.public_records.c.id == ref.number, t.public_records.c.person_id == person
                    )
                ).one_or_none()
                if row is None:
                    return None
                return PublicRecord(
                    PublicRecordKind(row.kind), IdType.CN_RIC, "", "", row.court,
                    row.case_number, row.filed_on, row.published_on,
                    None if row.amount_fen is None else from_fen(row.amount_fen),
                    PublicRecordStatus(row.status), row.ended_on, row.source, row.line,
                )  # fmt: skip
            entries = t.blacklist_entries
            row = conn.execute(
                select(entries).where(entries.c.id == ref.number, entries.c.person_id == person)
            ).one_or_none()
            if row is None:
                return None
            return BlacklistEntry(
                row.source, BlacklistCategory(row.category), IdType.CN_RIC, "", "",
                row.listed_on, row.expires_on, row.reason, row.line,
            )  # fmt: skip


def _furnished(account: Any, row: Any, id_type: str) -> FurnishedRecord:
    return FurnishedRecord(
        furnisher_id=account.furnisher_code,
        account_id=account.account_id,
        period=row.period,
        id_type=IdType(id_type),
        id_number="",
        name="",
        account_type=AccountType(account.account_type),
        currency=account.currency,
        opened_on=account.opened_on,
        principal=None if account.principal_fen is None else from_fen(account.principal_fen),
        credit_limit=None
        if account.credit_limit_fen is None
        else from_fen(account.credit_limit_fen),
        term_months=account.term_months,
        scheduled_amount=from_fen(row.scheduled_fen),
        paid_amount=from_fen(row.paid_fen),
        balance=from_fen(row.balance_fen),
        past_due_amount=from_fen(row.past_due_fen),
        days_past_due=row.days_past_due,
        status=AccountStatus(row.status),
        closed_on=row.closed_on,
        last_payment_on=row.last_payment_on,
        first_delinquency_on=row.first_delinquency_on,
        negative_notice_on=row.negative_notice_on,
        remarks=tuple(code for code in row.remarks.split(";") if code),
        line=row.line,
    )
