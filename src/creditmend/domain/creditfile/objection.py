"""Objections (异议): what a subject disputes, the legal clock, and the moves the desk may make.

An objection is a record with its full history of events; every move is a small pure function
that checks the move against the objection's state and returns problems as values, so a closed
objection cannot be answered again, only the furnisher it was routed to can answer, and a
statement waits for a `confirmed` outcome. The store keeps the events; the domain decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.creditfile.evidence import DueDay, Evidence
from creditmend.domain.creditfile.furnisher import BUREAU
from creditmend.domain.problems import Problem
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.text import text_problem


class Reason(Enum):
    NOT_MINE = "not_mine"  # identity theft, another person's account
    PAID_ON_TIME = "paid_on_time"
    DEDUCTION_FAILED_NOT_MY_FAULT = "deduction_failed_not_my_fault"
    WRONG_AMOUNT = "wrong_amount"
    ALREADY_SETTLED = "already_settled"
    INQUIRY_WITHOUT_CONSENT = "inquiry_without_consent"
    OTHER = "other"


class Outcome(Enum):
    CONFIRMED = "confirmed"  # the record is correct
    CORRECTED = "corrected"  # wrong values replaced, with provenance
    DELETED = "deleted"  # the record is no longer shown
    REPEATED = "repeated"  # the same objection again without new evidence


ANSWERS = (Outcome.CONFIRMED, Outcome.CORRECTED, Outcome.DELETED)  # what an answerer may say


class RecordKind(Enum):
    ACCOUNT_MONTH = "account_month"
    ACCOUNT = "account"
    INQUIRY = "inquiry"
    PUBLIC_RECORD = "public_record"
    BLACKLIST = "blacklist"


_ACCOUNT = re.compile(r"account:([^:\s]+):([^:\s]+?)(?::(\d{4})-(\d{2}))?")
_NUMBERED = re.compile(r"(inquiry|public_record|blacklist):(\d{1,12})")


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record as the report names it: `account:F:ID:YYYY-MM`, `account:F:ID`, `inquiry:N`,
    `public_record:N`, `blacklist:N`."""

    kind: RecordKind
    furnisher: str | None = None
    account_id: str | None = None
    period: date | None = None  # first day of the month, for one month's status
    number: int | None = None

    @classmethod
    def parse(cls, text: str) -> RecordRef:
        match = _ACCOUNT.fullmatch(text)
        if match is not None:
            furnisher, account_id, year, month = match.groups()
            if year is None:
                return cls(RecordKind.ACCOUNT, furnisher, account_id)
            if not 1 <= int(month) <= 12:
                raise ValueError(f"{text!r}: {year}-{month} is not a month")
            return cls(
                RecordKind.ACCOUNT_MONTH, furnisher, account_id, date(int(year), int(month), 1)
            )
        match = _NUMBERED.fullmatch(text)
        if match is not None:
            return cls(RecordKind(match[1]), number=int(match[2]))
        raise ValueError(
            f"{text!r} is not a record: account:FURNISHER:ACCOUNT_ID[:YYYY-MM], inquiry:ID, "
            "public_record:ID or blacklist:ID"
        )

    def __str__(self) -> str:
        if self.kind is RecordKind.ACCOUNT_MONTH and self.period is not None:
            return f"account:{self.furnisher}:{self.account_id}:{self.period:%Y-%m}"
        if self.kind is RecordKind.ACCOUNT:
            return f"account:{self.furnisher}:{self.account_id}"
        return f"{self.kind.value}:{self.number}"

    @property
    def account(self) -> str | None:
        """The account a month belongs to (or the account itself)."""
        if self.kind in (RecordKind.ACCOUNT, RecordKind.ACCOUNT_MONTH):
            return f"account:{self.furnisher}:{self.account_id}"
        return None


@dataclass(frozen=True, slots=True)
class Disputed:
    """A disputed record as the store holds it: what routing and the evidence check need."""

    inquirer: str | None = None  # who made an inquiry
    consent_ref: str | None = None  # the consent logged with an inquiry
    due_days: tuple[DueDay, ...] = ()  # an account's overdue months
    # An inquiry's consent term, when logged (the API's), and the moment of the look.
    consent_signed_on: date | None = None
    consent_expires_on: date | None = None
    looked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the bureau's automatic evidence check proposes to the furnisher, and why."""

    outcome: Outcome
    corrections: dict[str, object]
    summary: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """One step in an objection's history."""

    on: date  # business date
    actor: str  # subject, bureau, a furnisher code, operator
    action: str  # filed, routed, proposed, repeated, lapsed, answered, letter, statement
    note: str


