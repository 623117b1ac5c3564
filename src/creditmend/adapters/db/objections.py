"""Objections in the store: their rows and events, and what an outcome changes (a corrected
month is a new version with its history; a deleted record is left in place and no longer read
into a file: `objection_facts` tells the readers which). The disputed records themselves are
read in `disputed.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit, fen
from creditmend.adapters.db.ingestions import close_ingestion, open_ingestion
from creditmend.domain.creditfile.corrections import Closing
from creditmend.domain.creditfile.evidence import parse_evidence
from creditmend.domain.creditfile.objection import (
    Event,
    LetterReview,
    LetterStatus,
    Objection,
    Outcome,
    Proposal,
    Reason,
    RecordKind,
    RecordRef,
    status_on,
)
from creditmend.domain.report.file import ObjectionFacts, StatementFacts

_MONTH_VALUE_COLUMNS = {
    "scheduled_amount": "scheduled_fen",
    "paid_amount": "paid_fen",
    "balance": "balance_fen",
    "past_due_amount": "past_due_fen",
}


@dataclass(slots=True)
class Deleted:
    """Records an objection deleted, by the keys the reader meets them with."""

    accounts: set[int] = field(default_factory=set)
    months: set[tuple[int, date]] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)  # inquiry:N, public_record:N, blacklist:N


class SqlObjectionRepository:
    """The `ObjectionRepository` port: objections, their events and statements, and what an
    outcome changes in the file (in the same transaction as the outcome)."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def objections(
        self, *, ids: Sequence[int] | None = None, persons: Sequence[int] | None = None
    ) -> list[Objection]:
        with self.unit_of_work.reading() as conn:
            query = select(t.objections).order_by(t.objections.c.id)
            if ids is not None:
                query = query.where(t.objections.c.id.in_(list(ids)))
            if persons is not None:
                query = query.where(t.objections.c.person_id.in_(list(persons)))
            rows = conn.execute(query).all()
            if not rows:
                return []
            events: dict[int, list[Event]] = {row.id: [] for row in rows}
            for event in conn.execute(
                select(t.objection_events)
                .where(t.objection_events.c.objection_id.in_(list(events)))
                .order_by(t.objection_events.c.id)
            ):
                events[event.objection_id].append(
                    Event(event.on, event.actor, event.action, event.note)
                )
            statements: dict[int, str] = {}
            for row in conn.execute(
                select(t.statements.c.objection_id, t.statements.c.text)
                .where(t.statements.c.objection_id.in_(list(events)))
                .order_by(t.statements.c.id)
            ):
                statements[row.objection_id] = row.text
            return [_objection(row, tuple(events[row.id]), statements.get(row.id)) for row in rows]

    def file_objection(
        self,
        objection: Objection,
        at: datetime,
        then: Callable[[int], Sequence[Event]] | None = None,
    ) -> int:
        """Store a new objection with its first events, and those `then` makes from its id
        (the store's), in one transaction."""
        with self.unit_of_work.transaction() as conn:
            new = conn.execute(
                insert(t.objections)
                .values(
                    person_id=objection.person,
                    record=str(objection.record),
                    reason=objection.reason.value,
                    routed_to=objection.routed_to,
                    evidence=json.dumps(
                        objection.evidence.to_json(), sort_keys=True, ensure_ascii=False
                    ),
                    filed_on=objection.filed_on,
                    received_at=at,
                    due_on=objection.due_on,
                    outcome=None if objection.outcome is None else objection.outcome.value,
                    answered_by=objection.answered_by,
                    answered_on=objection.answered_on,
                    repeat_of=objection.repeat_of,
                    proposal=_proposal_json(objection.proposal),
                    **_review_values(objection.review),
                )
                .returning(t.objections.c.id)
            ).scalar_one()
            _events(conn, int(new), objection.events, at)
            if then is not None:
                _events(conn, int(new), then(int(new)), at)
            audit(
                conn,
                at,
                "subject",
                "objection_filed",
                subject=objection.person,
                reason=objection.reason.value,
                detail={
                    "objection": int(new),
                    "record": str(objection.record),
                    "routed_to": objection.routed_to,
                },
            )
            return int(new)

    def record_lapses(self, lapsed: Sequence[Objection], at: datetime) -> None:
        """The deadline passed unanswered: the profile's rule is recorded with each objection."""
        if not lapsed:
            return
        with self.unit_of_work.transaction() as conn:
            for objection in lapsed:
                conn.execute(
                    update(t.objections)
                    .where(t.objections.c.id == objection.id, t.objections.c.lapsed_on.is_(None))
                    .values(lapsed_on=objection.lapsed_on)
                )
                _events(conn, objection.id, objection.events[-1:], at)

    def close(self, answer: Closing, at: datetime) -> None:
        """The outcome, its events, and every change it makes to the file, in one transaction."""
        objection = answer.objection
        with self.unit_of_work.transaction() as conn:
            changed = conn.execute(
                update(t.objections)
                .where(t.objections.c.id == objection.id, t.objections.c.outcome.is_(None))
                .values(
                    outcome=None if objection.outcome is None else objection.outcome.value,
                    answered_by=objection.answered_by,
                    answered_on=objection.answered_on,
                    corrections=None
                    if answer.corrections is None
                    else json.dumps(answer.corrections.to_json(), sort_keys=True),
                    **_review_values(objection.review),
                )
            ).rowcount
            if changed != 1:  # answered in between by someone else
                raise ValueError(f"objection {objection.id} was closed meanwhile")
            if answer.months or answer.record_values:
                self._correct(conn, answer, at)
            _events(conn, objection.id, answer.events, at)
            audit(
                conn,
                at,
                objection.answered_by or "bureau",
                f"objection_{objection.status}",
                subject=objection.person,
                reason=f"objection {objection.id}: {objection.reason.value}",
                detail={
                    "objection": objection.id,
                    "record": str(objection.record),
                    **dict(answer.audit),
                },
            )

    def log_views(
        self, seen: Sequence[Objection], actor: str, detail: dict[str, Any], at: datetime
    ) -> None:
        """The objections `actor` read, each an audit event about its subject (who looked at
        the objection, shown to the subject by `creditmend audit`), in one transaction."""
        if not seen:
            return
        with self.unit_of_work.transaction() as conn:
            for objection in seen:
                audit(
                    conn,
                    at,
                    actor,
                    "objection_view",
                    subject=objection.person,
                    reason=f"objection {objection.id}: {objection.reason.value}",
                    detail={"objection": objection.id, "record": str(objection.record), **detail},
                )

    def add_statement(self, objection: Objection, text: str, on: date, at: datetime) -> None:
        with self.unit_of_work.transaction() as conn:
            conn.execute(
                insert(t.statements).values(
                    objection_id=objection.id,
                    person_id=objection.person,
                    record=str(objection.record),
                    text=text,
                    made_on=on,
                    at=at,
                )
            )
            _events(conn, objection.id, (Event(on, "subject", "statement", text),), at)
            audit(
                conn,
                at,
                "subject",
                "statement",
                subject=objection.person,
                detail={"objection": objection.id, "record": str(objection.record)},
            )

    def review_letter(
        self,
        objection: Objection,
        event: Event,
        audit_detail: dict[str, Any],
        at: datetime,
        actor: str | None = None,
    ) -> None:
        """The desk's review (or revision) of the reply letter, its event and its audit, in one
        transaction; a letter approved in between (another desk user, another process) is not
        reviewed again."""
        review = objection.review
        assert review is not None
        unapproved = t.objections.c.letter_status.in_(
            [LetterStatus.DRAFT.value, LetterStatus.SENT_BACK.value]
        )
        with self.unit_of_work.transaction() as conn:
            changed = conn.execute(
                update(t.objections)
                .where(t.objections.c.id == objection.id, unapproved)
                .values(**_review_values(review))
            ).rowcount
            if changed != 1:
                raise ValueError(f"the reply to objection {objection.id} was approved meanwhile")
            _events(conn, objection.id, (event,), at)
            audit(
                conn,
                at,
                actor or review.by or "bureau",
                f"objection_letter_{event.action}",  # approved, sent_back, revised
                subject=objection.person,
                reason=f"objection {objection.id}: {objection.reason.value}",
                detail={
                    "objection": objection.id,
                    "record": str(objection.record),
                    **({"note": review.note} if review.note else {}),
                    **audit_detail,
                },
            )

    def _correct(self, conn: Connection, answer: Closing, at: datetime) -> None:
        """Apply corrected values as a furnishing correction: the old version goes to the
        history, the new one points to a provenance row naming the objection."""
        objection = answer.objection
        payload = json.dumps(
            answer.corrections.to_json() if answer.corrections else {}, sort_keys=True
        )
        ingestion = open_ingestion(
            conn,
            f"objection:{objection.id}",
            hashlib.sha256(payload.encode()).hexdigest(),
            objection.answered_on or objection.filed_on,
            0,
            at,
        )
        changed = 0
        if answer.months:
            account = account_of(conn, objection.person, objection.record)
            for period, month in sorted(answer.months.items()):
                old = conn.execute(
                    select(t.account_months).where(
                        and_(
                            t.account_months.c.account_pk == account.id,
                            t.account_months.c.period == period,
                        )
                    )
                ).one()
                kept = {
                    c.name: getattr(old, c.name)
                    for c in t.account_month_history.c
                    if c.name not in ("id", "superseded_at")
                }
                conn.execute(insert(t.account_month_history).values(**kept, superseded_at=at))
                conn.execute(
                    update(t.account_months)
                    .where(t.account_months.c.id == old.id)
                    .values(
                        version=old.version + 1,
                        **{
                            column: fen(getattr(month, name))
                            for name, column in _MONTH_VALUE_COLUMNS.items()
                        },
                        days_past_due=month.days_past_due,
                        status=month.status.value,
                        closed_on=month.closed_on,
                        last_payment_on=month.last_payment_on,
                        first_delinquency_on=month.first_delinquency_on,
                        ingestion_id=ingestion,
                        line=1,
                        received_at=at,
                    )
                )
                changed += 1
        if answer.record_values:
            kind = objection.record.kind
            table = t.public_records if kind is RecordKind.PUBLIC_RECORD else t.blacklist_entries
            values = {
                ("amount_fen" if k == "amount" else k): (
                    fen(v) if k == "amount" else getattr(v, "value", v)
                )
                for k, v in answer.record_values.items()
            }
            conn.execute(
                update(table)
                .where(table.c.id == objection.record.number)
                .values(**values, ingestion_id=ingestion, line=1, received_at=at)
            )
            changed += 1
        close_ingestion(conn, ingestion, 0, 0, changed)


