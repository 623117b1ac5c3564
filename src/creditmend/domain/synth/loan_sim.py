"""One loan's life through the real ledger, and its month-end figures as CMF v1 records."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, NamedTuple

from creditmend.domain.calendar import month_end
from creditmend.domain.creditfile.evidence import PLATFORM_FAILURE_REMARK
from creditmend.domain.loan.contract import Contract
from creditmend.domain.loan.delinquency import days_past_due
from creditmend.domain.loan.events import (
    ChargeOff,
    DeductionFailed,
    DeductionFailure,
    DeductionSucceeded,
    EarlySettlement,
    LoanEvent,
    Payment,
    PaymentSource,
    Restructure,
    RestructureKind,
)
from creditmend.domain.loan.fold import new_ledger
from creditmend.domain.loan.ledger import Ledger
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.money import ACCRUAL_CONTEXT, ZERO
from creditmend.domain.synth.people import (
    PLATFORM_FAULT,
    Archetype,
    Platform,
    _between,
    _iso,
    _money,
)

if TYPE_CHECKING:
    from creditmend.domain.synth.person_sim import PersonSim


@dataclass(slots=True)
class Conduct:
    """How a borrower treats one loan; `stress_on` starts a run of misses ended by a restructure."""

    kind: Archetype
    default_on: date | None
    autopay: bool
    stress_on: date | None = None
    restructure_planned: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    furnisher_id: str
    last_balance: Decimal
    first_due: date | None
    charged_off_on: date | None
    closed_on: date | None


_FEN = Decimal("0.01")


class LoanSim:
    """One loan, event by event: decide at each due date from the ledger's own amount due, carry
    out planned actions (cures, charge-offs, restructures) and report at every month end."""

    def __init__(
        self, person: PersonSim, contract: Contract, platform: Platform, conduct: Conduct
    ) -> None:
        self.person, self.contract, self.platform, self.conduct = (
            person,
            contract,
            platform,
            conduct,
        )
        self.rng = person.rng
        self.account_type = platform.account_type  # as CMF v1 names the kind of account
        self.ledger = new_ledger(contract, person.world.profile, person.world.calendar)
        self.events: list[LoanEvent] = []
        self.plans: list[tuple[date, int, str, Decimal]] = []
        self.delinquent = False  # a miss is open: a cure, a restructure or a charge-off is planned
        self.first_delinquency: date | None = None
        self.notice: date | None = None
        self.counted = 0  # allocations already reported as paid
        self.reported_dpd = 0
        self.restructure_kind: RestructureKind | None = None
        self.last_balance = ZERO
        # The days the platform's own debit run failed (not the bank's): an overdue that began
        # on one of them is furnished with the platform's remark (`PLATFORM_FAILURE_REMARK`).
        self.platform_failed_on: set[date] = set()

    def run(self) -> Outcome:
        with localcontext(ACCRUAL_CONTEXT):
            return self._run()

    def _run(self) -> Outcome:
        ledger, last_day = self.ledger, self.person.world.last_day
        month = month_end(self.contract.disbursed_on)
        while True:
            dues = ledger.dues
            due = dues[ledger.next_due].due_on if ledger.next_due < len(dues) else None
            plan = self.plans[0][0] if self.plans else None
            day = min(d for d in (due, plan, month) if d is not None)
            if day > last_day:
                break
            if day == due:
                ledger.advance_to(day)
                self._decide(day)
            elif day == plan:
                _, _, action, value = heapq.heappop(self.plans)
                self._act(day, action, value)
            else:
                if self._report(month):
                    break
                month = month_end(month + timedelta(days=1))
        return self._finish()

    def _finish(self) -> Outcome:
        """Hand the failed debits to the person and say how the account ended."""
        ledger = self.ledger
        # The ledger's own attempt records, as `view.loan_state` publishes them (a whole state
        # per loan would cost a fifth of the run).
        for attempt in ledger.attempts:
            if not attempt.succeeded:
                balance = attempt.bank_balance
                self.person.failures.append({
                    "furnisher_id": self.platform.code, "account_id": self.contract.id,
                    **self.person.identity(), "attempted_on": attempt.on.isoformat(),
                    "reason": attempt.reason, "amount_due": _money(attempt.amount_due),
                    "bank_balance": None if balance is None else _money(balance),
                    "balance_was_sufficient": None if balance is None
                    else balance >= attempt.amount_due})  # fmt: skip
        first_due = dues[0].due_on if (dues := ledger.dues) else None
        return Outcome(self.platform.code, self.last_balance, first_due,
                        ledger.charged_off_on, ledger.closed_on)  # fmt: skip

    def _apply(self, event: LoanEvent) -> None:
        self.ledger.apply(event)
        self.events.append(event)

    def _plan(self, day: date, action: str, value: Decimal = ZERO) -> None:
        heapq.heappush(self.plans, (day, len(self.events) * 64 + len(self.plans), action, value))

    def _fail(self, day: date, reason: DeductionFailure, balance: Decimal) -> None:
        if self.conduct.autopay:
            self._apply(DeductionFailed(day, reason, balance))

    def _decide(self, day: date) -> None:
        """The due date of an instalment: the debit goes through, fails, or a miss continues."""
        ledger, rng, conduct, kind = self.ledger, self.rng, self.conduct, self.conduct.kind
        amount = ledger.amount_due()
        if amount <= ZERO or ledger.charged_off_on is not None:
            return
        broke = (amount * Decimal(rng.randint(0, 80)) / 100).quantize(_FEN)
        defaulting = conduct.default_on is not None and day >= conduct.default_on
        stressed = conduct.stress_on is not None and day >= conduct.stress_on
        if defaulting or stressed or self.delinquent:
            self._fail(day, DeductionFailure.INSUFFICIENT_FUNDS, broke)
            if not self.delinquent and stressed:
                self._plan(day + timedelta(rng.randint(30, 90)), "restructure")
            elif not self.delinquent and defaulting:
                wait = self.platform.charge_off_days + rng.randint(1, 5)
                self._plan(day + timedelta(wait), "charge_off")
            if defaulting and rng.random() < 0.2:
                share = Decimal(rng.randint(10, 30)) / 100
                self._plan(day + timedelta(rng.randint(3, 20)), "partial", share)
            self.delinquent = True
            return
        draw = rng.random()
        if conduct.autopay and (self.person.fault_pending or draw < PLATFORM_FAULT):
            self.person.fault_pending = False
            reason = rng.choice((DeductionFailure.PLATFORM_ERROR, DeductionFailure.BANK_ERROR))
            extra = Decimal(rng.randint(0, 200_000)) / 100
            self._apply(DeductionFailed(day, reason, amount + extra))
            if reason is DeductionFailure.PLATFORM_ERROR:
                self.platform_failed_on.add(day)
            self.person.tags.add("platform_fault")
            self.delinquent = True
            self._plan(day + timedelta(rng.randint(1, 12)), "pay_due")
        elif draw < PLATFORM_FAULT + kind.miss:
            self._fail(day, DeductionFailure.INSUFFICIENT_FUNDS, broke)
            self.delinquent = True
            self._plan(day + timedelta(_between(rng, *kind.cure_days)), "pay_due")
        else:
            paid: LoanEvent = (
                DeductionSucceeded(day, amount) if conduct.autopay else Payment(day, amount)
            )
            self._apply(paid)
            if rng.random() < kind.settle_early / self.contract.term_months:
                self._plan(day + timedelta(rng.randint(1, 25)), "settle")

    def _act(self, day: date, action: str, value: Decimal) -> None:
        ledger, rng = self.ledger, self.rng
        if ledger.closed_on is not None:
            return
        charged_off = ledger.charged_off_on is not None
        if action == "recover":
            source = PaymentSource.GUARANTOR if self.platform.kind == "bank" else (
                PaymentSource.BORROWER)  # fmt: skip
            ledger.advance_to(day)
            self._apply(Payment(day, ledger.payoff(), source))
            return
        if charged_off:
            return
        ledger.advance_to(day)
        if action == "pay_due":
            self._apply(Payment(day, ledger.amount_due()))
            self.delinquent = False
        elif action == "partial":
            part = (ledger.amount_due() * value).quantize(_FEN)
            if part > ZERO:
                self._apply(Payment(day, part))
        elif action == "settle" and not self.delinquent:
            self._apply(EarlySettlement(day))
        elif action == "charge_off" and days_past_due(ledger.dues, day):
            self._apply(ChargeOff(day))
            self.person.tags.add("charge_off")
            if rng.random() < 0.15:
                self._plan(day + timedelta(rng.randint(30, 180)), "recover")
        elif action == "restructure":
            extension = rng.random() < 0.5
            self.restructure_kind = (
                RestructureKind.EXTENSION if extension else RestructureKind.REINSTALMENT
            )
            months = rng.randint(3, 12) if extension else rng.randint(6, 24)
            waive = rng.random() < 0.5
            self._apply(Restructure(day, self.restructure_kind, months, waive_penalty=waive))
            self.person.tags.add("restructure")
            self.conduct.stress_on = None
            self.delinquent = False

    def _report(self, month: date) -> bool:
        """Write the CMF v1 record of the month ending on `month`; True once the loan is closed.

        The figures are `view.loan_state`'s, read straight from the ledger: publishing a whole
        `LoanState` (every instalment and payment as Money) every month would cost ten times the
        simulation itself. A unit test checks these figures against `loan_state`.
        """
        ledger, person = self.ledger, self.person
        ledger.advance_to(month)
        figures = furnished_figures(ledger, month)
        dpd, balance = figures.days_past_due, figures.balance
        closed, charged = ledger.closed_on, ledger.charged_off_on
        revolving = self.contract.is_revolving
        if revolving and charged is None:
            closed = None  # a credit line paid off stays open: the next purchase draws on it
        payments = ledger.payments
        paid = sum((p.amount for p in payments[self.counted :]), ZERO)
        self.counted = len(payments)
        if dpd and self.first_delinquency is None:
            self.first_delinquency = month - timedelta(days=dpd - 1)
            self.notice = min(self.first_delinquency + timedelta(self.rng.randint(0, 3)), month)
            check = min(self.first_delinquency + timedelta(self.rng.randint(1, 20)), month)
            person._inquiry(check, self.platform.code, "post_loan_management")
        if self.reported_dpd and not dpd and charged is None:
            person.tags.add("cure")
        self.reported_dpd = dpd
        remarks = []
        status = "open"
        if closed is not None:
            status = "settled"
            code = ledger.close_code or ""
            remarks += {"D": ["guarantor_paid"], "Z": ["asset_repaid"]}.get(code, [])
        elif charged is not None:
            status = "charged_off"
            if person.person.archetype == "fraud":
                remarks.append("fraud")
        elif ledger.restructured_on:
            status = "restructured"
        if self.restructure_kind and any(
            (d.year, d.month) == (month.year, month.month) for d in ledger.restructured_on
        ):
            # The codes of the shipped CMF v1 schema: 展期 and 个性化分期 (a negotiated plan).
            extension = self.restructure_kind is RestructureKind.EXTENSION
            remarks.append("extension" if extension else "negotiated_repayment")
        if dpd and month - timedelta(days=dpd) in self.platform_failed_on:
            # The oldest unpaid instalment fell due on a day the platform's own debit failed:
            # the platform says so, and the bureau's objection check accepts its word.
            remarks.append(PLATFORM_FAILURE_REMARK)
        self.last_balance = balance
        contract = self.contract
        person.cmf.append({
            "furnisher_id": self.platform.code, "account_id": contract.id,
            "period": f"{month:%Y-%m}", **person.identity(),
            "account_type": self.account_type, "currency": contract.currency,
            "opened_on": contract.disbursed_on.isoformat(),
            "principal": None if revolving else _money(contract.principal.amount),
            "credit_limit": _money(contract.principal.amount) if revolving else None,
            "term_months": None if revolving else contract.term_months,
            "scheduled_amount": _money(figures.scheduled),
            "paid_amount": _money(paid), "balance": _money(balance),
            "past_due_amount": _money(figures.past_due), "days_past_due": dpd, "status": status,
            "closed_on": _iso(closed),
            "last_payment_on": _iso(payments[-1].on if payments else None),
            "first_delinquency_on": _iso(self.first_delinquency),
            "negative_notice_on": _iso(self.notice), "remarks": remarks})  # fmt: skip
        return closed is not None


class MonthFigures(NamedTuple):
    balance: Decimal  # outstanding principal + overdue interest + penalty + fees due
    past_due: Decimal  # everything owed and past its due date (0 when days_past_due is 0)
    days_past_due: int
    scheduled: Decimal  # instalments falling due in the month (not those a charge-off posted)


def month_figures(ledger: Ledger, as_of: date) -> MonthFigures:
    """The month-end figures of a ledger standing at `as_of`, by `view.loan_state`'s formulas."""
    open_dues = [d for d in ledger.dues if d.posted and d.paid_off_on is None]
    overdue = [d for d in open_dues if d.due_on < as_of]
    penalty = ledger.penalty_out + ledger.compound_out + sum(ledger.pending_penalty(), ZERO)
    balance = (
        ledger.performing
        + ledger.fees_out
        + penalty
        + sum((d.principal_out + d.penalty_out + d.fee_out for d in open_dues), ZERO)
        + sum((d.interest_out for d in overdue), ZERO)
    )
    dpd = days_past_due(ledger.dues, as_of)
    past_due = ZERO
    if dpd:
        owed = ledger.fees_out + penalty + sum((d.outstanding() for d in overdue), ZERO)
        past_due = min(balance, owed)
    charged, closed = ledger.charged_off_on, ledger.closed_on
    scheduled = ZERO
    for due in ledger.dues:
        on = due.due_on
        if (on.year, on.month) != (as_of.year, as_of.month) or (
            (charged is not None and on >= charged) or (closed is not None and on > closed)
        ):
            continue
        interest = due.interest if due.posted else due.scheduled_interest + due.carried_interest
        scheduled += due.principal + interest + due.carried_penalty + due.fee + due.carried_fee
    return MonthFigures(balance, past_due, dpd, scheduled)


def furnished_figures(ledger: Ledger, as_of: date) -> MonthFigures:
    """The month end as a platform furnishes it (CMF v1): an instalment loan's `month_figures`;
    for a revolving account, as bureaus take a credit line (the utilisation is read from it):

    - `balance`: the balance of the statement cut in the month (what it billed plus the arrears
      on its statement day; 0 in a month no statement was cut because nothing was owed), at
      least the past-due amount (a late fee or penalty since the statement is owed at once);
    - `scheduled`: that statement's minimum due (its own minimum plus the arrears);
    - `past_due`, `days_past_due`: as for any loan (the unpaid minimums, fees and penalty);
    - a charged-off account: everything owed, as for any loan (no statement is cut any more).
    """
    figures = month_figures(ledger, as_of)
    if not isinstance(ledger, RevolvingLedger) or ledger.charged_off_on is not None:
        return figures
    balance = scheduled = ZERO
    for statement in reversed(ledger.statements):
        on = statement.statement_on
        if on > as_of:
            continue
        if (on.year, on.month) == (as_of.year, as_of.month):
            balance, scheduled = statement.balance, statement.minimum_due
        break
    return figures._replace(balance=max(balance, figures.past_due), scheduled=scheduled)
