"""The revolving ledger: Huabei, Baitiao, credit cards, exact to the day and to the fen.

A revolving account has no schedule: purchases draw on a credit limit, a statement is cut every
month on the statement day, and what it bills is due on the next due day. It reads like the
instalment `Ledger` (same attributes and methods, so the advisor, the view and the month
figures take either): each statement's *minimum payment* is one `Due`, scheduled on the
statement day and posted on the due day with what is left of it. Paying at least the minimum by
the due day keeps the account current; less leaves that `Due` open, and it is overdue by the day
as an instalment is (statuses `1`..`7`, `B`).

Money sits in disjoint pools, so that nothing is counted twice and every payment has one place
to go (the view's formulas read them as the instalment ledger's):
- `unbilled` purchases since the last statement, interest-free for now;
- `billed` principal of the latest statement, interest-free until its due day;
- `revolving` principal left unpaid after a due day, bearing the daily rate;
- `converted` principal of an instalment conversion, billed a share a statement, interest-free;
- `billed_interest`, `billed_fees`: billed, not yet due (`current_interest()`, `carried()`);
- the posted minimum dues (`Due.*_out`), `fees_out` (late fees, fee events) and `penalty_out`.
`performing` is the sum of the principal pools.

Conventions (the profile's `revolving.interest_convention`): a statement paid in full by its due
day costs no interest; otherwise the share of its new purchases left unpaid bears interest from
each purchase's posting date, and all unpaid principal bears it daily after the due day.
Interest is kept as an exact basis (balance x days) and rounded half up when it is billed or a
payment meets it. Interest never accrues on interest or fees. A payment that clears everything
closes the account (code `C`); a later purchase reopens it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from creditmend.domain.calendar import BusinessCalendar, add_months
from creditmend.domain.loan.contract import Contract, PenaltyBasis
from creditmend.domain.loan.events import (
    ChargeOff,
    DeductionSucceeded,
    EarlySettlement,
    FeeCharged,
    InstalmentConversion,
    LoanEvent,
    Payment,
    PaymentSource,
    Purchase,
    Restructure,
    Waiver,
)
from creditmend.domain.loan.ledger import Ledger, LedgerError, close_code
from creditmend.domain.loan.orders import pays_owed_first
from creditmend.domain.loan.records import Attempt, Due, PaymentRecord
from creditmend.domain.loan.revolving_changes import charge_off, restructure, waive
from creditmend.domain.loan.schedule import Period
from creditmend.domain.loan.statements import (
    Charged,
    Conversion,
    Pools,
    Statement,
    Unbilled,
    due_date,
    project_minimums,
    statement_dates,
)
from creditmend.domain.money import HALF_UP, ZERO, RoundingPolicy, minor_unit
from creditmend.domain.rules.profile import Component, JurisdictionProfile


class RevolvingLedger(Ledger):
    """Working state of one revolving account; built by `fold.new_ledger` for `method: revolving`.

    It keeps the instalment ledger's reading interface (`dues`, `next_due`, `first_open`,
    `performing`, `fees_out`, `penalty_out`, `payments`, `amount_due()`, `payoff()`, ...) so that
    every reader of a ledger takes it; `statements` and `charged` are its own.
    """

    STARTED = "opened_on"
    NOUN = "account"

    def __init__(
        self,
        contract: Contract,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        rounding: RoundingPolicy = HALF_UP,
    ) -> None:
        if contract.revolving is None or contract.due_day is None:
            raise ValueError("contract: a revolving ledger needs revolving terms and a due day")
        self.contract = contract
        self.terms = contract.revolving
        self.due_day = contract.due_day
        self.profile = profile
        self.calendar = calendar
        self.rounding = rounding
        self.currency = contract.currency
        self.days_in_year = int(profile.days_in_year.value)
        self.order = profile.default_allocation
        self.owed_steps_first = pays_owed_first(self.order)
        self.daily_rate = contract.rate.per_day(self.days_in_year)
        penalty = contract.penalty
        self.penalty_rate = (
            penalty.per_day(contract.rate, self.days_in_year, ZERO)
            if penalty.daily_rate is not None or penalty.multiplier is not None
            else ZERO
        )
        self.limit = contract.principal.amount
        self.dues: list[Due] = []
        self.performing = ZERO
        self.cursor = contract.disbursed_on
        self.interest_basis = ZERO
        self.interest_prepaid = ZERO
        self.accrued_interest = ZERO  # rounded out of the basis by a payment, not yet billed
        self.billed_interest = ZERO
        self.billed_fees = ZERO
        self.penalty_basis = ZERO
        self.compound_basis = ZERO
        self.penalty_out = ZERO
        self.compound_out = ZERO
        self.fees_out = ZERO
        self.pools = Pools()
        self.conversions: list[Conversion] = []
        self.statements: list[Statement] = []
        self.purchases: list[tuple[date, Decimal]] = []
        self.charged = Charged()
        self.credit = []
        self.payments: list[PaymentRecord] = []
        self.attempts: list[Attempt] = []
        self.waived = ZERO
        self.closed_on: date | None = None
        self.close_code: str | None = None
        self.charged_off_on: date | None = None
        self.restructured_on: list[date] = []
        self.next_due = 0
        self.first_open = 0
        self.projected_from = 0  # dues from here on are projected minimums, not yet cut
        # The planners read the projected minimums; a simulation that reads only what was cut
        # and posted (the synthetic furnisher) turns this off: the projection costs more than
        # the rest of a statement cut, and nothing posted depends on it.
        self.projecting = True
        self.boundaries = []
        self.boundary_index = 0
        self.next_statement_on, _ = statement_dates(self.terms, self.due_day, self.cursor)

    # ---------------------------------------------------------------- time
    def _next_boundary(self) -> date:
        """The earliest thing still to happen: a statement, a due day's posting, the day after a
        due day (was it paid in full?), a late fee."""
        days = [self.next_statement_on]
        for statement in self.statements[-2:]:
            if not statement.posted:
                days.append(statement.due_on)
            if statement.settled is None:
                days.append(statement.due_on + timedelta(days=1))
        if self.contract.penalty.late_fee is not None:
            late = timedelta(days=self.contract.grace_days + 1)
            days += [
                d.due_on + late
                for d in self.dues[self.first_open : self.next_due]
                if not d.late_fee_charged and d.paid_off_on is None
            ]
        return min(days)

    def advance_to(self, day: date) -> None:
        if day < self.cursor:
            raise LedgerError("on", f"{day} is before the ledger's date {self.cursor}")
        if self.charged_off_on is None:
            while (boundary := self._next_boundary()) <= day:
                self._accrue(boundary)
                self._on_boundary(boundary)
        self._accrue(day)

    def _accrue(self, to: date) -> None:
        days = (to - self.cursor).days
        if days <= 0:
            return
        self.cursor = to
        if self.closed_on is not None or self.charged_off_on is not None:
            return
        open_dues = [d for d in self.dues[self.first_open : self.next_due] if d.paid_off_on is None]
        bearing = self.pools.revolving + sum((d.principal_out for d in open_dues), ZERO)
        if bearing:
            self.interest_basis += bearing * days
        if self.penalty_rate:
            grace = self.contract.grace_days
            by_installment = self.contract.penalty.basis is PenaltyBasis.OVERDUE_INSTALLMENT
            base = sum(
                (
                    d.principal_out + (d.interest_out if by_installment else ZERO)
                    for d in open_dues
                    if (to - timedelta(days=days) - d.due_on).days >= grace
                ),
                ZERO,
            )
            self.penalty_basis += base * days

    def _on_boundary(self, day: date) -> None:
        for statement in self.statements[-2:]:
            if not statement.posted and statement.due_on == day:
                self._post_minimum(statement, day)
            if statement.settled is None and statement.due_on + timedelta(days=1) == day:
                self._settle(statement)
        self._charge_late_fees(day)
        if self.next_statement_on == day:
            self._cut_statement(day)
            self.next_statement_on = add_months(day.replace(day=1), 1, self.terms.statement_day)

    def _round(self, value: Decimal) -> Decimal:
        return self.rounding.round(value, self.currency)

    def _crystallise(self) -> None:
        """Round the interest accrued so far into money (a payment or a statement meets it)."""
        if self.interest_basis:
            interest = self._round(self.interest_basis * self.daily_rate)
            self.accrued_interest += interest
            self.charged.interest += interest
            self.interest_basis = ZERO

    def _cut_statement(self, day: date) -> None:
        if self.closed_on is not None:
            return
        self._crystallise()
        self.billed_interest += self.accrued_interest
        self.accrued_interest = ZERO
        pools = self.pools
        instalments = ZERO
        for conversion in self.conversions:
            if conversion.months_left <= 0 or conversion.left <= ZERO:
                continue
            share = (
                conversion.left
                if conversion.months_left == 1
                else min(conversion.each, conversion.left)
            )
            conversion.left -= share
            conversion.months_left -= 1
            pools.converted -= share
            pools.billed += share
            instalments += share
            self.billed_fees += conversion.fee_each
            self.charged.fees += conversion.fee_each
        due_on = due_date(day, self.due_day)
        new = sum((u.amount for u in pools.unbilled), ZERO)
        posting_days = sum((u.amount * (due_on - u.on).days for u in pools.unbilled), ZERO)
        pools.billed += new
        pools.unbilled = []
        principal = pools.billed + pools.revolving
        own = principal + self.billed_interest + self.billed_fees
        arrears = self.amount_due()
        if own + arrears <= ZERO:
            return
        fixed = instalments + self.billed_interest + self.billed_fees
        rate_base = principal - instalments
        minimum = min(own, fixed + self._round(rate_base * self.terms.minimum_rate))
        statement = Statement(
            day, due_on, own + arrears, own, minimum, arrears, principal, new, posting_days,
            rate_base, fixed, None,
        )  # fmt: skip
        del self.dues[self.projected_from :]
        if minimum > ZERO:
            statement.due = self._schedule_due(statement)
        self.statements.append(statement)
        self.projected_from = len(self.dues)
        self._project(add_months(day.replace(day=1), 1, self.terms.statement_day))

    def _project(self, first: date) -> None:
        """Replace the projected minimums: from `first` on, if only the minimum is paid. They
        are unposted dues, so the planners read them as what falls due when."""
        del self.dues[self.projected_from :]
        self.projected_from = len(self.dues)
        if not self.projecting:
            return
        principal = self.performing - self.pools.converted
        latest = self.statements[-1] if self.statements else None
        if latest is not None and latest.due is not None and not latest.due.posted:
            principal -= latest.due.principal
        rows = project_minimums(
            self.terms,
            self.due_day,
            first,
            max(principal, ZERO),
            self.conversions,
            self.daily_rate,
            self._round,
        )
        for row in rows:
            days = (row.due_on - row.statement_on).days
            period = Period(row.statement_on, row.due_on, self.daily_rate * days, 1)
            number = len(self.dues) + 1
            self.dues.append(Due(number, period, row.due_on, row.principal, row.fee, row.interest))

    def _schedule_due(self, statement: Statement) -> Due:
        """The statement's minimum as a due, scheduled (not yet posted) for its due day."""
        fee = min(self.billed_fees, statement.minimum)
        interest = min(self.billed_interest, statement.minimum - fee)
        days = (statement.due_on - statement.statement_on).days
        period = Period(statement.statement_on, statement.due_on, self.daily_rate * days, 1)
        due = Due(len(self.dues) + 1, period, statement.due_on, ZERO, fee, interest)
        due.principal = statement.minimum - fee - interest
        self.dues.append(due)
        return due

    def _post_minimum(self, statement: Statement, day: date) -> None:
        """On the due day: what is left of the minimum falls due (and is overdue from tomorrow)."""
        statement.posted = True
        due = statement.due
        if due is None or due.posted:
            return
        left = max(statement.minimum - statement.paid, ZERO)
        fee = min(left, self.billed_fees)
        self.billed_fees -= fee
        interest = min(left - fee, self.billed_interest)
        self.billed_interest -= interest
        pools = self.pools
        principal = min(left - fee - interest, pools.revolving + pools.billed)
        from_revolving = min(principal, pools.revolving)
        pools.revolving -= from_revolving
        pools.billed -= principal - from_revolving
        self.performing -= principal
        due.fee_out, due.interest_out, due.principal_out = fee, interest, principal
        due.interest = due.scheduled_interest
        due.penalty_out = ZERO
        due.posted = True
        self.next_due = self.dues.index(due) + 1
        self._mark_paid(due, day)

    def _settle(self, statement: Statement) -> None:
        """The day after the due day: was the statement paid in full? If not, its unpaid new
        purchases bear interest back to their posting dates, and what it billed revolves."""
        statement.settled = statement.paid >= statement.own_balance
        if statement.settled or self.closed_on is not None:
            return
        pools = self.pools
        if self.terms.interest_from_posting and statement.new_principal > ZERO:
            left = statement.principal - statement.principal_paid
            unpaid_new = max(min(statement.new_principal, left), ZERO)
            self.interest_basis += unpaid_new * statement.posting_days / statement.new_principal
        # The due day itself, for the billed principal outside the minimum (the minimum's own
        # principal has borne interest since it was posted that day).
        self.interest_basis += pools.billed
        pools.revolving += pools.billed
        pools.billed = ZERO

    def _charge_late_fees(self, day: date) -> None:
        late = self.contract.penalty.late_fee
        if late is None:
            return
        first_late_day = timedelta(days=self.contract.grace_days + 1)
        for due in self.dues[self.first_open : self.next_due]:
            if due.late_fee_charged or due.paid_off_on is not None:
                continue
            if due.due_on + first_late_day != day:
                continue
            rate = late.rate or ZERO
            fee = late.amount.amount if late.amount else self._round(due.outstanding() * rate)
            self.fees_out += fee
            self.charged.fees += fee
            due.late_fee_charged = True

    def _post_penalty(self) -> None:
        if self.penalty_basis:
            penalty = self._round(self.penalty_basis * self.penalty_rate)
            self.penalty_out += penalty
            self.charged.penalty += penalty
            self.penalty_basis = ZERO

    # ---------------------------------------------------------------- events
    def apply(self, event: LoanEvent) -> None:
        if self._arrive(event):
            return
        day = event.on
        if isinstance(event, Purchase):
            self._purchase(day, event.amount)
            return
        if self.closed_on is not None and isinstance(event, FeeCharged):
            self.closed_on = self.close_code = None  # a fee on a paid-off account reopens it
        if self.closed_on is not None:
            if isinstance(event, Waiver):
                return  # nothing is owed: nothing to waive
            if isinstance(event, InstalmentConversion):
                self._convert(day, event)  # refused: no statement is open
            self._after_close(event)
            return
        if isinstance(event, Payment):
            self._repay(day, event.amount, event.source)
        elif isinstance(event, DeductionSucceeded):
            self.attempts.append(Attempt(day, True, None, None, self.amount_due()))
            self._repay(day, event.amount, PaymentSource.BORROWER)
        elif isinstance(event, EarlySettlement):
            amount = event.amount if event.amount is not None else self.payoff()
            self._repay(day, amount, PaymentSource.BORROWER)
        elif isinstance(event, FeeCharged):
            self.fees_out += event.amount
            self.charged.fees += event.amount
        elif isinstance(event, Waiver):
            waive(self, day, event.component, event.amount)
        elif isinstance(event, InstalmentConversion):
            self._convert(day, event)
        elif isinstance(event, Restructure):
            restructure(self, day, event)
        elif isinstance(event, ChargeOff):
            charge_off(self, day)

    def _purchase(self, day: date, amount: Decimal) -> None:
        if self.charged_off_on is not None:
            raise LedgerError("on", f"the account was charged off on {self.charged_off_on}")
        used = self.performing + sum((d.principal_out for d in self._open_dues()), ZERO)
        if used + amount > self.limit:
            raise LedgerError(
                "amount", f"{amount} is more than the credit left, {self.limit - used}"
            )
        if self.closed_on is not None:
            self.closed_on = self.close_code = None
        self.pools.unbilled.append(Unbilled(day, amount))
        self.performing += amount
        self.purchases.append((day, amount))
        self.charged.purchases += amount

    def _open_dues(self) -> list[Due]:
        return [d for d in self.dues[self.first_open : self.next_due] if d.paid_off_on is None]

    def _current(self, day: date) -> Statement | None:
        """The statement a payment on `day` counts towards (statement day to due day)."""
        if self.statements:
            latest = self.statements[-1]
            if latest.statement_on <= day <= latest.due_on:
                return latest
        return None

    def _repay(self, day: date, amount: Decimal, source: PaymentSource) -> None:
        record = PaymentRecord(day, amount, source)
        self.payments.append(record)
        self._post_penalty()
        self._crystallise()
        statement = self._current(day)
        own_due = statement.due if statement is not None else None
        left = amount

        def take(owed: Decimal, component: Component, counts: bool = False) -> Decimal:
            nonlocal left
            paid = min(owed, left)
            if paid:
                left -= paid
                record.parts[component] += paid
                if counts and statement is not None:
                    statement.paid += paid
                    if component is Component.PRINCIPAL:
                        statement.principal_paid += paid
            return paid

        self.penalty_out -= take(self.penalty_out, Component.PENALTY)
        self.fees_out -= take(self.fees_out, Component.FEE)
        for component, attribute in _DUE_STEPS:
            for due in self._open_dues():
                owed = getattr(due, attribute)
                if owed and left:
                    setattr(due, attribute, owed - take(owed, component, due is own_due))
                    self._mark_paid(due, day, statement)
        self.billed_fees -= take(self.billed_fees, Component.FEE, True)
        self.billed_interest -= take(self.billed_interest, Component.INTEREST, True)
        pools = self.pools
        for name in ("revolving", "billed"):
            paid = take(getattr(pools, name), Component.PRINCIPAL, True)
            setattr(pools, name, getattr(pools, name) - paid)
            self.performing -= paid
        self.accrued_interest -= take(self.accrued_interest, Component.INTEREST)
        for purchase in pools.unbilled:
            paid = take(purchase.amount, Component.PRINCIPAL)
            purchase.amount -= paid
            self.performing -= paid
        pools.unbilled = [u for u in pools.unbilled if u.amount]
        for conversion in reversed(self.conversions):
            paid = take(conversion.left, Component.PRINCIPAL)
            conversion.left -= paid
            pools.converted -= paid
            self.performing -= paid
        if statement is not None and own_due is not None:
            self._mark_paid(own_due, day, statement)
        record.excess = left
        self._close_if_repaid(day, source)

    def _mark_paid(self, due: Due, day: date, statement: Statement | None = None) -> None:
        """A due is paid off when nothing of it is left; a scheduled one when the payments
        towards its statement reach the minimum (on the day they do)."""
        met = (due.posted and due.outstanding() == ZERO) or (
            not due.posted
            and statement is not None
            and statement.due is due
            and statement.paid >= statement.minimum
        )
        if met and due.paid_off_on is None:
            due.paid_off_on = day
        while self.first_open < self.next_due and self.dues[self.first_open].paid_off_on:
            self.first_open += 1

    def _close_if_repaid(self, day: date, source: PaymentSource) -> None:
        if self.payoff() > ZERO or self.pools.converted or self.penalty_basis:
            return
        del self.dues[self.projected_from :]
        for due in self.dues[self.next_due :]:
            due.posted = True
            if due.paid_off_on is None:
                due.paid_off_on = day
        self.next_due = self.first_open = len(self.dues)
        for statement in self.statements:
            statement.posted = True
        self.closed_on = day
        self.close_code = close_code(source, self.profile.grid_codes)

    def _convert(self, day: date, event: InstalmentConversion) -> None:
        """账单分期: part or all of the latest statement's billed principal leaves it and is
        billed again a share a month, each with the fee; the minimum shrinks by its share."""
        statement = self._current(day)
        if statement is None or statement.posted:
            raise LedgerError(
                "on", "a statement is converted between its statement day and its due day"
            )
        pools = self.pools
        amount = pools.billed if event.amount is None else event.amount
        if amount <= ZERO or amount > pools.billed:
            raise LedgerError("amount", f"the statement has {pools.billed} of principal to convert")
        fee_rate = self.terms.conversion_fee_rate if event.fee_rate is None else event.fee_rate
        unit = minor_unit(self.currency)
        each = (amount / event.months).quantize(unit, rounding=ROUND_DOWN)
        fee_each = self._round(amount * fee_rate)
        self.conversions.append(
            Conversion(day, amount, each, fee_each, amount, event.months, event.months)
        )
        pools.billed -= amount
        pools.converted += amount
        cut_new = min(amount, statement.new_principal)
        if statement.new_principal:
            share = (statement.new_principal - cut_new) / statement.new_principal
            statement.posting_days *= share
        statement.new_principal -= cut_new
        statement.principal -= amount
        statement.own_balance -= amount
        statement.balance -= amount
        statement.rate_base -= amount
        statement.minimum = min(
            statement.own_balance,
            statement.fixed + self._round(statement.rate_base * self.terms.minimum_rate),
        )
        due = statement.due
        if due is not None:
            due.principal = max(statement.minimum - due.fee - due.scheduled_interest, ZERO)
            self._mark_paid(due, day, statement)
        self._project(self.next_statement_on)

    # ---------------------------------------------------------------- reading
    def current_interest(self) -> Decimal:
        """Interest billed or accrued and not yet due (rounded as a payment would meet it)."""
        return (
            self.billed_interest
            + self.accrued_interest
            + self._round(self.interest_basis * self.daily_rate)
        )

    def pending_penalty(self) -> tuple[Decimal, Decimal]:
        return self._round(self.penalty_basis * self.penalty_rate), ZERO

    def carried(self) -> Decimal:
        """Fees billed on the latest statement and not yet due."""
        return self.billed_fees

    def interest_charged(self) -> Decimal:
        """Interest charged since opening, the part not yet rounded out included."""
        return self.charged.interest + self._round(self.interest_basis * self.daily_rate)


_DUE_STEPS = (
    (Component.FEE, "fee_out"),
    (Component.INTEREST, "interest_out"),
    (Component.PRINCIPAL, "principal_out"),
)
