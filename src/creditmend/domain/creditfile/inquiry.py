"""Inquiries: every look at a credit file is itself a record the subject can see.

Art. 18 of Order 631: a third party needs the subject's written consent and a stated purpose.
Whether an inquiry is "hard" (it counts against the subject in multi-head indicators) is the
profile's data, not a code branch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from creditmend.domain.i18n import N_, Said
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.text import REFERENCE_MAX_CHARS, text_problem

SELF = "self_inquiry"


@dataclass(frozen=True, slots=True)
class InquiryRequest:
    id_type: str
    id_number: str
    by: str | None  # furnisher code; None for a self-inquiry
    purpose: str
    consent_ref: str | None
    on: date
    # Through the API (issue 17): the consent's term and the client asking, kept with the
    # inquiry (the quota counts a client's inquiries; the audit names the request).
    consent_signed_on: date | None = None
    consent_expires_on: date | None = None
    client_id: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class DailyQuota:
    """The inquiries an API client may make in a business day: at most `limit` from `since`
    (the day's first instant) on; `until` is the next day's first instant, when a refused
    client may ask again. The store checks and counts it in the transaction that logs the
    inquiry, so two inquiries at once cannot both take the last place."""

    limit: int
    since: datetime
    until: datetime


class QuotaExceededError(ProblemsError):
    """The client has made its day's inquiries: nothing was logged (a `quota` problem)."""

    def __init__(self, quota: DailyQuota) -> None:
        message = f"this client has made its {quota.limit} inquiries of the day"
        super().__init__((Problem("quota", message),))
        self.quota = quota


@dataclass(frozen=True, slots=True)
class InquiryEntry:
    """One logged inquiry as its maker sees it: the subject masked, never the number."""

    report_id: str
    number: int  # the inquiry's row: the cursor of a list
    id_type: str
    subject: str  # masked identity number
    purpose: str
    hard: bool
    consent_ref: str | None
    consent_signed_on: date | None
    consent_expires_on: date | None
    as_of: date
    at: datetime
    client_id: str | None


CONSENT_FIELD = "inquiry.consent_ref"
EXPIRED = "the consent expired on"
NO_CONSENT = "a third-party inquiry needs the subject's written consent (Order 631 Art. 18)"


def is_consent_refusal(problem: Problem) -> bool:
    """The problems that refuse a look for want of consent (none, or one no longer in force),
    as against a question asked wrongly: an interface answers them as forbidden (403)."""
    return problem.field == CONSENT_FIELD and (
        problem.message == NO_CONSENT or problem.message.startswith(EXPIRED)
    )


def consent_term_problems(request: InquiryRequest, today: date) -> tuple[Problem, ...]:
    """A consent's term, when given (the API asks for it): signed on a day that has come, ending
    on or after it (a wrong date: bad input), and in force today (else the look is refused for
    want of consent, `is_consent_refusal`). Art. 18 needs the consent when the file is read,
    so "today" is the business date of the look, whatever day the report is as of."""
    signed, expires = request.consent_signed_on, request.consent_expires_on
    problems: list[Problem] = []
    if signed is not None and signed > today:
        problems.append(Problem("consent.signed_on", f"{signed} is in the future"))
    if signed is not None and expires is not None and expires < signed:
        problems.append(Problem("consent.expires_on", f"{expires} is before signed_on {signed}"))
    if not problems and expires is not None and expires < today:
        problems.append(Problem(CONSENT_FIELD, f"{EXPIRED} {expires}: ask the subject again"))
    return tuple(problems)


# Why the bureau's own log shows a third-party inquiry made without consent (Art. 18): no
# consent reference was logged with it, or the look came after the consent's term ended or
# before it was signed. `consent_fault` names one of these.
NO_CONSENT_LOGGED = "no_consent_logged"
CONSENT_EXPIRED = "consent_expired"
CONSENT_NOT_YET_SIGNED = "consent_not_yet_signed"


def consent_fault(
    purpose: str,
    consent_ref: str | None,
    signed_on: date | None,
    expires_on: date | None,
    looked_on: date,
) -> str | None:
    """Why a logged inquiry had no consent in force on `looked_on` (the business day the file
    was read, as `consent_term_problems` judges it), from the log alone; None when it had one,
    or for the subject's own look. The bureau checks this before a look, so such an entry
    comes only from a store written otherwise (an older log, a migration): then the subject
    may have it deleted (`inquiry_without_consent`)."""
    if purpose == SELF:
        return None
    if not (consent_ref or "").strip():
        return NO_CONSENT_LOGGED
    return consent_term_fault(signed_on, expires_on, looked_on)


def consent_term_fault(
    signed_on: date | None, expires_on: date | None, looked_on: date
) -> str | None:
    """`CONSENT_EXPIRED` or `CONSENT_NOT_YET_SIGNED` when the look fell outside the consent's
    logged term; None when it fell inside or no term was logged (a look from the command line
    or a file of inquiries, whose consent has no term on record)."""
    if expires_on is not None and looked_on > expires_on:
        return CONSENT_EXPIRED
    if signed_on is not None and looked_on < signed_on:
        return CONSENT_NOT_YET_SIGNED
    return None


def look_day(at: datetime, profile: JurisdictionProfile) -> date:
    """The business day of a look made at the instant `at`: its date in the profile's zone (the
    day the clock called today then; an inquiry's own day is the day its report is as of,
    which may be earlier)."""
    return at.astimezone(ZoneInfo(profile.time_zone.value)).date()


def validate_inquiry(
    request: InquiryRequest, profile: JurisdictionProfile, known_furnishers: frozenset[str]
) -> tuple[Problem, ...]:
    problems: list[Problem] = []
    purposes = profile.inquiry_purposes
    if request.purpose not in purposes:
        problems.append(
            Problem("inquiry.purpose", f"unknown {request.purpose!r}; one of {', '.join(purposes)}")
        )
    if request.purpose == SELF and request.by:
        problems.append(
            Problem(
                "inquiry.by",
                "a self-inquiry is made by the subject; a furnisher "
                "asks with its purpose and the subject's consent",
            )
        )
    if request.purpose != SELF:
        if not request.by:
            problems.append(
                Problem("inquiry.by", "a third-party inquiry names the furnisher asking")
            )
        elif request.by not in known_furnishers:
            problems.append(Problem("inquiry.by", f"{request.by} is not a registered furnisher"))
        consent = text_problem(CONSENT_FIELD, request.consent_ref or "", REFERENCE_MAX_CHARS)
        if consent is not None:  # printed in the subject's report and in the audit
            problems.append(consent)
        elif not (request.consent_ref or "").strip():
            problems.append(Problem(CONSENT_FIELD, NO_CONSENT))
    return tuple(problems)


def is_hard(purpose: str, profile: JurisdictionProfile) -> bool:
    return profile.inquiry_purposes.get(purpose, False)


def self_report_notice(
    self_looks: Iterable[date], on: date, profile: JurisdictionProfile
) -> str | None:
    """What a subject is told when a self-report goes beyond the profile's free allowance
    (cn: two a calendar year, Art. 17). The report is still given: the right to see one's own
    file has no limit, only the free ones have. `self_looks` are the days of the subject's
    self-inquiries, this one included."""
    allowance = int(profile.free_self_reports_per_year.value)
    count = sum(1 for day in self_looks if day.year == on.year and day <= on)
    if count <= allowance:
        return None
    source = profile.free_self_reports_per_year.source
    return Said(
        N_(
            "self-report %(count)s this year: beyond the %(free)s free (%(source)s); "
            "a fee may apply"
        ),
        count=count,
        free=allowance,
        source=source,
    )
