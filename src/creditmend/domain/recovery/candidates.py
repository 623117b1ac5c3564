"""Objection candidates: overdue months the borrower did not cause, found in the loans' events.

The source article's second piece of advice: find why an overdue happened, and object to a record
you did not cause, such as an auto-debit that failed although the card held enough on the due
date. The advisor asks the bureau's own question the bureau's own way: it builds, for the month
the failed debit made overdue, the due day the bureau would read from the furnished month
(`creditfile.evidence.due_day_of`: the day before the first delinquency, the scheduled amount)
and the evidence the borrower would attach (the failed debit, the balance on the day, the
payments of the month), and runs the bureau's automatic check (`deduction_finding`) on them. A
candidate is a month the check finds grounded, so filing it gets the bureau's proposal to
correct the month rather than a refusal.

A candidate needs (a) a failed debit with a reason on the platform's or bank's side, or with a
bank balance at least the amount due, (b) on or before the plan's date, (c) in a month whose end
is reported overdue (under the plan: a month still running ends as the plan leaves it; paying
before the month's end leaves no record at all, which beats any objection). One candidate per
month: several failed retries of a month are one record and one evidence file.

The months "as furnished" are built here for the forecast too (`furnished_months`): the ledger's
month-end figures as the synthetic furnisher reports them, with the plan's payments applied
after the loan's history exactly as `simulate` applies them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import Any, NamedTuple

from creditmend.domain.calendar import BusinessCalendar, add_months, month_end
from creditmend.domain.creditfile.evidence import (
    NOT_BORROWER_SIDE,
    Attempt,
    Dated,
    Evidence,
    deduction_finding,
    due_day_of,
)
from creditmend.domain.creditfile.furnishing import ASSET_REPAID, GUARANTOR_PAID, AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import MonthRow
from creditmend.domain.loan.events import (
    DeductionSucceeded,
    LoanEvent,
    Payment,
    Restructure,
    RestructureKind,
)
from creditmend.domain.loan.fold import new_ledger
from creditmend.domain.loan.ledger import Ledger, LedgerError
from creditmend.domain.loan.state import DeductionAttempt
from creditmend.domain.money import ACCRUAL_CONTEXT, ZERO, Money
from creditmend.domain.problems import ProblemsError
from creditmend.domain.recovery.plan_input import PlanInput, PlanLoan
from creditmend.domain.recovery.simulate import LoanOutcome, Outcome
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.synth.loan_sim import furnished_figures

REASON = "deduction_failed_not_my_fault"
# A furnisher code and an account number may hold neither spaces nor colons (record references).
_NOT_IN_CODE = re.compile(r"[\s:]+")
_NOT_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


# ---------------------------------------------------------------- the months as furnished
@dataclass(frozen=True, slots=True)
class AccountRef:
    """Where the bureau files a loan: the furnisher's code, its account number, its kind."""

    furnisher: str
    account_id: str
    furnisher_kind: str = "non_bank"
    known: bool = True  # False: guessed from a self-entered loan (platform name, own id)

    def record(self, month: str) -> str:
        """The reference of one month's status, as the subject objects to it."""
        return f"account:{self.furnisher}:{self.account_id}:{month}"


def account_refs(
    plan_input: PlanInput, given: Mapping[str, AccountRef] | None = None
) -> dict[str, AccountRef]:
    """Every loan's reference: the one given (from the bureau's data), else the platform's name
    and the loan's id, marked as not known."""
    refs: dict[str, AccountRef] = {}
    for loan in plan_input.loans:
        found = (given or {}).get(loan.id)
        if found is None:
            code = _NOT_IN_CODE.sub("-", loan.contract.platform.strip() or loan.id)
            found = AccountRef(code, _NOT_IN_CODE.sub("-", loan.id), known=False)
        refs[loan.id] = found
    return refs


class FurnishedMonth(NamedTuple):
    """One month end of a loan as its platform would furnish it (CMF v1's figures)."""

    period: date  # first day of the month
    status: str  # open | settled | charged_off | restructured
    days_past_due: int
    scheduled: Decimal
    paid: Decimal
    balance: Decimal
    past_due: Decimal
    last_payment_on: date | None
    closed_on: date | None
    first_delinquency_on: date | None  # the first overdue day of the running episode
    remarks: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.period:%Y-%m}"

    def row(self) -> MonthRow:
        return MonthRow(
            self.period,
            self.days_past_due,
            self.past_due,
            self.status,
            self.last_payment_on,
            self.closed_on,
        )

    def facts(self) -> MonthFacts:
        return MonthFacts(
            AccountStatus(self.status),
            self.days_past_due,
            self.scheduled,
            self.paid,
            self.past_due,
            self.remarks,
        )


def planned_payments(loan: LoanOutcome) -> tuple[Payment, ...]:
    """The plan's payments to one loan as the simulation made them (day, amount): up to two a
    month, the arrears on the money day and the rest on the due day."""
    return tuple(Payment(on, amount.amount) for on, amount in loan.payments)


def _line_open(ledger: Ledger) -> bool:
    """A revolving account not charged off: open whatever it owes (a purchase draws on it)."""
    return ledger.contract.is_revolving and ledger.charged_off_on is None