class LetterStatus(Enum):
    """Where the reply letter stands: written with the outcome as a draft, then approved by the
    desk (only then is it sent: the subject reads it and the objection counts as replied), or
    sent back with a note, to be approved once the note is dealt with."""

    DRAFT = "draft"
    APPROVED = "approved"
    SENT_BACK = "sent_back"


# A draft still waiting for approval this many days or fewer before the legal due date is
# marked on the desk's queue: the reply is due within the legal period, not only the answer.
REPLY_WARNING_DAYS = 3


@dataclass(frozen=True, slots=True)
class LetterReview:
    """The desk's last word on the reply letter: who, on which business day and at what moment
    (both given by the caller, never read from a clock here), and the note of a send-back.
    `by` is None only for a letter approved before the approval step existed (migration 0013)."""

    status: LetterStatus
    by: str | None = None
    on: date | None = None
    at: datetime | None = None
    note: str | None = None


DRAFTED = LetterReview(LetterStatus.DRAFT)


@dataclass(frozen=True, slots=True)
class Objection:
    id: int
    person: int
    record: RecordRef
    reason: Reason
    evidence: Evidence
    filed_on: date
    due_on: date
    routed_to: str  # a furnisher code, or BUREAU
    outcome: Outcome | None = None
    answered_by: str | None = None
    answered_on: date | None = None
    repeat_of: int | None = None
    lapsed_on: date | None = None  # when the deadline passed unanswered (the rule was applied)
    proposal: Proposal | None = None
    statement: str | None = None
    events: tuple[Event, ...] = ()
    review: LetterReview | None = None  # the reply letter's approval, once there is a letter

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    def replied(self, as_of: date) -> bool:
        """The reply letter was approved by `as_of`: sent, readable by the subject."""
        review = self.review
        return (
            review is not None
            and review.status is LetterStatus.APPROVED
            and (review.on is None or review.on <= as_of)
        )

    def awaiting_approval(self, as_of: date) -> bool:
        """Answered by `as_of`, its letter drafted but not (yet) approved."""
        return (
            self.outcome is not None
            and self.answered_on is not None
            and self.answered_on <= as_of
            and not self.replied(as_of)
        )

    def reply_pressing(self, as_of: date) -> bool:
        """A letter waiting for approval near its legal due date, or past it (the desk's queue
        marks it)."""
        return self.awaiting_approval(as_of) and (self.due_on - as_of).days <= REPLY_WARNING_DAYS

    @property
    def status(self) -> str:
        if self.outcome is not None:
            return self.outcome.value
        return "lapsed" if self.lapsed_on is not None else "open"

    def overdue(self, as_of: date) -> bool:
        """Past the deadline without an answer on `as_of`."""
        return self.is_open and as_of > self.due_on

    def age(self, as_of: date) -> int:
        return (as_of - self.filed_on).days


def status_on(outcome: str | None, answered_on: date | None, due_on: date, as_of: date) -> str:
    """The status a report dated `as_of` shows: an answer given after that day is not known
    yet, and an unanswered objection past its deadline reads as lapsed."""
    if outcome is not None and answered_on is not None and answered_on <= as_of:
        return outcome
    return "lapsed" if as_of > due_on else "open"


def reply_due(received_on: date, profile: JurisdictionProfile, calendar: BusinessCalendar) -> date:
    """The last day to verify and reply: the period starts the day after receipt, and a period
    ending on a rest day ends on the next working day (the profile's period rule)."""
    due = received_on + timedelta(days=int(profile.objection_reply_days.value))
    while not calendar.is_business_day(due):
        due += timedelta(days=1)
    return due


def route(record: RecordRef, reason: Reason, inquirer: str | None) -> str:
    """Who verifies: the furnisher of an account; the inquirer of an inquiry unless the
    inquiry itself lacked consent (the bureau logged it and holds the consent reference);
    the bureau for public records and blacklist entries, which it imported."""
    if record.kind in (RecordKind.ACCOUNT, RecordKind.ACCOUNT_MONTH):
        return str(record.furnisher)
    if record.kind is RecordKind.INQUIRY:
        if reason is Reason.INQUIRY_WITHOUT_CONSENT or inquirer is None:
            return BUREAU
        return inquirer
    return BUREAU


def filing_problems(record: RecordRef, reason: Reason) -> tuple[Problem, ...]:
    """Reasons that cannot apply to a kind of record."""
    problems = []
    if reason is Reason.INQUIRY_WITHOUT_CONSENT and record.kind is not RecordKind.INQUIRY:
        problems.append(
            Problem("objection.reason", "inquiry_without_consent applies to inquiry records")
        )
    if reason is Reason.DEDUCTION_FAILED_NOT_MY_FAULT and record.kind not in (
        RecordKind.ACCOUNT,
        RecordKind.ACCOUNT_MONTH,
    ):
        problems.append(
            Problem("objection.reason", "deduction_failed_not_my_fault applies to account records")
        )
    return tuple(problems)


