"""The audit trail read back: who looked at a person's file; and the batch's run, logged."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit
from creditmend.adapters.db.persons import find_person
from creditmend.domain.report.file import LookFacts


class SqlAuditLog:
    """The `AuditLog` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def who_looked(self, id_type: str, id_number: str, at: datetime) -> list[LookFacts]:
        """Every logged look at (or change of) a person's file, oldest first: the subject's
        right to know. Reading the log is itself logged, after the list is taken."""
        with self.unit_of_work.transaction() as conn:
            person = find_person(conn, self.unit_of_work.vault, id_type, id_number)
            if person is None:
                return []
            rows = conn.execute(
                select(t.audit_events)
                .where(t.audit_events.c.subject_person_id == person)
                .order_by(t.audit_events.c.id)
            )
            looks = [
                LookFacts(row.at, row.actor, row.action, row.reason, row.consent_ref)
                for row in rows
            ]
            audit(conn, at, "subject", "audit_view", subject=person)
            return looks

    def log_batch(self, as_of: date, at: datetime, detail: dict[str, object]) -> None:
        """A batch reads every file: the operator's run is audited like any other look."""
        with self.unit_of_work.transaction() as conn:
            audit(conn, at, "operator", "batch", detail={"as_of": as_of.isoformat(), **detail})