# ---------------------------------------------------------------- what reports read


def _fact_statements(of_persons: bool) -> tuple[Select[Any], Select[Any]]:
    """`objection_facts`'s two reads (objections, statements), built once: every inquiry's
    file read runs them."""
    query = select(t.objections).where(t.objections.c.filed_on <= bindparam("as_of"))
    said = select(t.statements).where(t.statements.c.made_on <= bindparam("as_of"))
    if of_persons:
        query = query.where(t.objections.c.person_id.in_(bindparam("persons", expanding=True)))
        said = said.where(t.statements.c.person_id.in_(bindparam("persons", expanding=True)))
    return query.order_by(t.objections.c.id), said.order_by(t.statements.c.id)


_OF_PERSONS, _OF_ALL = _fact_statements(True), _fact_statements(False)


def objection_facts(
    conn: Connection, persons: Sequence[int] | None, as_of: date
) -> tuple[dict[int, list[ObjectionFacts]], dict[int, list[StatementFacts]], dict[int, Deleted]]:
    """Objections and statements as they stood on `as_of`, and what outcomes deleted."""
    objections: dict[int, list[ObjectionFacts]] = {}
    deleted: dict[int, Deleted] = {}
    deleted_refs: list[tuple[int, RecordRef]] = []
    params: dict[str, Any] = {"as_of": as_of}
    if persons is not None:
        params["persons"] = list(persons)
    query, said = _OF_PERSONS if persons is not None else _OF_ALL
    for row in conn.execute(query, params):
        status = status_on(row.outcome, row.answered_on, row.due_on, as_of)
        objections.setdefault(row.person_id, []).append(
            ObjectionFacts(row.record, status, row.filed_on, row.due_on, row.reason)
        )
        if status == Outcome.DELETED.value:
            deleted_refs.append((row.person_id, RecordRef.parse(row.record)))
    for person, ref in deleted_refs:
        into = deleted.setdefault(person, Deleted())
        if ref.account is None:
            into.refs.add(str(ref))
            continue
        account = account_of(conn, person, ref)
        if account is None:
            continue
        if ref.period is None:
            into.accounts.add(account.id)
        else:
            into.months.add((account.id, ref.period))
    statements: dict[int, list[StatementFacts]] = {}
    for row in conn.execute(said, params):
        statements.setdefault(row.person_id, []).append(
            StatementFacts(row.record, row.text, row.made_on)
        )
    return objections, statements, deleted


