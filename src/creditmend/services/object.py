"""The objection desk: file, route, check the evidence, answer, reply in writing, watch the clock.

Each use case reads the objection, asks the domain whether the move is allowed (problems as
values), and writes the move with its events in one transaction. Deadlines are counted on the
business date each command is given (`as_of`); an objection found past its deadline unanswered
gets the profile's rule for unverifiable records recorded with it, once, by whichever desk
command first sees it so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.creditfile.corrections import (
    MONTH_FIELDS,
    Closing,
    Corrections,
    corrected_month,
    corrected_record,
    parse_corrections,
)
from creditmend.domain.creditfile.evidence import (
    Evidence,
    dated_after,
    deduction_finding,
    parse_evidence,
)
from creditmend.domain.creditfile.furnisher import BUREAU
from creditmend.domain.creditfile.furnishing import FurnishedRecord
from creditmend.domain.creditfile.inquiry import (
    CONSENT_EXPIRED,
    CONSENT_NOT_YET_SIGNED,
    consent_term_fault,
    look_day,
)
from creditmend.domain.creditfile.letter import explanation, reply_letter, with_explanation
from creditmend.domain.creditfile.objection import (
    DRAFTED,
    Disputed,
    Event,
    LetterReview,
    LetterStatus,
    Objection,
    Outcome,
    Proposal,
    Reason,
    RecordKind,
    RecordRef,
    answer_problems,
    earlier_same,
    filing_problems,
    reply_due,
    review_problems,
    route,
    statement_problems,
)
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.text import text_problem
from creditmend.services.ports import (
    DisputedRecords,
    FurnisherRegistry,
    ObjectionRepository,
    PersonDirectory,
)

REVISED = "revised"  # the event of a revision of the desk's paragraph: its note is the paragraph


@dataclass(frozen=True, slots=True)
class ObjectionService:
    objection_repository: ObjectionRepository
    disputed_records: DisputedRecords
    person_directory: PersonDirectory
    furnisher_registry: FurnisherRegistry
    profile: JurisdictionProfile
    calendar: BusinessCalendar
    id_is_valid: Callable[[str, str], bool]

    # ------------------------------------------------------------ filing
    def file(
        self,
        id_type: str,
        id_number: str,
        record: str,
        reason: str,
        evidence_data: Any,
        as_of: date,
        at: datetime,
    ) -> Objection:
        """Receive an objection: mark, route, check the evidence; a repeat is answered at once."""
        problems: list[Problem] = []
        if not self.id_is_valid(id_type, id_number):
            problems.append(Problem("ID_NUMBER", f"is not a valid {id_type} number"))
        ref = code = None
        try:
            ref = RecordRef.parse(record)
        except ValueError as error:
            problems.append(Problem("objection.record", str(error)))
        try:
            code = Reason(reason)
        except ValueError:
            choices = ", ".join(r.value for r in Reason)
            problems.append(Problem("objection.reason", f"{reason!r} is not one of {choices}"))
        evidence = Evidence()
        if evidence_data is not None:
            evidence, found = parse_evidence(evidence_data)
            problems += found or dated_after(evidence, as_of)
        if ref is not None and code is not None:
            problems += filing_problems(ref, code)
        if problems:
            raise ProblemsError(tuple(problems))
        assert ref is not None and code is not None
        person = self.person_directory.person_of(id_type, id_number)
        target = None if person is None else self.disputed_records.target(person, ref, as_of)
        if person is None or target is None:
            raise ProblemsError(
                (
                    Problem(
                        "objection.record",
                        f"{ref} is not a record in this person's file on {as_of}",
                    ),
                )
            )
        self._sweep(as_of, at)
        earlier = earlier_same(
            ref, code, evidence, self.objection_repository.objections(persons=[person])
        )
        routed = route(ref, code, target.inquirer)
        draft = Objection(
            id=0,
            person=person,
            record=ref,
            reason=code,
            evidence=evidence,
            filed_on=as_of,
            due_on=reply_due(as_of, self.profile, self.calendar),
            routed_to=routed,
            events=(Event(as_of, "subject", "filed", f"{code.value} against {ref}"),),
        )
        if earlier is not None:
            return self._file_repeat(draft, earlier, at)
        proposal, findings = self._check(ref, code, evidence, target)
        events = [
            Event(as_of, BUREAU, "marked", "the record is shown as under objection"),
            Event(as_of, BUREAU, "routed", f"to {routed} for verification by {draft.due_on}"),
        ]
        if findings:
            action = "proposed" if proposal is not None else "checked"
            events.append(Event(as_of, BUREAU, action, "; ".join(findings)))
        draft = replace(draft, proposal=proposal, events=draft.events + tuple(events))
        return replace(draft, id=self.objection_repository.file_objection(draft, at))

    def _file_repeat(self, draft: Objection, earlier: Objection, at: datetime) -> Objection:
        """A repeat is answered as it is filed, pointing to the objection it repeats."""
        on = draft.filed_on
        note = (
            f"same record, reason and evidence as objection {earlier.id} ({earlier.status}); "
            "no new evidence"
        )
        closed = replace(
            draft,
            outcome=Outcome.REPEATED,
            answered_by=BUREAU,
            answered_on=on,
            repeat_of=earlier.id,
            events=(*draft.events, Event(on, BUREAU, "repeated", note)),
            review=DRAFTED,
        )
        letters: list[Event] = []

        def letter(new: int) -> Sequence[Event]:
            letters.append(Event(on, BUREAU, "letter", self._letter(replace(closed, id=new), on)))
            return letters

        new = self.objection_repository.file_objection(closed, at, then=letter)
        return replace(closed, id=new, events=(*closed.events, *letters))

    def _check(
        self, ref: RecordRef, reason: Reason, evidence: Evidence, target: Disputed
    ) -> tuple[Proposal | None, list[str]]:
        """The bureau's own check: a deduction that failed on the platform's side (or with the
        money on the card) removes the overdue; an inquiry with no consent on record goes."""
        if reason is Reason.INQUIRY_WITHOUT_CONSENT:
            if target.consent_ref is None:
                why = "no consent reference was logged with this inquiry"
                return Proposal(Outcome.DELETED, {}, (why,)), [why]
            term = self._outside_term(target)
            if term is not None:
                return Proposal(Outcome.DELETED, {}, (term,)), [term]
            return None, [f"consent reference {target.consent_ref!r} is on record"]
        if reason is not Reason.DEDUCTION_FAILED_NOT_MY_FAULT:
            return None, []
        grounded: dict[str, dict[str, Any]] = {}
        findings: list[str] = []
        for due in target.due_days:
            finding = deduction_finding(due, evidence)
            findings += [f"{due.period:%Y-%m}: {line}" for line in finding.summary]
            if finding.grounded:
                values: dict[str, Any] = {"days_past_due": 0, "past_due_amount": "0.00"}
                if due.due_on is not None:  # the overdue began in this month
                    values["first_delinquency_on"] = None
                grounded[f"{due.period:%Y-%m}"] = values
        if not target.due_days:
            findings.append("no overdue month in this record")
        if not grounded:
            return None, findings
        corrections: dict[str, Any] = (
            next(iter(grounded.values()))
            if ref.kind is RecordKind.ACCOUNT_MONTH
            else {"months": grounded}
        )
        return Proposal(Outcome.CORRECTED, corrections, tuple(findings)), findings

    def _outside_term(self, target: Disputed) -> str | None:
        """The inquiry's look fell outside its consent's logged term: when, and which end."""
        if target.looked_at is None:
            return None
        day = look_day(target.looked_at, self.profile)
        signed, expires = target.consent_signed_on, target.consent_expires_on
        fault = consent_term_fault(signed, expires, day)
        if fault == CONSENT_EXPIRED:
            return f"the file was read on {day}, after the consent expired on {expires}"
        if fault == CONSENT_NOT_YET_SIGNED:
            return f"the file was read on {day}, before the consent was signed on {signed}"
        return None

    # ------------------------------------------------------------ answering
    def answer(
        self,
        objection_id: int,
        by: str,
        outcome: str,
        corrections_data: Any,
        as_of: date,
        at: datetime,
        note: str | None = None,
        audit: dict[str, Any] | None = None,
    ) -> Objection:
        """The verifier's answer closes the objection: the outcome, what it changes in the file
        (with provenance and audit), and the letter to the subject, in one transaction. A
        `note` (the answerer's words, one line) is kept in the history; `audit` adds to the
        audit event (the API's client and request id)."""
        objection = self.show(objection_id, as_of, at)
        if note is not None:
            refused = text_problem(
                "objection.note", note, int(self.profile.statement_max_chars.value)
            )
            if refused is not None:
                raise ProblemsError((refused,))
        try:
            code = Outcome(outcome)
        except ValueError:
            raise ProblemsError(
                (
                    Problem(
                        "objection.outcome", f"{outcome!r} is not confirmed, corrected or deleted"
                    ),
                )
            ) from None
        proposal = objection.proposal
        if (
            code is Outcome.CORRECTED
            and corrections_data is None
            and proposal is not None
            and proposal.outcome is Outcome.CORRECTED
        ):
            corrections_data = proposal.corrections  # the bureau's proposal, accepted as it is
        problems = answer_problems(objection, by, code, as_of, corrections_data is not None)
        if problems:
            raise ProblemsError(problems)
        corrections: Corrections | None = None
        months: dict[date, FurnishedRecord] = {}
        changes: tuple[str, ...] = ()
        if corrections_data is not None:
            corrections, months, changes = self._corrections(objection, corrections_data, as_of)
        closed = replace(objection, outcome=code, answered_by=by, answered_on=as_of, review=DRAFTED)
        late = (as_of - objection.due_on).days
        timing = "within the deadline" if late <= 0 else f"{late} day(s) after the deadline"
        events = [Event(as_of, by, "answered", f"{code.value}, {timing}")]
        if note is not None and note.strip():
            events.append(Event(as_of, by, "note", note.strip()))
        events += [Event(as_of, by, "corrected", change) for change in changes]
        letter = Event(as_of, BUREAU, "letter", self._letter(closed, as_of, changes))
        events.append(letter)
        self.objection_repository.close(
            Closing(
                objection=closed,
                events=tuple(events),
                months=months,
                record_values=dict(corrections.record) if corrections else {},
                corrections=corrections,
                audit={"changes": list(changes), "late_days": max(late, 0), **(audit or {})},
            ),
            at,
        )
        return replace(closed, events=objection.events + tuple(events))

    def _corrections(
        self, objection: Objection, data: Any, as_of: date
    ) -> tuple[Corrections, dict[date, FurnishedRecord], tuple[str, ...]]:
        """The corrected values, checked by the furnishing rules, and what changes (old -> new)."""
        corrections, problems = parse_corrections(objection.record, data)
        if problems:
            raise ProblemsError(problems)
        months: dict[date, FurnishedRecord] = {}
        changes: list[str] = []
        if corrections.months:
            stored = self.disputed_records.stored_months(
                objection.person, objection.record, sorted(corrections.months)
            )
            found: list[Problem] = []
            for period, values in sorted(corrections.months.items()):
                old = stored.get(period)
                if old is None:
                    found.append(Problem(f"corrections[{period:%Y-%m}]", "no such furnished month"))
                    continue
                new, wrong = corrected_month(old, values, as_of)
                found += wrong
                months[period] = new
                changes += [
                    f"{period:%Y-%m} {name}: {_shown(getattr(old, name))} -> "
                    f"{_shown(getattr(new, name))}"
                    for name in MONTH_FIELDS
                    if getattr(old, name) != getattr(new, name)
                ]
            if found:
                raise ProblemsError(tuple(found))
        if corrections.record:
            old_record = self.disputed_records.stored_record(objection.person, objection.record)
            if old_record is None:  # pragma: no cover - the record was checked when filed
                raise ProblemsError((Problem("objection.record", "the record is gone"),))
            new_record, wrong = corrected_record(old_record, corrections.record, as_of)
            if wrong:
                raise ProblemsError(wrong)
            changes += [
                f"{name}: {_shown(getattr(old_record, name))} -> "
                f"{_shown(getattr(new_record, name))}"
                for name in sorted(corrections.record)
                if getattr(old_record, name) != getattr(new_record, name)
            ]
        return corrections, months, tuple(changes)

    def statement(self, objection_id: int, text: str, as_of: date, at: datetime) -> Objection:
        """After a confirmed outcome the subject's own words go next to the record."""
        objection = self.show(objection_id, as_of, at)
        problems = statement_problems(objection, text.strip(), as_of, self.profile)
        if problems:
            raise ProblemsError(problems)
        self.objection_repository.add_statement(objection, text.strip(), as_of, at)
        return replace(
            objection,
            statement=text.strip(),
            events=(*objection.events, Event(as_of, "subject", "statement", text.strip())),
        )

    # ------------------------------------------------------------ the desk's views
    def show(self, objection_id: int, as_of: date, at: datetime) -> Objection:
        self._sweep(as_of, at)
        found = self.objection_repository.objections(ids=[objection_id])
        if not found:
            raise ProblemsError((Problem("ID", f"there is no objection {objection_id}"),))
        return found[0]

    def of_subject(
        self, id_type: str, id_number: str, as_of: date, at: datetime
    ) -> list[Objection]:
        """A subject's own objections, received by `as_of`, oldest first (the portal's list:
        found from the identity, never from an id the caller chose)."""
        person = self.person_directory.person_of(id_type, id_number)
        if person is None:
            return []
        return [o for o in self._sweep(as_of, at) if o.person == person and o.filed_on <= as_of]

    def subjects_own(
        self, objection_id: int, id_type: str, id_number: str, as_of: date, at: datetime
    ) -> Objection:
        """One objection as its subject may see it: another person's is answered as if it did
        not exist (the same problem as a missing one)."""
        objection = self.show(objection_id, as_of, at)
        if objection.person != self.person_directory.person_of(id_type, id_number):
            raise ProblemsError((Problem("ID", f"there is no objection {objection_id}"),))
        return objection

    def routed_to(
        self, objection_id: int, verifier: str | None, as_of: date, at: datetime
    ) -> Objection:
        """One objection as `verifier` (a furnisher code; None: the desk, every one) may see
        it: one routed to someone else is answered as if it did not exist."""
        objection = self.show(objection_id, as_of, at)
        if verifier is not None and objection.routed_to != verifier:
            raise ProblemsError((Problem("ID", f"there is no objection {objection_id}"),))
        return objection

    def viewed(
        self, seen: Sequence[Objection], actor: str, detail: dict[str, Any], at: datetime
    ) -> None:
        """Audit a read of these objections by someone other than the desk's own terminal
        (an API caller: `detail` names its client and request)."""
        self.objection_repository.log_views(seen, actor, detail, at)

    def list(
        self,
        as_of: date,
        at: datetime,
        *,
        open_only: bool = False,
        overdue_only: bool = False,
        furnisher: str | None = None,
        unapproved_only: bool = False,
    ) -> list[Objection]:
        """The desk's list on `as_of`: objections received by then, oldest first
        (`unapproved_only`: those answered whose letter waits for the desk's approval)."""
        if furnisher not in (None, BUREAU, *self.furnisher_registry.furnisher_codes()):
            raise ProblemsError((Problem("objection.routed_to", f"{furnisher} is not registered"),))
        return [
            o
            for o in self._sweep(as_of, at)
            if o.filed_on <= as_of
            and (not open_only or o.is_open)
            and (not overdue_only or o.overdue(as_of))
            and (furnisher is None or o.routed_to == furnisher)
            and (not unapproved_only or o.awaiting_approval(as_of))
        ]

    def letter(self, objection_id: int, as_of: date, at: datetime, *, draft: bool = False) -> str:
        """The reply letter as it stood on `as_of`: only an approved one, unless the desk asks
        for the draft (`draft`) it is about to approve."""
        objection = self.show(objection_id, as_of, at)
        if as_of < objection.filed_on:
            message = f"{as_of} is before objection {objection_id} was filed ({objection.filed_on})"
            raise ProblemsError((Problem("business_date", message),))
        written = [e for e in objection.events if e.action == "letter"]
        letters = [e.note for e in written if e.on <= as_of]
        if not letters:
            message = (
                f"objection {objection_id}: no reply had been written by {as_of}"
                if written
                else f"objection {objection_id} is open: no reply has been written"
            )
            raise ProblemsError((Problem("ID", message),))
        if not draft and not objection.replied(as_of):
            review = objection.review or DRAFTED
            state = (
                f"was sent back ({review.note})"
                if review.status is LetterStatus.SENT_BACK and (review.on or as_of) <= as_of
                else "is a draft"
            )
            message = f"the reply to objection {objection_id} {state}: the desk has not approved it"
            raise ProblemsError((Problem("letter", message),))
        return with_explanation(letters[-1], self.explanation(objection, as_of))

    @staticmethod
    def explanation(objection: Objection, as_of: date) -> str:
        """The desk's own paragraph in the letter on `as_of` (its last revision; "" if none):
        what the desk's form starts from."""
        said = [e.note for e in objection.events if e.action == REVISED and e.on <= as_of]
        return said[-1] if said else ""

    def revise(
        self,
        objection_id: int,
        by: str,
        text: str,
        as_of: date,
        at: datetime,
        audit: dict[str, Any] | None = None,
        *,
        audit_actor: str | None = None,
    ) -> Objection:
        """The desk rewrites its own paragraph of a letter not yet approved (`text`; empty
        removes it). The rest of the letter (outcome, record, dates, the law's lines) stays as
        it was written with the outcome. The letter becomes a draft again, to be approved;
        the earlier paragraph stays in the history (`revised` events) and in the audit."""
        objection = self.show(objection_id, as_of, at)
        said, refused = explanation(text)
        problems = (*review_problems(objection, by.strip(), as_of, True, None), *refused)
        if problems:
            raise ProblemsError(problems)
        by, before = by.strip(), self.explanation(objection, as_of)
        if said == before:
            same = Problem("objection.explanation", "is what the letter already says")
            raise ProblemsError((same,))
        review = LetterReview(LetterStatus.DRAFT, by, as_of, at)
        event = Event(as_of, by, REVISED, said)
        revised = replace(objection, review=review, events=(*objection.events, event))
        detail = {"explanation": said, "previous": before, **(audit or {})}
        self.objection_repository.review_letter(revised, event, detail, at, actor=audit_actor)
        return revised

    # ------------------------------------------------------------ the desk's approval
    def approve(
        self,
        objection_id: int,
        by: str,
        as_of: date,
        at: datetime,
        audit: dict[str, Any] | None = None,
        *,
        audit_actor: str | None = None,
    ) -> Objection:
        """The desk approves the drafted reply: from now on it is sent (the subject reads and
        downloads it) and the objection counts as replied. `by` names who approved; `as_of`
        and `at` are when (the caller's clock, never one read here); `audit_actor` names them
        in the audit trail when that name must differ (`by` by default): the subject reads
        the trail, and a portal desk user's name is their sign-in identity."""
        return self._review(objection_id, by, True, None, as_of, at, audit, audit_actor)

    def send_back(
        self,
        objection_id: int,
        by: str,
        note: str,
        as_of: date,
        at: datetime,
        audit: dict[str, Any] | None = None,
        *,
        audit_actor: str | None = None,
    ) -> Objection:
        """The desk does not let the draft go, and says why (`note`, one line): it stays
        unsent, in the queue, until approved."""
        return self._review(objection_id, by, False, note, as_of, at, audit, audit_actor)

    def _review(
        self,
        objection_id: int,
        by: str,
        approve: bool,
        note: str | None,
        as_of: date,
        at: datetime,
        audit: dict[str, Any] | None,
        audit_actor: str | None,
    ) -> Objection:
        objection = self.show(objection_id, as_of, at)
        if note is not None:
            refused = text_problem(
                "objection.note", note, int(self.profile.statement_max_chars.value)
            )
            if refused is not None:
                raise ProblemsError((refused,))
        problems = review_problems(objection, by.strip(), as_of, approve, note)
        if problems:
            raise ProblemsError(problems)
        by = by.strip()
        if approve:
            review = LetterReview(LetterStatus.APPROVED, by, as_of, at)
            late = (as_of - objection.due_on).days
            timing = "within the legal period" if late <= 0 else f"{late} day(s) after it"
            event = Event(as_of, by, "approved", f"the reply letter is approved and sent, {timing}")
        else:
            said = (note or "").strip()
            review = LetterReview(LetterStatus.SENT_BACK, by, as_of, at, said)
            event = Event(as_of, by, "sent_back", said)
        reviewed = replace(objection, review=review, events=(*objection.events, event))
        self.objection_repository.review_letter(
            reviewed, event, dict(audit or {}), at, actor=audit_actor
        )
        return reviewed

    def _sweep(self, as_of: date, at: datetime) -> Sequence[Objection]:
        """Record the unverifiable-record rule on every open objection past its deadline;
        returns every objection as it now stands (the desk's list reads them once)."""
        lapsed = []
        known = self.objection_repository.objections()
        for index, objection in enumerate(known):
            if objection.overdue(as_of) and objection.lapsed_on is None:
                day = objection.due_on + timedelta(days=1)
                note = f"no answer by {objection.due_on}: {self.profile.unverifiable_rule}"
                known[index] = replace(
                    objection,
                    lapsed_on=day,
                    events=(*objection.events, Event(day, BUREAU, "lapsed", note)),
                )
                lapsed.append(known[index])
        self.objection_repository.record_lapses(lapsed, at)
        return known

    def _letter(self, objection: Objection, on: date, changes: tuple[str, ...] = ()) -> str:
        subject = self.person_directory.masked_subject(objection.person)
        return reply_letter(objection, subject, on, self.profile, changes)


def _shown(value: object) -> str:
    if value is None:
        return "none"
    return str(getattr(value, "value", value))
