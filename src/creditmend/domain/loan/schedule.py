"""Repayment schedules to the fen.

One function builds every method's instalments from the same inputs, and the ledger uses it
again when a loan is restructured. Conventions (stated in the profile):
- annual or monthly rate: interest for a monthly period = balance x monthly rate; a first period
  that is not one calendar month long is counted by actual days at annual / days_in_year;
- daily rate: interest = balance x daily rate x actual days, and the equal instalment is priced at
  the equivalent monthly rate (daily x days_in_year / 12);
- every amount is rounded half up to the fen; the last instalment takes the rounding difference,
  so principals sum exactly to the principal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from creditmend.domain.calendar import BusinessCalendar, add_months, adjust
from creditmend.domain.loan.contract import Contract, FeeTiming, RepaymentMethod
from creditmend.domain.money import HALF_UP, ONE, ZERO, Money, RoundingPolicy
from creditmend.domain.rate import Rate, RatePeriod


class Period(NamedTuple):
    """The dates of one instalment: interest runs from `start` to `due_on`.

    The period's interest rate is kept as the exact fraction `rate_numerator / rate_denominator`
    (annual x months / 12, annual x days / 360, daily x days): dividing first would round 0.0028/12
    and turn an interest of exactly 0.175 into 0.17499..., which rounds the wrong way.
    """

    start: date
    due_on: date
    rate_numerator: Decimal
    rate_denominator: int

    def interest(self, balance: Decimal) -> Decimal:
        """Unrounded interest on a balance held over the whole period."""
        return balance * self.rate_numerator / self.rate_denominator


class Installment(NamedTuple):
    number: int
    period: Period
    principal: Decimal
    interest: Decimal
    fees: Decimal
    currency: str

    @property
    def due_on(self) -> date:
        return self.period.due_on

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees

    def money(self, value: Decimal) -> Money:
        return Money(value, self.currency)


@dataclass(frozen=True, slots=True)
class Schedule:
    installments: tuple[Installment, ...]
    currency: str

    @property
    def total_interest(self) -> Money:
        return Money(sum((i.interest for i in self.installments), ZERO), self.currency)

    @property
    def total_principal(self) -> Money:
        return Money(sum((i.principal for i in self.installments), ZERO), self.currency)

    @property
    def total_fees(self) -> Money:
        return Money(sum((i.fees for i in self.installments), ZERO), self.currency)


def level_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The unrounded equal instalment P r (1+r)^n / ((1+r)^n - 1); P / n at rate zero."""
    if rate == ZERO:
        return principal / periods
    growth = (ONE + rate) ** periods
    return principal * rate * growth / (growth - ONE)


def periods_for(
    contract: Contract,
    start: date,
    count: int,
    calendar: BusinessCalendar,
    days_in_year: int,
    first_due_on: date | None = None,
) -> tuple[Period, ...]:
    """`count` monthly periods from `start`; a bullet loan has one period of `count` months."""
    # The day every due date aims at; a short month clamps one date, not the ones after it
    # (a loan of Jan 31 falls due Feb 28, then Mar 31).
    anchor = contract.due_day or (first_due_on.day if first_due_on else start.day)
    first = first_due_on or add_months(start, 1, anchor)
    if contract.method is RepaymentMethod.BULLET:
        nominal = [add_months(first, count - 1, anchor)]
        months = [count]
    else:
        nominal = [add_months(first, k, anchor) for k in range(count)]
        months = [1] * count
    periods: list[Period] = []
    previous = start
    for index, (nominal_due, span) in enumerate(zip(nominal, months, strict=True)):
        due_on = adjust(nominal_due, contract.holiday_rule, calendar)
        if due_on <= previous:
            due_on = nominal_due
        numerator, denominator = _period_rate(
            contract.rate,
            days_in_year,
            previous,
            due_on,
            span,
            regular=index > 0 or first == add_months(start, 1),
        )
        periods.append(Period(previous, due_on, numerator, denominator))
        previous = due_on
    return tuple(periods)


def _period_rate(
    rate: Rate, days_in_year: int, start: date, due_on: date, months: int, *, regular: bool
) -> tuple[Decimal, int]:
    """The period's rate as an exact (numerator, denominator)."""
    days = (due_on - start).days
    if rate.period is RatePeriod.DAILY:
        return rate.value * days, 1
    if rate.period is RatePeriod.MONTHLY and regular:
        return rate.value * months, 1
    if regular:
        return rate.per_year(days_in_year) * months, 12
    return rate.per_year(days_in_year) * days, days_in_year


def amortize(
    principal: Decimal,
    periods: Sequence[Period],
    method: RepaymentMethod,
    monthly_rate: Decimal,
    fees_each: Decimal,
    currency: str,
    rounding: RoundingPolicy = HALF_UP,
) -> tuple[Installment, ...]:
    """Split `principal` over `periods` by `method`; principals sum exactly to `principal`."""
    count = len(periods)
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        payment = rounding.round(level_payment(principal, monthly_rate, count), currency)
    balance = principal
    rows: list[Installment] = []
    for index, period in enumerate(periods):
        last = index == count - 1
        interest = rounding.round(period.interest(balance), currency)
        if last:
            part = balance
        elif method is RepaymentMethod.EQUAL_INSTALLMENT:
            part = min(max(payment - interest, ZERO), balance)
        elif method is RepaymentMethod.EQUAL_PRINCIPAL:
            part = min(rounding.round(principal / count, currency), balance)
        else:
            part = ZERO
        rows.append(Installment(index + 1, period, part, interest, fees_each, currency))
        balance -= part
    return tuple(rows)


def build_schedule(
    contract: Contract,
    calendar: BusinessCalendar,
    days_in_year: int,
    rounding: RoundingPolicy = HALF_UP,
) -> Schedule:
    periods = periods_for(
        contract,
        contract.disbursed_on,
        contract.term_months,
        calendar,
        days_in_year,
        contract.first_due_on,
    )
    fees_each = contract_fees(contract, FeeTiming.EACH_INSTALLMENT, rounding)
    rows = amortize(
        contract.principal.amount,
        periods,
        contract.method,
        contract.rate.per_month(days_in_year),
        fees_each,
        contract.currency,
        rounding,
    )
    return Schedule(rows, contract.currency)


def contract_fees(
    contract: Contract, timing: FeeTiming, rounding: RoundingPolicy = HALF_UP
) -> Decimal:
    """The contract's fees of one timing: deducted at disbursement, or due with each instalment."""
    return rounding.round(
        sum((f.value(contract.principal) for f in contract.fees if f.timing is timing), ZERO),
        contract.currency,
    )