def account_of(conn: Connection, person: int, ref: RecordRef) -> Any:
    return conn.execute(
        select(t.accounts).where(
            t.accounts.c.furnisher_code == ref.furnisher,
            t.accounts.c.account_id == ref.account_id,
            t.accounts.c.person_id == person,
        )
    ).one_or_none()


def _events(conn: Connection, objection: int, events: Iterable[Event], at: datetime) -> None:
    rows = [
        {
            "objection_id": objection,
            "on": e.on,
            "at": at,
            "actor": e.actor,
            "action": e.action,
            "note": e.note,
        }
        for e in events
    ]
    if rows:
        conn.execute(insert(t.objection_events), rows)


def _review_values(review: LetterReview | None) -> dict[str, Any]:
    if review is None:
        return {}
    return {
        "letter_status": review.status.value,
        "letter_reviewed_by": review.by,
        "letter_reviewed_on": review.on,
        # in UTC: SQLite keeps no offset, so the moment is stored in one zone and read back in it
        "letter_reviewed_at": None if review.at is None else review.at.astimezone(UTC),
        "letter_review_note": review.note,
    }


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _review(row: Any) -> LetterReview | None:
    if row.letter_status is None:
        return None
    return LetterReview(
        LetterStatus(row.letter_status),
        row.letter_reviewed_by,
        row.letter_reviewed_on,
        _utc(row.letter_reviewed_at),
        row.letter_review_note,
    )


def _proposal_json(proposal: Proposal | None) -> str | None:
    if proposal is None:
        return None
    return json.dumps(
        {
            "outcome": proposal.outcome.value,
            "corrections": proposal.corrections,
            "summary": list(proposal.summary),
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def _objection(row: Any, events: tuple[Event, ...], statement: str | None) -> Objection:
    evidence, _ = parse_evidence(json.loads(row.evidence))
    proposal = None
    if row.proposal is not None:
        data = json.loads(row.proposal)
        proposal = Proposal(Outcome(data["outcome"]), data["corrections"], tuple(data["summary"]))
    return Objection(
        id=row.id,
        person=row.person_id,
        record=RecordRef.parse(row.record),
        reason=Reason(row.reason),
        evidence=evidence,
        filed_on=row.filed_on,
        due_on=row.due_on,
        routed_to=row.routed_to,
        outcome=None if row.outcome is None else Outcome(row.outcome),
        answered_by=row.answered_by,
        answered_on=row.answered_on,
        repeat_of=row.repeat_of,
        lapsed_on=row.lapsed_on,
        proposal=proposal,
        statement=statement,
        events=events,
        review=_review(row),
    )
