"""The inquiry log: every look at a file is logged, with its audit event, before it is answered."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit, taken_meanwhile
from creditmend.adapters.db.persons import person_id
from creditmend.adapters.db.reading import read_files
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.report.file import CreditFileFacts


def report_id(on: date, inquiry: int) -> str:
    return f"R{on:%Y%m%d}-{inquiry:08d}"


class SqlInquiryLog:
    """The `InquiryLog` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def record_inquiry(
        self, request: InquiryRequest, hard: bool, at: datetime, *, gives_report: bool
    ) -> tuple[str, CreditFileFacts]:
        """Log the inquiry (and its audit event) and read the file, in one transaction; the
        report id names the logged inquiry. A person made meanwhile by another inquiry is a
        `ConcurrentWriteError` (nothing logged; the look can be run again)."""
        vault = self.unit_of_work.vault
        with taken_meanwhile(), self.unit_of_work.transaction() as conn:
            person = person_id(conn, vault, request.id_type, request.id_number, at)
            inquiry = conn.execute(
                insert(t.inquiries)
                .values(
                    person_id=person,
                    furnisher_code=request.by,
                    purpose=request.purpose,
                    hard=hard,
                    consent_ref=request.consent_ref,
                    inquired_on=request.on,
                    at=at,
                    gives_report=gives_report,
                )
                .returning(t.inquiries.c.id)
            ).scalar_one()
            audit(
                conn,
                at,
                request.by or "subject",
                "inquiry",
                subject=person,
                reason=request.purpose,
                consent=request.consent_ref,
                detail={"as_of": request.on.isoformat(), "report": report_id(request.on, inquiry)},
            )
            (facts,) = read_files(
                conn, vault, [person], request.on, masked_id=request.id_number
            ).values()
            return report_id(request.on, inquiry), facts
