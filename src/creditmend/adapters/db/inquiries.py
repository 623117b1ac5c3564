"""The inquiry log: every look at a file is logged, with its audit event, before it is answered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit, taken_meanwhile
from creditmend.adapters.db.persons import person_id
from creditmend.adapters.db.reading import read_files
from creditmend.domain.creditfile.furnisher import mask_id
from creditmend.domain.creditfile.inquiry import (
    DailyQuota,
    InquiryEntry,
    InquiryRequest,
    QuotaExceededError,
)
from creditmend.domain.report.file import CreditFileFacts

# Built once (every inquiry runs them): see `reading.py`.
LOG_INQUIRY = insert(t.inquiries).returning(t.inquiries.c.id)
CLIENT_INQUIRIES_SINCE = select(func.count()).where(
    t.inquiries.c.client_id == bindparam("client_id"), t.inquiries.c.at >= bindparam("since")
)
# The client's row locked for the rest of the inquiry's transaction (PostgreSQL: `FOR NO KEY
# UPDATE`, which the foreign keys' `KEY SHARE` locks of its tokens and inquiries do not wait
# on; SQLite has no row locks and needs none: its transaction holds the one writer from BEGIN
# IMMEDIATE): the quota's count and the inquiry's row are then one step per client.
LOCK_CLIENT = (
    select(t.api_clients.c.client_id)
    .where(t.api_clients.c.client_id == bindparam("client_id"))
    .with_for_update(key_share=True)
)


def report_id(on: date, inquiry: int) -> str:
    return f"R{on:%Y%m%d}-{inquiry:08d}"


def api_detail(request: InquiryRequest) -> dict[str, Any]:
    """What an audit event of a look asked through the API adds: the client, the request's id
    and the consent's term (nothing for a look from the command line)."""
    if request.client_id is None:
        return {}
    signed, expires = request.consent_signed_on, request.consent_expires_on
    return {
        "client": request.client_id,
        "scope": "inquire",
        "request_id": request.request_id,
        "consent_signed_on": None if signed is None else signed.isoformat(),
        "consent_expires_on": None if expires is None else expires.isoformat(),
    }


class SqlInquiryLog:
    """The `InquiryLog` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def record_inquiry(
        self,
        request: InquiryRequest,
        hard: bool,
        at: datetime,
        *,
        gives_report: bool,
        quota: DailyQuota | None = None,
    ) -> tuple[str, CreditFileFacts]:
        """Log the inquiry (and its audit event), then read the file, which shows the inquiry
        just logged; the report id names it. The log is its own short transaction and the file
        is read after it commits: SQLite's one writer is held for the two rows, not for the
        whole read (a read that fails after leaves the look logged, as a look it was). A person
        made meanwhile by another inquiry is a `ConcurrentWriteError` (nothing logged; the look
        can be run again). With `quota`, the client's row is locked, its inquiries of the day
        counted and one past the limit refused (`QuotaExceededError`, nothing logged), all in
        this transaction: two inquiries at once cannot both take the last place."""
        vault = self.unit_of_work.vault
        with taken_meanwhile(), self.unit_of_work.transaction() as conn:
            if quota is not None and request.client_id is not None:
                _take_quota(conn, request.client_id, quota)
            person = person_id(conn, vault, request.id_type, request.id_number, at)
            inquiry = conn.execute(
                LOG_INQUIRY,
                {
                    "person_id": person,
                    "furnisher_code": request.by,
                    "purpose": request.purpose,
                    "hard": hard,
                    "consent_ref": request.consent_ref,
                    "inquired_on": request.on,
                    "at": at,
                    "gives_report": gives_report,
                    "client_id": request.client_id,
                    "consent_signed_on": request.consent_signed_on,
                    "consent_expires_on": request.consent_expires_on,
                },
            ).scalar_one()
            audit(
                conn,
                at,
                request.by or "subject",
                "inquiry",
                subject=person,
                reason=request.purpose,
                consent=request.consent_ref,
                detail={
                    "as_of": request.on.isoformat(),
                    "report": report_id(request.on, inquiry),
                    **api_detail(request),
                },
            )
        with self.unit_of_work.reading() as conn:
            (facts,) = read_files(
                conn, vault, [person], request.on, masked_id=request.id_number
            ).values()
        return report_id(request.on, inquiry), facts

    def inquiries_by(
        self, furnisher: str, *, limit: int, before: int | None = None
    ) -> list[InquiryEntry]:
        """The furnisher's inquiries, newest first; the subject's number decrypted only to be
        masked."""
        i, p = t.inquiries, t.persons
        query = (
            select(i, p.c.id_type, p.c.id_cipher)
            .join(p, p.c.id == i.c.person_id)
            .where(i.c.furnisher_code == furnisher)
            .order_by(i.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(i.c.id < before)
        vault = self.unit_of_work.vault
        with self.unit_of_work.reading() as conn:
            rows = conn.execute(query).all()
        return [
            InquiryEntry(
                report_id=report_id(row.inquired_on, row.id),
                number=row.id,
                id_type=row.id_type,
                subject=mask_id(vault.decrypt(row.id_cipher)),
                purpose=row.purpose,
                hard=row.hard,
                consent_ref=row.consent_ref,
                consent_signed_on=row.consent_signed_on,
                consent_expires_on=row.consent_expires_on,
                as_of=row.inquired_on,
                at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
                client_id=row.client_id,
            )
            for row in rows
        ]


def _made_since(conn: Connection, client_id: str, since: datetime) -> int:
    params = {"client_id": client_id, "since": since.astimezone(UTC)}
    return int(conn.execute(CLIENT_INQUIRIES_SINCE, params).scalar_one())


def _take_quota(conn: Connection, client_id: str, quota: DailyQuota) -> None:
    """In the inquiry's transaction, before its row: the client's row locked (the next
    inquiry of the same client waits here until this one commits or rolls back), then its
    inquiries of the day counted; the one past the limit is refused."""
    conn.execute(LOCK_CLIENT, {"client_id": client_id})
    if _made_since(conn, client_id, quota.since) >= quota.limit:
        raise QuotaExceededError(quota)