def _status(ledger: Ledger) -> tuple[str, tuple[str, ...]]:
    if ledger.closed_on is not None and not _line_open(ledger):
        remarks = {"D": (GUARANTOR_PAID,), "Z": (ASSET_REPAID,)}.get(ledger.close_code or "", ())
        return AccountStatus.SETTLED.value, remarks
    if ledger.charged_off_on is not None:
        return AccountStatus.CHARGED_OFF.value, ()
    if ledger.restructured_on:
        return AccountStatus.RESTRUCTURED.value, ()
    return AccountStatus.OPEN.value, ()


def furnished_months(
    loan: PlanLoan,
    payments: Sequence[LoanEvent],
    until: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> tuple[FurnishedMonth, ...]:
    """The loan's month ends from disbursement to `until`'s month (or its closing month), with
    its own events and then `payments` (the plan's, all on or after the history)."""
    ledger = new_ledger(loan.contract, profile, calendar)
    history = sorted(enumerate(loan.events), key=lambda pair: pair[1].on)
    events = [*((f"{loan.field}.events[{i}]", e) for i, e in history)]
    events += [(f"{loan.field}.plan", e) for e in sorted(payments, key=lambda e: e.on)]
    events.sort(key=lambda pair: pair[1].on)  # stable: the history first on a shared day
    kinds = {(e.on.year, e.on.month): e.kind for _, e in events if isinstance(e, Restructure)}
    months: list[FurnishedMonth] = []
    month, last = loan.contract.disbursed_on.replace(day=1), until.replace(day=1)
    position, counted = 0, 0
    first_delinquency: date | None = None
    while month <= last:
        end = month_end(month)
        cured: date | None = None  # the plan's payment of the month that paid every arrear
        with localcontext(ACCRUAL_CONTEXT):
            while position < len(events) and events[position][1].on <= end:
                where, event = events[position]
                owing = False
                try:
                    if where.endswith(".plan") and cured is None:
                        ledger.advance_to(event.on)
                        owing = ledger.amount_due() > ZERO
                    ledger.apply(event)
                except LedgerError as error:
                    raise ProblemsError((error.problem(f"{where}."),)) from None
                if owing and ledger.amount_due() == ZERO:
                    cured = event.on
                position += 1
            ledger.advance_to(end)
        figures = furnished_figures(ledger, end)
        status, remarks = _status(ledger)
        kind = kinds.get((month.year, month.month))
        if kind is not None:  # the shipped CMF v1 codes of 展期 and 个性化分期
            extension = kind is RestructureKind.EXTENSION
            remarks += ("extension" if extension else "negotiated_repayment",)
        # A credit line paid off stays open and furnished (docs/bureau.md, revolving accounts).
        closed = ledger.closed_on is not None and not _line_open(ledger)
        balance, past_due, dpd = (
            (ZERO, ZERO, 0)
            if closed
            else (figures.balance, figures.past_due, figures.days_past_due)
        )
        if dpd and (first_delinquency is None or not months or not months[-1].days_past_due):
            first_delinquency = end - timedelta(days=dpd - 1)
        elif not dpd:
            first_delinquency = None
        payments_made = ledger.payments
        months.append(
            FurnishedMonth(
                month,
                status,
                dpd,
                figures.scheduled,
                sum((p.amount for p in payments_made[counted:]), ZERO),
                balance,
                past_due,
                # The day the overdue ended, as `simulate` reads it (the arrears' money day).
                cured
                if cured is not None and not dpd
                else payments_made[-1].on
                if payments_made
                else None,
                ledger.closed_on if closed else None,
                first_delinquency,
                remarks,
            )
        )
        counted = len(payments_made)
        if closed:
            break
        month = add_months(month, 1)
    return tuple(months)


# ---------------------------------------------------------------- the candidates
@dataclass(frozen=True, slots=True)
class ObjectionCandidate:
    loan_id: str
    platform: str
    record: str  # account:FURNISHER:ACCOUNT_ID:YYYY-MM, the month the failed debit made overdue
    reference_known: bool  # False: the furnisher code and account number are the plan's guesses
    month: str  # YYYY-MM
    failed: tuple[DeductionAttempt, ...]  # the month's failed debits that ground it
    amount_due: Money  # what the bureau reads as due that day (the month's scheduled amount)
    evidence: Evidence  # to attach, as the bureau's evidence file
    evidence_file: str  # a file name to save it under
    finding: tuple[str, ...]  # the bureau's check, in its words
    command: str  # the line that files it
    months_cleared: tuple[str, ...]  # overdue months that go if it is upheld
    months_still_overdue: tuple[str, ...]  # the rest of the same overdue run, which stays
    record_removed: bool  # the whole negative record goes (its run was this month alone)
    reason: str = REASON


def objection_candidates(
    plan_input: PlanInput,
    outcome: Outcome,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    *,
    refs: Mapping[str, AccountRef] | None = None,
    id_type: str = "ID_TYPE",
    id_number: str = "ID_NUMBER",
) -> tuple[ObjectionCandidate, ...]:
    """Every month the bureau's check would find not the borrower's fault, under the outcome's
    plan (as of its date). `id_type`/`id_number` go into the command; placeholders when the
    service does not know them (a self-entered plan)."""
    as_of = outcome.horizon.as_of
    chosen = account_refs(plan_input, refs)
    results = {loan.loan_id: loan for loan in outcome.loans}
    found: list[ObjectionCandidate] = []
    for loan in plan_input.loans:
        result = results[loan.id]
        failed = [
            attempt
            for attempt in result.final.deduction_attempts
            if not attempt.succeeded
            and attempt.on <= as_of
            and (attempt.reason in NOT_BORROWER_SIDE or attempt.balance_was_sufficient)
        ]
        if not failed:
            continue
        months = furnished_months(
            loan, planned_payments(result), outcome.horizon.end, profile, calendar
        )
        index = {month.period: position for position, month in enumerate(months)}
        by_month: dict[int, list[DeductionAttempt]] = {}
        for attempt in failed:
            position = index.get(attempt.on.replace(day=1))
            if position is not None and months[position].days_past_due > 0:
                by_month.setdefault(position, []).append(attempt)
        for position, attempts in sorted(by_month.items()):
            candidate = _candidate(
                loan, chosen[loan.id], months, position, attempts, as_of, id_type, id_number
            )
            if candidate is not None:
                found.append(candidate)
    return tuple(found)


def _evidence(
    loan: PlanLoan, attempts: Sequence[DeductionAttempt], month: FurnishedMonth, as_of: date
) -> Evidence:
    """The failed debits of the month, the balances the borrower gave for those days, and the
    borrower's own payments of the month from the first failure on (what happened, no more)."""
    first = min(attempt.on for attempt in attempts)
    end = min(month_end(month.period), as_of)
    payments = tuple(
        Dated(event.on, event.amount)
        for event in sorted(loan.events, key=lambda e: e.on)
        if isinstance(event, Payment | DeductionSucceeded) and first <= event.on <= end
    )
    return Evidence(
        bank_balances=tuple(
            Dated(a.on, a.bank_balance.amount) for a in attempts if a.bank_balance is not None
        ),
        payments=payments,
        deduction_attempts=tuple(Attempt(a.on, False, a.reason) for a in attempts),
    )


def _run_around(months: Sequence[FurnishedMonth], position: int) -> tuple[int, int]:
    """The first and last index of the overdue run holding `position`."""
    start = end = position
    while start > 0 and months[start - 1].days_past_due > 0:
        start -= 1
    while end + 1 < len(months) and months[end + 1].days_past_due > 0:
        end += 1
    return start, end


def _candidate(
    loan: PlanLoan,
    ref: AccountRef,
    months: Sequence[FurnishedMonth],
    position: int,
    attempts: Sequence[DeductionAttempt],
    as_of: date,
    id_type: str,
    id_number: str,
) -> ObjectionCandidate | None:
    month = months[position]
    due = due_day_of(
        month.period, month.scheduled, month.past_due, month.first_delinquency_on, month.remarks
    )
    evidence = _evidence(loan, attempts, month, as_of)
    finding = deduction_finding(due, evidence)
    if not finding.grounded:
        return None
    record = ref.record(month.label)
    name = _NOT_IN_FILE_NAME.sub("-", f"evidence-{ref.account_id}-{month.label}.json")
    command = shlex.join(
        [
            "creditmend", "object", "file", id_type, id_number, "--record", record,
            "--reason", REASON, "--evidence", name,
        ]
    )  # fmt: skip
    start, end = _run_around(months, position)
    return ObjectionCandidate(
        loan_id=loan.id,
        platform=loan.contract.platform or loan.id,
        record=record,
        reference_known=ref.known,
        month=month.label,
        failed=tuple(attempts),
        amount_due=Money(due.amount_due, loan.contract.currency),
        evidence=evidence,
        evidence_file=name,
        finding=finding.summary,
        command=command,
        months_cleared=(month.label,),
        months_still_overdue=tuple(
            months[index].label for index in range(start, end + 1) if index != position
        ),
        record_removed=start == end,
    )


def candidates_json(candidates: Sequence[ObjectionCandidate]) -> list[dict[str, Any]]:
    """The `objection_candidates` key of the plan's JSON; `evidence` is the file to attach."""
    return [
        {
            "loan_id": c.loan_id,
            "platform": c.platform,
            "record": c.record,
            "reference_known": c.reference_known,
            "month": c.month,
            "failed_debits": [
                {
                    "on": a.on.isoformat(),
                    "reason": a.reason,
                    "bank_balance": None if a.bank_balance is None else str(a.bank_balance.amount),
                    "amount_due": str(a.amount_due.amount),
                }
                for a in c.failed
            ],
            "amount_due": str(c.amount_due.amount),
            "reason": c.reason,
            "evidence": c.evidence.to_json(),
            "evidence_file": c.evidence_file,
            "finding": list(c.finding),
            "command": c.command,
            "if_upheld": {
                "months_cleared": list(c.months_cleared),
                "months_still_overdue": list(c.months_still_overdue),
                "record_removed": c.record_removed,
            },
        }
        for c in candidates
    ]
