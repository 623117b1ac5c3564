"""Inquiries and reports: consented third-party looks and self-inquiries, each logged before it
is answered, each answered with the online-loan report as of the inquiry's day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from creditmend.domain.creditfile.furnishing import IdType
from creditmend.domain.creditfile.inquiry import (
    SELF,
    DailyQuota,
    InquiryEntry,
    InquiryRequest,
    QuotaExceededError,
    consent_term_problems,
    is_hard,
    validate_inquiry,
)
from creditmend.domain.creditfile.retention import retention_rules
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.report.build import ReportRequest, build_report
from creditmend.domain.report.file import CreditFileFacts, LookFacts, VisibleFile, visible_file
from creditmend.domain.report.model import Report
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.scorecard import Scorecard
from creditmend.domain.scoring.whatif import Change, WhatIf, WhatIfError, check_change, what_if
from creditmend.domain.text import escaped
from creditmend.services.conflicts import rerun_on_conflict
from creditmend.services.ports import (
    AuditLog,
    CreditFileReader,
    FurnisherRegistry,
    InquiryLog,
    PersonDirectory,
)


def normal_id(id_number: str) -> str:
    """An identity number as the bureau keys it, however it was typed: no blanks around it, its
    check letter (the X of a resident identity number) in upper case."""
    return id_number.strip().upper()


def income_problems(monthly_income: Decimal | None) -> tuple[Problem, ...]:
    """Monthly income, when given, divides the debt-to-income ratio: more than zero."""
    if monthly_income is not None and monthly_income <= 0:
        return (Problem("inquiry.monthly_income", "must be more than 0"),)
    return ()


@dataclass(frozen=True, slots=True)
class InquiryService:
    furnisher_registry: FurnisherRegistry
    person_directory: PersonDirectory
    credit_file_reader: CreditFileReader
    inquiry_log: InquiryLog
    audit_log: AuditLog
    profile: JurisdictionProfile
    id_is_valid: Callable[[str, str], bool]
    # Loaded when a report is scored, not when the service is built: commands that score
    # nothing do not read (or fail on) the model file.
    scorecard: Callable[[], Scorecard | None] = lambda: None

    def who_looked(
        self, id_type: str, id_number: str, at: datetime, by: str = "subject"
    ) -> list[LookFacts]:
        """The file's audit; reading it is audited too, as `by`'s look (the subject's own,
        or the desk user's in the portal)."""
        id_number = normal_id(id_number)
        self._check_id(id_type, id_number)
        return self.audit_log.who_looked(id_type, id_number, at, by)

    def inquire(
        self,
        request: InquiryRequest,
        at: datetime,
        monthly_income: Decimal | None = None,
        *,
        today: date | None = None,
        quota: DailyQuota | None = None,
    ) -> Report:
        """Log the inquiry, then answer it with the report as of its day. A refused inquiry
        (no consent, a furnisher not registered, a day before the data) is audited as such.
        With `today` (the business date of the look) the consent's term, when the request
        carries one, is checked too: a consent expired by then refuses the look. With `quota`
        (an API client's daily inquiries), one past it is refused (`QuotaExceededError`,
        audited as a refused look) by the store, in the transaction that would log it."""
        request = replace(request, id_number=normal_id(request.id_number))
        problems = validate_inquiry(
            request, self.profile, self.furnisher_registry.furnisher_codes()
        )
        if today is not None:
            problems += consent_term_problems(request, today)
        id_problems = self._id_problems(request.id_type, request.id_number)
        if id_problems:  # no identity anyone could hold: a mistyped question, not a look
            raise ProblemsError(problems + id_problems)
        with self._refusal_audited(request, at):
            if problems:
                raise ProblemsError(problems)
            self._check_as_of(request.on)
            if request.purpose == SELF:
                self._check_known(request.id_type, request.id_number)
        return self._answer(request, at, monthly_income, quota)

    @contextmanager
    def _refusal_audited(
        self,
        request: InquiryRequest,
        at: datetime,
        refusal: type[ProblemsError] = ProblemsError,
    ) -> Iterator[None]:
        """A look refused inside (a `refusal`) is audited (who, about whom, why refused), in its
        own transaction; the caller is refused with the same problems all the same."""
        try:
            yield
        except refusal as refused:
            # the trace keeps what was asked as its escaped form: a consent reference the
            # text door refused (a NUL, an escape sequence) is not stored raw either
            shown = replace(
                request,
                by=None if request.by is None else escaped(request.by),
                purpose=escaped(request.purpose),
                consent_ref=None if request.consent_ref is None else escaped(request.consent_ref),
            )
            self.audit_log.log_refusal(shown, escaped(str(refused)), at)
            raise

    def _answer(
        self,
        request: InquiryRequest,
        at: datetime,
        monthly_income: Decimal | None,
        quota: DailyQuota | None = None,
    ) -> Report:
        """Log a checked inquiry and answer it with the report as of its day."""
        problems = income_problems(monthly_income)
        if problems:  # before the look is logged: a refused question leaves no trace
            raise ProblemsError(problems)
        hard = is_hard(request.purpose, self.profile)
        with self._refusal_audited(request, at, QuotaExceededError):
            report_id, facts = self._record(request, hard, at, gives_report=True, quota=quota)
        return self.report_of(facts, request, report_id, monthly_income)

    def self_report(
        self,
        id_type: str,
        id_number: str,
        as_of: date,
        at: datetime,
        monthly_income: Decimal | None = None,
    ) -> Report:
        """A subject's own report (a soft self-inquiry)."""
        return self._answer(self._self_inquiry(id_type, id_number, as_of, at), at, monthly_income)

    def inquiries_by(
        self, furnisher: str, *, limit: int, before: int | None = None
    ) -> list[InquiryEntry]:
        """The inquiries `furnisher` made, newest first (a lender's own list: never another's)."""
        return self.inquiry_log.inquiries_by(furnisher, limit=limit, before=before)

    def what_if(
        self, id_type: str, id_number: str, as_of: date, change: Change, at: datetime
    ) -> WhatIf:
        """The subject's score now and after `change` (read as a self-inquiry, so logged)."""
        card = self.scorecard()
        if card is None:
            raise ProblemsError((Problem("scorecard", "no scorecard is installed"),))
        try:
            check_change(change)  # before the look: a refused question is not logged
            request = self._self_inquiry(id_type, id_number, as_of, at)
            _, facts = self._record(request, False, at, gives_report=False)
            view = self._view(facts, as_of)
            if view.is_empty:
                raise ProblemsError((Problem("ID_NUMBER", "no credit file: nothing to score"),))
            return what_if(card, view, change, self.profile, self.profile.currency)
        except WhatIfError as error:
            raise ProblemsError((error.problem(),)) from None

    def own_file(self, id_type: str, id_number: str, as_of: date, at: datetime) -> CreditFileFacts:
        """The subject's own file for their recovery plan: a self-inquiry (soft), logged like
        any other look, that returns the facts rather than a report."""
        request = self._self_inquiry(id_type, id_number, as_of, at)
        _, facts = self._record(request, False, at, gives_report=False)
        return facts

    def _record(
        self,
        request: InquiryRequest,
        hard: bool,
        at: datetime,
        *,
        gives_report: bool,
        quota: DailyQuota | None = None,
    ) -> tuple[str, CreditFileFacts]:
        """Log the look and read the file. Inquiries at once about someone new each make the
        person: the one that finds it made meanwhile was rolled back, and runs again."""
        return rerun_on_conflict(
            lambda: self.inquiry_log.record_inquiry(
                request, hard, at, gives_report=gives_report, quota=quota
            )
        )

    def _self_inquiry(
        self, id_type: str, id_number: str, as_of: date, at: datetime
    ) -> InquiryRequest:
        """The subject's own look, checked first: someone the bureau has never heard of is told
        so, and no person is made for them; the refused look is audited (by the identity's
        keyed hash)."""
        id_number = normal_id(id_number)
        self._check_id(id_type, id_number)
        request = InquiryRequest(id_type, id_number, None, SELF, None, as_of)
        with self._refusal_audited(request, at):
            self._check_as_of(as_of)
            self._check_known(id_type, id_number)
        return request

    def _check_known(self, id_type: str, id_number: str) -> None:
        """A self-inquiry about someone the bureau has never heard of (by whatever command)."""
        if self.person_directory.person_of(id_type, id_number) is None:
            raise ProblemsError(
                (
                    Problem(
                        "ID_NUMBER",
                        "unknown person: the bureau holds no credit file and no inquiry for "
                        "this identity",
                    ),
                )
            )

    def _view(self, facts: CreditFileFacts, as_of: date) -> VisibleFile:
        return visible_file(
            facts,
            as_of,
            self.profile,
            self.profile.dated_policies,
            retention_rules(self.profile),
        )

    def report_of(
        self,
        facts: CreditFileFacts,
        request: InquiryRequest,
        report_id: str,
        monthly_income: Decimal | None = None,
    ) -> Report:
        view = self._view(facts, request.on)
        ask = ReportRequest(report_id, request.on, request.purpose, request.by, monthly_income)
        return build_report(facts, view, ask, self.profile, self.scorecard())

    def _check_id(self, id_type: str, id_number: str) -> None:
        problems = self._id_problems(id_type, id_number)
        if problems:
            raise ProblemsError(problems)

    def _id_problems(self, id_type: str, id_number: str) -> tuple[Problem, ...]:
        if id_type not in {t.value for t in IdType}:
            known = ", ".join(t.value for t in IdType)
            return (Problem("ID_TYPE", f"unknown {id_type!r}; one of {known}"),)
        if not self.id_is_valid(id_type, id_number):
            return (Problem("ID_NUMBER", f"is not a valid {id_type} number"),)
        return ()

    def _check_as_of(self, as_of: date) -> None:
        check_as_of(self.credit_file_reader.data_starts(), as_of)


def check_as_of(starts: date | None, as_of: date) -> None:
    """An empty store, or a day before anything was known, has no file to show."""
    if starts is None:
        raise ProblemsError(
            (Problem("store", "the store is empty: ingest furnishing files first"),)
        )
    if as_of < starts:
        raise ProblemsError(
            (Problem("business_date", f"{as_of} is before the bureau's data starts ({starts})"),)
        )
