"""The loan ledger: a contract folded over its events, exact to the day and to the fen.

The ledger walks from boundary to boundary (due dates, ends of grace, event dates) instead of day
by day: between two boundaries nothing changes but the number of days, so an accrual over a span
is balance x days. Accruals are kept as exact sums of balance x days ("bases") and become money,
rounded half up, only when they fall due (a due date, a payment, a waiver, a restructure). That is
why stopping the fold on any date and continuing later gives the same state as one fold.

Order on one date: instalments due that day are posted, late fees of instalments whose grace
ended the day before are charged, then the day's events apply in list order, then the ledger
accrues to the next boundary.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.loan.contract import Contract, PenaltyBasis
from creditmend.domain.loan.events import (
    ChargeOff,
    DeductionFailed,
    DeductionSucceeded,
    EarlySettlement,
    FeeCharged,
    LoanEvent,
    Payment,
    PaymentSource,
    Restructure,
    Waiver,
)
from creditmend.domain.loan.ledger_changes import charge_off, restructure, waive
from creditmend.domain.loan.orders import (
    CARRIED_FIELDS,
    DUE_FIELDS,
    pays_owed_first,
    settle_order,
    steps_in_advance,
)
from creditmend.domain.loan.records import Attempt, Credit, Due, PaymentRecord
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.money import HALF_UP, ZERO, RoundingPolicy, minor_unit
from creditmend.domain.problems import FieldError
from creditmend.domain.rules.profile import (
    AllocationOrder,
    AllocationRule,
    Component,
    DueState,
    GridCodes,
    JurisdictionProfile,
)


def close_code(source: PaymentSource, codes: GridCodes) -> str:
    """The month code of the month a loan is paid off, by who paid it."""
    if source is PaymentSource.GUARANTOR:
        return codes.guarantor
    if source is PaymentSource.ASSETS:
        return codes.assets
    return codes.settled


_PAST_DUE, _DUE = DueState.PAST_DUE, DueState.DUE


class LedgerError(FieldError):
    """An event that cannot apply: before disbursement, out of order, or on a closed loan."""


class Ledger:
    """Mutable working state of one loan; from outside use `fold.run`, `open_ledger`, `fold`."""

    def __init__(
        self,
        contract: Contract,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        rounding: RoundingPolicy = HALF_UP,
    ) -> None:
        self.contract = contract
        self.profile = profile
        self.calendar = calendar
        self.rounding = rounding
        self.currency = contract.currency
        self.days_in_year = int(profile.days_in_year.value)
        self.order: AllocationOrder = contract.allocation or profile.default_allocation
        self.owed_steps_first = pays_owed_first(self.order)
        self.steps_in_advance = steps_in_advance(self.order)
        # The order that settles the loan, and what allocation needs to know of it, made once
        # (comparing and hashing the rules is Python code).
        self.settle_order = settle_order(self.order)
        self.settle_facts = (
            pays_owed_first(self.settle_order),
            steps_in_advance(self.settle_order),
        )
        self.penalty_rate = contract.penalty.per_day(
            contract.rate, self.days_in_year, Decimal(profile.penalty_multiplier.value)
        )
        schedule = build_schedule(contract, calendar, self.days_in_year, rounding)
        self.dues: list[Due] = [
            Due(i.number, i.period, i.due_on, i.principal, i.fees, i.interest)
            for i in schedule.installments
        ]
        self.performing = contract.principal.amount  # principal not yet due
        self.cursor = contract.disbursed_on
        self.interest_basis = ZERO  # performing balance x days, current period
        self.interest_prepaid = ZERO  # current period's interest paid in advance
        self.penalty_basis = ZERO  # overdue base x days, not yet posted
        zero = ZERO.quantize(minor_unit(self.currency))  # what rounding zero gives
        self.no_penalty = (zero, zero)
        self.compound_basis = ZERO
        self.penalty_out = ZERO
        self.compound_out = ZERO
        self.fees_out = ZERO
        self.credit: list[Credit] = []
        self.payments: list[PaymentRecord] = []
        self.attempts: list[Attempt] = []
        self.waived = ZERO
        self.closed_on: date | None = None
        self.close_code: str | None = None
        self.charged_off_on: date | None = None
        self.restructured_on: list[date] = []
        self.next_due = 0  # index of the first unposted due
        self.first_open = 0  # index of the oldest posted due not yet paid off
        self.boundaries: list[date] = []
        self.boundary_index = 0
        self._plan_boundaries()

    # ---------------------------------------------------------------- time
    def _plan_boundaries(self) -> None:
        grace = self.contract.grace_days
        late_fee = self.contract.penalty.late_fee is not None
        dates: set[date] = set()
        for due in self.dues[self.next_due :]:
            dates.add(due.due_on)
            if grace:
                dates.add(due.due_on + timedelta(days=grace))
            if late_fee:
                dates.add(due.due_on + timedelta(days=grace + 1))
        self.boundaries = sorted(d for d in dates if d >= self.cursor)
        self.boundary_index = 0

    def advance_to(self, day: date) -> None:
        """Accrue and post everything up to and including the boundaries on `day`."""
        if day < self.cursor:
            raise LedgerError("on", f"{day} is before the ledger's date {self.cursor}")
        boundaries = self.boundaries
        index = self.boundary_index
        while index < len(boundaries) and boundaries[index] <= day:
            boundary = boundaries[index]
            self._accrue(boundary)
            self.boundary_index = index = index + 1
            self._on_boundary(boundary)
        if day > self.cursor:
            self._accrue(day)

    def _accrue(self, to: date) -> None:
        days = (to - self.cursor).days
        if days <= 0:
            self.cursor = max(self.cursor, to)
            return
        start = self.cursor
        self.cursor = to
        if self.closed_on is not None or self.charged_off_on is not None:
            return
        dues, next_due = self.dues, self.next_due
        if next_due < len(dues) and start >= dues[next_due].period.start:
            self.interest_basis += self.performing * days
        if self.first_open == next_due:
            return  # nothing overdue: no penalty accrues (most spans of most loans)
        penalty = self.contract.penalty
        grace = self.contract.grace_days
        by_installment = penalty.basis is PenaltyBasis.OVERDUE_INSTALLMENT
        compound = penalty.compound_interest
        base = ZERO
        compound_base = ZERO
        for due in dues[self.first_open : next_due]:
            if due.paid_off_on is not None or (start - due.due_on).days < grace:
                continue
            base += due.principal_out
            if by_installment:
                base += due.interest_out
            elif compound:
                compound_base += due.interest_out
        if base:
            self.penalty_basis += base * days
        if compound_base:
            self.compound_basis += compound_base * days

    def _on_boundary(self, day: date) -> None:
        while self.next_due < len(self.dues) and self.dues[self.next_due].due_on == day:
            self._post(self.dues[self.next_due], day)
        self._charge_late_fees(day)
        if self.credit and self.closed_on is None:
            self._apply_credit(day, self.order)

    def current_interest(self) -> Decimal:
        """Interest of the current period so far, rounded, less what was paid in advance."""
        if self.next_due >= len(self.dues):
            return ZERO
        period = self.dues[self.next_due].period
        days = (period.due_on - period.start).days or 1
        accrued = self.rounding.round(
            self.interest_basis * period.rate_numerator / (period.rate_denominator * days),
            self.currency,
        )
        return accrued - self.interest_prepaid

    def _post(self, due: Due, day: date) -> None:
        due.interest = max(self.current_interest(), ZERO) + due.carried_interest
        self.interest_basis = ZERO
        self.interest_prepaid = ZERO
        due.principal_out = due.principal
        due.interest_out = due.interest
        due.fee_out = due.fee + due.carried_fee
        due.penalty_out = due.carried_penalty
        due.posted = True
        due.due_on = day
        self.performing -= due.principal
        self.next_due += 1
        self._mark_paid(due, day)

    def _charge_late_fees(self, day: date) -> None:
        late = self.contract.penalty.late_fee
        if late is None or self.charged_off_on is not None:
            return
        first_late_day = timedelta(days=self.contract.grace_days + 1)
        for due in self.dues[self.first_open : self.next_due]:
            if due.late_fee_charged or due.due_on + first_late_day != day:
                continue
            overdue = due.principal_out + due.interest_out
            if overdue <= ZERO:
                continue
            fee = (
                late.amount.amount
                if late.amount
                else self.rounding.round(overdue * (late.rate or ZERO), self.currency)
            )
            self.fees_out += fee
            due.late_fee_charged = True

    def _post_penalty(self) -> None:
        if self.penalty_basis:
            self.penalty_out += self.rounding.round(
                self.penalty_basis * self.penalty_rate, self.currency
            )
            self.penalty_basis = ZERO
        if self.compound_basis:
            self.compound_out += self.rounding.round(
                self.compound_basis * self.penalty_rate, self.currency
            )
            self.compound_basis = ZERO

    def pending_penalty(self) -> tuple[Decimal, Decimal]:
        """Penalty and compound interest accrued but not yet posted, rounded for display."""
        if not (self.penalty_basis or self.compound_basis):
            return self.no_penalty
        return (
            self.rounding.round(self.penalty_basis * self.penalty_rate, self.currency),
            self.rounding.round(self.compound_basis * self.penalty_rate, self.currency),
        )

    # ---------------------------------------------------------------- events
    # How the contract's start and the thing itself are named in errors (a revolving account:
    # `opened_on`, "account").
    STARTED = "disbursed_on"
    NOUN = "loan"

    def _arrive(self, event: LoanEvent) -> bool:
        """Advance to the event's day; True when that is all it does (a failed debit is only
        recorded, with the amount then due). Shared by every kind of ledger."""
        day = event.on
        if day < self.contract.disbursed_on:
            raise LedgerError("on", f"{day} is before {self.STARTED} {self.contract.disbursed_on}")
        self.advance_to(day)
        if isinstance(event, DeductionFailed):
            self.attempts.append(
                Attempt(day, False, event.reason.value, event.bank_balance, self.amount_due())
            )
            return True
        return False

    def _after_close(self, event: LoanEvent) -> None:
        """An event once closed: money paid is kept as paid beyond the debt; anything else is
        refused."""
        if isinstance(event, Payment | DeductionSucceeded | EarlySettlement):
            amount = event.amount if event.amount is not None else ZERO
            source = getattr(event, "source", PaymentSource.BORROWER)
            self.payments.append(PaymentRecord(event.on, amount, source, excess=amount))
            return
        raise LedgerError("on", f"the {self.NOUN} was closed on {self.closed_on}")

    def apply(self, event: LoanEvent) -> None:
        if self._arrive(event):
            return
        day = event.on
        if self.closed_on is not None:
            self._after_close(event)
            return
        if isinstance(event, Payment):
            self._pay(day, event.amount, event.source, self.order)
        elif isinstance(event, DeductionSucceeded):
            self.attempts.append(Attempt(day, True, None, None, self.amount_due()))
            self._pay(day, event.amount, PaymentSource.BORROWER, self.order)
        elif isinstance(event, EarlySettlement):
            order = self._payoff_order(self.order)
            if self.credit:
                self._apply_credit(day, order)
            amount = event.amount if event.amount is not None else self.payoff()
            if amount > ZERO and self.closed_on is None:
                self._pay(day, amount, PaymentSource.BORROWER, order)
        elif isinstance(event, FeeCharged):
            self.fees_out += event.amount
        elif isinstance(event, Waiver):
            waive(self, day, event.component, event.amount)
        elif isinstance(event, Restructure):
            if self.charged_off_on is not None:
                raise LedgerError("on", f"the loan was charged off on {self.charged_off_on}")
            restructure(self, day, event)
        elif isinstance(event, ChargeOff):
            if self.charged_off_on is not None:
                raise LedgerError(
                    "on", f"the loan was already charged off on {self.charged_off_on}"
                )
            charge_off(self, day)

    def _pay(
        self, day: date, amount: Decimal, source: PaymentSource, order: AllocationOrder
    ) -> None:
        record = PaymentRecord(day, amount, source)
        self.payments.append(record)
        self._post_penalty()
        remaining = self._allocate(day, amount, record, order)
        held = sum((c.amount for c in self.credit), ZERO) if remaining > ZERO else ZERO
        # (The principal is a cheap lower bound of the payoff; most remainders fall short of it.)
        if remaining > ZERO and remaining + held >= self.performing and remaining >= self.payoff():
            # Enough, with any credit held, to pay off everything: settle now rather than hold
            # it for later due dates.
            settle = self._payoff_order(order)
            if held:
                self._apply_credit(day, settle)
            remaining = self._allocate(day, remaining, record, settle)
        if remaining > ZERO:
            self.credit.append(Credit(len(self.payments) - 1, remaining))
        self._close_if_repaid(day, source)

    def _payoff_order(self, order: AllocationOrder) -> AllocationOrder:
        if order is self.order:
            return self.settle_order
        return settle_order(order)

    def _order_facts(self, order: AllocationOrder) -> tuple[bool, AllocationOrder]:
        """Whether the order pays all owed first, and its steps in advance."""
        if order is self.order:
            return self.owed_steps_first, self.steps_in_advance
        if order is self.settle_order:
            return self.settle_facts
        return pays_owed_first(order), steps_in_advance(order)

    def _apply_credit(self, day: date, order: AllocationOrder) -> None:
        self._post_penalty()
        held, self.credit = self.credit, []
        for held_credit in held:
            record = self.payments[held_credit.payment]
            held_credit.amount = self._allocate(day, held_credit.amount, record, order)
            if held_credit.amount > ZERO:
                self.credit.append(held_credit)
        self._close_if_repaid(day, PaymentSource.BORROWER)

    def _allocate(
        self, day: date, amount: Decimal, record: PaymentRecord, order: AllocationOrder
    ) -> Decimal:
        parts = record.parts
        owed_first, advance_steps = self._order_facts(order)
        if owed_first:
            owed = self._owed_now()
            if owed and amount >= owed:
                # Enough for everything owed: the order cannot change where it goes (most
                # payments); what is left goes through the order's steps in advance, if any.
                self._pay_all_owed(day, parts)
                remaining = amount - owed
                for rule in advance_steps:
                    if remaining <= ZERO:
                        break
                    paid = self._pay_in_advance(rule.component, remaining)
                    if paid:
                        parts[rule.component] += paid
                        remaining -= paid
                return remaining
        remaining = amount
        past_dues, today_dues = self._open_by_state(day)
        # Steps of an empty bucket are skipped: most payments only meet what is due today.
        past = bool(past_dues or self.fees_out or self.penalty_out or self.compound_out)
        for rule in order:
            if remaining <= ZERO:
                break
            due_state = rule.due
            if due_state is _PAST_DUE:
                if not past:
                    continue
                paid = self._pay_step(day, rule, remaining, past_dues)
            elif due_state is _DUE:
                if not today_dues:
                    continue
                paid = self._pay_step(day, rule, remaining, today_dues)
            else:
                paid = self._pay_in_advance(rule.component, remaining)
            if paid:
                parts[rule.component] += paid
                remaining -= paid
        return remaining

    def _owed_now(self) -> Decimal:
        """All that is past due and due: the pools and the open instalments (penalty accrued
        but not yet posted aside)."""
        owed = self.fees_out + self.penalty_out + self.compound_out
        dues = self.dues
        for index in range(self.first_open, self.next_due):
            due = dues[index]
            if due.paid_off_on is None:
                owed += due.principal_out + due.interest_out + due.fee_out + due.penalty_out
        return owed

    def _pay_all_owed(self, day: date, parts: dict[Component, Decimal]) -> None:
        """Pay off the loan's pools and every open instalment in full."""
        fee, penalty = self.fees_out, self.penalty_out + self.compound_out
        interest = principal = ZERO
        self.fees_out = self.penalty_out = self.compound_out = ZERO
        dues = self.dues
        for index in range(self.first_open, self.next_due):
            due = dues[index]
            if due.paid_off_on is None:
                fee += due.fee_out
                penalty += due.penalty_out
                interest += due.interest_out
                principal += due.principal_out
                due.fee_out = due.penalty_out = due.interest_out = due.principal_out = ZERO
                due.paid_off_on = day
        self.first_open = self.next_due
        if fee:
            parts[Component.FEE] += fee
        if penalty:
            parts[Component.PENALTY] += penalty
        if interest:
            parts[Component.INTEREST] += interest
        if principal:
            parts[Component.PRINCIPAL] += principal

    def _open_by_state(self, day: date) -> tuple[list[Due], list[Due]]:
        """The posted instalments not yet paid off, oldest first: past due, and due on `day`."""
        past: list[Due] = []
        today: list[Due] = []
        for due in self.dues[self.first_open : self.next_due]:
            if due.paid_off_on is None:
                (past if due.due_on < day else today).append(due)
        return past, today

    def _pay_step(
        self, day: date, rule: AllocationRule, available: Decimal, dues: list[Due]
    ) -> Decimal:
        """Pay one step of the order (past due or due, not in advance): the loan's own pools
        first, then `dues` (the open instalments in that state) oldest first."""
        component = rule.component
        paid = ZERO
        if rule.due is _PAST_DUE:
            if component is Component.FEE and self.fees_out:
                paid = min(self.fees_out, available)
                self.fees_out -= paid
            elif component is Component.PENALTY and (self.penalty_out or self.compound_out):
                take = min(self.penalty_out, available)
                self.penalty_out -= take
                rest = min(self.compound_out, available - take)
                self.compound_out -= rest
                paid = take + rest
        attribute = DUE_FIELDS[component]
        for due in dues:
            if paid >= available:
                break
            owed = getattr(due, attribute)
            if owed > ZERO:
                take = min(owed, available - paid)
                setattr(due, attribute, owed - take)
                paid += take
                self._mark_paid(due, day)
        return paid

    def _pay_in_advance(self, component: Component, available: Decimal) -> Decimal:
        """Pay what is not yet due: principal from the last instalments back (term shortens),
        interest accrued so far, and what a restructure carried into later instalments."""
        if component is Component.PRINCIPAL:
            take = min(self.performing, available)
            self.performing -= take
            left = take
            for due in reversed(self.dues[self.next_due :]):
                part = min(due.principal, left)
                due.principal -= part
                left -= part
                if not left:
                    break
            return take
        paid = ZERO
        if component is Component.INTEREST:
            paid = min(max(self.current_interest(), ZERO), available)
            self.interest_prepaid += paid
        attribute = CARRIED_FIELDS[component]
        for due in self.dues[self.next_due :]:
            owed = getattr(due, attribute)
            if owed > ZERO and paid < available:
                take = min(owed, available - paid)
                setattr(due, attribute, owed - take)
                paid += take
        return paid

    def _mark_paid(self, due: Due, day: date) -> None:
        if (
            due.posted
            and due.paid_off_on is None
            and due.principal_out + due.interest_out + due.fee_out + due.penalty_out == ZERO
        ):
            due.paid_off_on = day
        dues, first, stop = self.dues, self.first_open, self.next_due
        while first < stop and dues[first].paid_off_on is not None:
            first += 1
        self.first_open = first

    def _close_if_repaid(self, day: date, source: PaymentSource) -> None:
        if (
            self.performing > ZERO
            or self.first_open < self.next_due
            or self.fees_out
            or self.penalty_out
            or self.compound_out
            or any(self.pending_penalty())
            or self.current_interest() > ZERO
            or self.carried()
        ):
            return
        for due in self.dues[self.next_due :]:
            due.posted = True
            due.paid_off_on = day
        self.next_due = self.first_open = len(self.dues)
        self.interest_basis = self.interest_prepaid = ZERO
        self.closed_on = day
        self.close_code = close_code(source, self.profile.grid_codes)
        for held_credit in self.credit:
            self.payments[held_credit.payment].excess += held_credit.amount
        self.credit = []

    def _owed(self, component: Component) -> Decimal:
        open_dues = self.dues[self.first_open : self.next_due]
        in_dues = sum((getattr(d, DUE_FIELDS[component]) for d in open_dues), ZERO)
        if component is Component.FEE:
            return in_dues + self.fees_out
        if component is Component.PENALTY:
            return in_dues + self.penalty_out + self.compound_out
        return in_dues

    # ---------------------------------------------------------------- reading
    def amount_due(self) -> Decimal:
        """What the borrower must pay on the ledger's date to be current: past due and due."""
        penalty, compound = self.pending_penalty()
        owed = self.fees_out + self.penalty_out + self.compound_out + penalty + compound
        for due in self.dues[self.first_open : self.next_due]:
            owed += due.outstanding()
        return owed

    def payoff(self) -> Decimal:
        """What settles the loan on the ledger's date: all due, interest to date, all principal."""
        if self.closed_on is not None:
            return ZERO
        owed = (
            self.amount_due()
            + max(self.current_interest(), ZERO)
            + self.performing
            + self.carried()
        )
        return max(owed - sum((c.amount for c in self.credit), ZERO), ZERO)

    def carried(self) -> Decimal:
        """Interest, penalty and fees a restructure spread over instalments not yet due."""
        return sum(
            (
                d.carried_interest + d.carried_penalty + d.carried_fee
                for d in self.dues[self.next_due :]
            ),
            ZERO,
        )
