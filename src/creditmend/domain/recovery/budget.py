"""The money each month of the plan can put towards debts.

A counsellor's budget, month by month: income less essential expenses (the client eats and pays
rent before any platform is paid), plus one-off cash in the month it arrives, less repayments
to relatives from the month they start, and, in the first month, the cash on hand less the
buffer the client keeps aside for emergencies. A month may come out negative (a large family
repayment, a month of expenses above income); the cumulative column then says how much earlier
savings have to cover it.

Conventions, stated once here and used by every strategy and by the optimiser:
- The horizon starts with the month of `as_of` and counts its income and expenses in full (the
  borrower gives `cash_on_hand` as what is held beyond this month's pay; a `months` entry for
  the first month corrects it when part of the month is already spent).
- Cash is pooled by month, and has a day: the money of the first month (cash on hand and that
  month's budget) is there on `as_of`; the money of every later month on its pay day
  (`cash_flow.pay_day`, day of month, default 1, clamped to the month's length:
  `Horizon.money_day`). No payment of a month is made before its money day; what a loan has
  past due is paid that day (see `simulate`).
- One-off cash and family repayments count when dated on or after `as_of` and within the
  horizon; earlier ones are assumed to be in (or already gone from) the cash on hand.
- A plan may spend in a month at most what the months so far have made available and earlier
  months left unspent: cumulative payments never exceed the cumulative budget (`cash_left`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditmend.domain.calendar import add_months, month_end
from creditmend.domain.money import ZERO, Money
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.recovery.plan_input import FamilyLoan, PlanInput

DEFAULT_HORIZON_MONTHS = 36


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, slots=True)
class Horizon:
    """The months a plan covers: from the month of `as_of`, `len(months)` calendar months."""

    as_of: date
    months: tuple[date, ...]  # first day of each month
    pay_day: int = 1  # day of month the income arrives (clamped to the month's length)

    @classmethod
    def of(cls, as_of: date, count: int, pay_day: int = 1) -> Horizon:
        if count < 1:
            raise ValueError(f"horizon_months: {count} must be at least 1")
        first = as_of.replace(day=1)
        return cls(as_of, tuple(add_months(first, k) for k in range(count)), pay_day)

    def money_day(self, index: int) -> date:
        """The day the money of month `index` is there: `as_of` for the first month (cash on
        hand and the month's budget), the pay day for later ones."""
        if index == 0:
            return self.as_of
        first = self.months[index]
        return first.replace(day=min(self.pay_day, month_end(first).day))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(month_label(m) for m in self.months)

    @property
    def end(self) -> date:
        return month_end(self.months[-1])

    def index_of(self, day: date) -> int | None:
        """The month of the horizon that holds `day`, None outside it."""
        first = self.months[0]
        index = (day.year - first.year) * 12 + day.month - first.month
        return index if 0 <= index < len(self.months) else None


def horizon_for(plan: PlanInput, as_of: date, months: int | None = None) -> Horizon:
    """The horizon a caller asked for, else the client's preference, else 36 months."""
    count = months or plan.preferences.horizon_months or DEFAULT_HORIZON_MONTHS
    return Horizon.of(as_of, count, plan.cash_flow.pay_day)


@dataclass(frozen=True, slots=True)
class BudgetMonth:
    month: str  # YYYY-MM
    income: Money
    expenses: Money
    inflows: Money  # asset sales, money borrowed from relatives
    outflows: Money  # repayments to relatives
    opening: Money  # first month only: cash on hand less the buffer kept
    available: Money  # opening + income - expenses + inflows - outflows; may be negative
    cumulative: Money  # available summed up to and including this month


@dataclass(frozen=True, slots=True)
class Budget:
    horizon: Horizon
    currency: str
    months: tuple[BudgetMonth, ...]

    def available(self) -> tuple[Decimal, ...]:
        return tuple(m.available.amount for m in self.months)


def monthly_budget(plan: PlanInput, horizon: Horizon) -> Budget:
    """The budget of every month of the horizon; `ProblemsError` when a month has neither its
    own figures nor the monthly default."""
    currency = plan.currency
    flow = plan.cash_flow
    count = len(horizon.months)
    inflows = [ZERO] * count
    outflows = [ZERO] * count
    for source in plan.one_off:
        if horizon.as_of <= source.on:
            index = horizon.index_of(source.on)
            if index is not None:
                inflows[index] += source.amount.amount
        if isinstance(source, FamilyLoan):
            for day, amount in source.repayments():
                index = horizon.index_of(day)
                if index is not None and horizon.as_of <= day:
                    outflows[index] += amount
    buffer = flow.buffer.amount if plan.preferences.keep_buffer else ZERO
    missing: dict[str, list[str]] = {}
    months: list[BudgetMonth] = []
    cumulative = ZERO
    for index, label in enumerate(horizon.labels):
        own = flow.month(label)
        income = own.income if own is not None and own.income is not None else flow.monthly_income
        expenses = (
            own.expenses
            if own is not None and own.expenses is not None
            else flow.monthly_essential_expenses
        )
        for name, value in (("monthly_income", income), ("monthly_essential_expenses", expenses)):
            if value is None:
                missing.setdefault(name, []).append(label)
        if income is None or expenses is None:
            continue
        opening = flow.cash_on_hand.amount - buffer if index == 0 else ZERO
        available = opening + income.amount - expenses.amount + inflows[index] - outflows[index]
        cumulative += available
        months.append(
            BudgetMonth(
                label,
                income,
                expenses,
                Money(inflows[index], currency),
                Money(outflows[index], currency),
                Money(opening, currency),
                Money(available, currency),
                Money(cumulative, currency),
            )
        )
    if missing:
        raise ProblemsError(
            tuple(
                Problem(
                    f"cash_flow.{name}",
                    f"is required: cash_flow.months does not give {', '.join(labels)}",
                )
                for name, labels in missing.items()
            )
        )
    return Budget(horizon, currency, tuple(months))


def cash_left(budget: Budget, paid: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Cash left after each month's payments (`paid[k]` in month k), carried forward; a
    negative entry means the plan spends money the borrower does not have by then."""
    left = ZERO
    rows: list[Decimal] = []
    for month, spent in zip(budget.months, paid, strict=True):
        left += month.available.amount - spent
        rows.append(left)
    return tuple(rows)