def earlier_same(
    record: RecordRef, reason: Reason, evidence: Evidence, earlier: Sequence[Objection]
) -> Objection | None:
    """The objection this one repeats: the same record and reason, still open or confirmed,
    and nothing in the new evidence that the earlier one did not already carry. An earlier
    correction or deletion changed the record, so objecting to the result is not a repeat."""
    for old in sorted(earlier, key=lambda o: o.id, reverse=True):
        if old.record != record or old.reason is not reason:
            continue
        if old.outcome not in (None, Outcome.CONFIRMED, Outcome.REPEATED):
            return None
        if evidence.adds_to(old.evidence):
            return None
        return old
    return None


def answer_problems(
    objection: Objection, by: str, outcome: Outcome, on: date, has_corrections: bool
) -> tuple[Problem, ...]:
    if not objection.is_open:
        return (
            Problem(
                "ID",
                f"objection {objection.id} is closed ({objection.status}); it cannot be answered",
            ),
        )
    problems = []
    if by != objection.routed_to:
        problems.append(
            Problem(
                "objection.answered_by",
                f"{by} cannot answer objection {objection.id}: it was routed to "
                f"{objection.routed_to}",
            )
        )
    if outcome not in ANSWERS:
        problems.append(Problem("objection.outcome", "must be confirmed, corrected or deleted"))
    if on < objection.filed_on:
        problems.append(
            Problem(
                "business_date", f"{on} is before the objection was filed ({objection.filed_on})"
            )
        )
    if outcome is Outcome.CORRECTED and not has_corrections:
        problems.append(
            Problem(
                "objection.corrections",
                "a corrected outcome needs the corrected values (no bureau proposal to apply)",
            )
        )
    if outcome is not Outcome.CORRECTED and has_corrections:
        problems.append(
            Problem("objection.corrections", "only a corrected outcome takes corrections")
        )
    if outcome is Outcome.CORRECTED and objection.record.kind is RecordKind.INQUIRY:
        problems.append(
            Problem(
                "objection.outcome",
                "an inquiry is confirmed or deleted; it has no values to correct",
            )
        )
    return tuple(problems)


def statement_problems(
    objection: Objection, text: str, on: date, profile: JurisdictionProfile
) -> tuple[Problem, ...]:
    if objection.outcome is not Outcome.CONFIRMED:
        state = "still open" if objection.is_open else f"closed as {objection.status}"
        return (
            Problem(
                "ID",
                f"objection {objection.id} is {state}: a statement follows a confirmed outcome",
            ),
        )
    limit = int(profile.statement_max_chars.value)
    problems = []
    if not text.strip():
        problems.append(Problem("objection.statement", "is empty"))
    # a line break, an escape sequence or an invisible direction mark would reach every
    # reader's terminal or page as it is: a statement is one line of plain text
    refused = text_problem("objection.statement", text, limit)
    if refused is not None:
        problems.append(refused)
    if objection.answered_on is not None and on < objection.answered_on:
        problems.append(
            Problem("business_date", f"{on} is before the outcome ({objection.answered_on})")
        )
    return tuple(problems)


def review_problems(
    objection: Objection, by: str, on: date, approve: bool, note: str | None
) -> tuple[Problem, ...]:
    """Whether the desk may approve (or send back) the reply letter on `on`: there must be a
    letter (an outcome), not yet approved; a send-back says why."""
    if objection.outcome is None:
        return (
            Problem("ID", f"objection {objection.id} is open: there is no reply letter to review"),
        )
    review = objection.review or DRAFTED
    if review.status is LetterStatus.APPROVED:
        who = f" by {review.by}" if review.by else ""
        when = f" on {review.on}" if review.on else ""
        return (
            Problem("ID", f"the reply to objection {objection.id} was already approved{who}{when}"),
        )
    problems = []
    if not by.strip():
        problems.append(Problem("objection.reviewed_by", "is empty"))
    elif (refused := text_problem("objection.reviewed_by", by, 64)) is not None:
        problems.append(refused)
    if objection.answered_on is not None and on < objection.answered_on:
        problems.append(
            Problem(
                "business_date", f"{on} is before the letter was drafted ({objection.answered_on})"
            )
        )
    if not approve and not (note or "").strip():
        problems.append(Problem("objection.note", "a letter sent back says why"))
    return tuple(problems)
