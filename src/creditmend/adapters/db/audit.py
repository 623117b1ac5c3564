"""The audit trail read back: who looked at a person's file; and the batch's run, logged."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, or_, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit
from creditmend.adapters.db.inquiries import api_detail
from creditmend.adapters.db.persons import find_person
from creditmend.domain.creditfile.inquiry import SELF, InquiryRequest
from creditmend.domain.report.file import LookFacts


class SqlAuditLog:
    """The `AuditLog` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def who_looked(
        self, id_type: str, id_number: str, at: datetime, by: str = "subject"
    ) -> list[LookFacts]:
        """Every logged look at (or change of) a person's file, oldest first, the refused ones
        too (found by the identity's keyed hash, even about someone the bureau holds nothing
        on): the subject's right to know. Reading the log is itself logged, after the list is
        taken."""
        with self.unit_of_work.transaction() as conn:
            key = self.unit_of_work.vault.id_hash(id_type, id_number)
            person = find_person(conn, self.unit_of_work.vault, id_type, id_number)
            events = t.audit_events.c
            about = (
                events.subject_id_hash == key
                if person is None
                else or_(events.subject_person_id == person, events.subject_id_hash == key)
            )
            rows = conn.execute(select(t.audit_events).where(about).order_by(events.id))
            looks = [_look(row) for row in rows]
            if person is None and not looks:
                return []  # nothing is known about them: no trace of the reading either
            audit(
                conn,
                at,
                by,
                "audit_view",
                subject=person,
                subject_hash=key if person is None else None,
            )
            return looks

    def log_refusal(self, request: InquiryRequest, refused: str, at: datetime) -> None:
        """A look the bureau refused, in its own transaction (the caller is refused, the trace
        stays): who asked, about whom (the person's row if there is one, and the identity's
        keyed hash, never the number), when, for what purpose, and why it was refused."""
        vault = self.unit_of_work.vault
        with self.unit_of_work.transaction() as conn:
            audit(
                conn,
                at,
                request.by or ("subject" if request.purpose == SELF else "unnamed"),
                "inquiry",
                subject=find_person(conn, vault, request.id_type, request.id_number),
                reason=request.purpose,
                consent=request.consent_ref,
                detail={"as_of": request.on.isoformat(), **api_detail(request)},
                refused=refused,
                subject_hash=vault.id_hash(request.id_type, request.id_number),
            )

    def log_batch(self, as_of: date, at: datetime, detail: dict[str, object]) -> None:
        """A batch reads every file: the operator's run is audited like any other look."""
        with self.unit_of_work.transaction() as conn:
            audit(conn, at, "operator", "batch", detail={"as_of": as_of.isoformat(), **detail})


def _look(row: Row[Any]) -> LookFacts:
    """An audit event as a look; one asked through the API carries its client, scope and
    request id in the event's detail."""
    detail = json.loads(row.detail) if row.detail else {}
    api = detail if isinstance(detail, dict) and detail.get("client") else {}
    return LookFacts(
        row.at, row.actor, row.action, row.reason, row.consent_ref, row.refused,
        client_id=api.get("client"), scope=api.get("scope"), request_id=api.get("request_id"),
    )  # fmt: skip
