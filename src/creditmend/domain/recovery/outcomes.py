"""What a plan is and what it did: the amounts per loan and month, and the exact outcome.

The records `simulate` fills in (conventions in its module docstring): `PaymentPlan` (one amount
per loan and month, what strategies and the optimiser decide), `LoanMonth` (one loan's month
as the ledger saw it: the money day, what was due, paid, and the month end), `LoanOutcome`
(one loan over the horizon, with the ledger payments the amounts became) and `Outcome`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from creditmend.domain.creditfile.retention import Decision, NegativeFact
from creditmend.domain.loan.state import LoanState
from creditmend.domain.money import ZERO, Money
from creditmend.domain.recovery.budget import Horizon


@dataclass(frozen=True, slots=True)
class PlannedMonth:
    """The payments of one month: (loan id, amount) for each loan paid, amounts above zero."""

    month: str  # YYYY-MM
    payments: tuple[tuple[str, Money], ...]

    def paid_to(self, loan_id: str) -> Decimal:
        for paid_id, amount in self.payments:
            if paid_id == loan_id:
                return amount.amount
        return ZERO

    @property
    def total(self) -> Decimal:
        return sum((amount.amount for _, amount in self.payments), ZERO)


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """For each month of the horizon, what is paid to each loan."""

    months: tuple[PlannedMonth, ...]

    @classmethod
    def of(
        cls,
        labels: Sequence[str],
        loan_ids: Sequence[str],
        amounts: Sequence[Sequence[Decimal]],
        currency: str,
    ) -> PaymentPlan:
        """A plan from a table, `amounts[month][loan]` in the order of `loan_ids`; every amount
        must be whole fen (Money refuses finer ones rather than round them)."""
        return cls(
            tuple(
                PlannedMonth(
                    label,
                    tuple(
                        (loan_id, Money(amount, currency))
                        for loan_id, amount in zip(loan_ids, row, strict=True)
                        if amount > ZERO
                    ),
                )
                for label, row in zip(labels, amounts, strict=True)
            )
        )

    def totals(self) -> tuple[Decimal, ...]:
        return tuple(month.total for month in self.months)


class LoanMonth(NamedTuple):
    month: str  # YYYY-MM
    pay_day: date  # the day the instalment is paid: the due day after the money day, or it
    due: Money  # before paying, on the pay day
    owed: Money  # before paying, on the pay day
    paid: Money
    balance: Money  # month end: principal outstanding + overdue interest + penalty + fees
    payoff: Money  # month end: what would settle the loan
    past_due: Money  # month end
    days_past_due: int  # month end
    status: str  # month end: the monthly code; after closing the closing code, as the grid
    overdue: bool  # the status is one of the profile's overdue codes
    serious: bool  # ... and one of its serious codes (past `serious_days`, or bad debt)
    money_day: date  # the day the month's money is there (arrears are paid that day)
    arrears: Money  # past due on the money day, before paying
    good_faith: Money  # the good-faith minimum quoted (zero: not overdue, or good faith off)


@dataclass(frozen=True, slots=True)
class LoanOutcome:
    loan_id: str
    platform: str
    total_paid: Money
    interest_paid: Money
    penalty_paid: Money  # penalty and compound interest
    fees_paid: Money
    principal_paid: Money
    unapplied: Money  # held as credit at the horizon's end, or paid beyond the debt
    refund_due: Money  # the part of `unapplied` paid beyond the whole debt
    overdue_months: int
    closed_on: date | None
    clean_on: date | None  # see the module docstring
    months: tuple[LoanMonth, ...]
    payments: tuple[tuple[date, Money], ...]  # the plan's payments as the ledger took them
    negative_records: tuple[NegativeFact, ...]  # from disbursement to the horizon's end
    expiries: tuple[Decision, ...]  # one per negative record, in the same order
    final: LoanState  # the loan at the horizon's end
    conversions: tuple[ConversionMade, ...] = ()  # statements converted from the plan's date


class ConversionMade(NamedTuple):
    """An instalment conversion (账单分期) of a revolving account, as its ledger made it."""

    on: date
    statement_on: date  # the statement converted
    amount: Money  # its principal converted
    months: int
    fee_each: Money  # billed with each instalment

    @property
    def fee(self) -> Money:
        return Money(self.fee_each.amount * self.months, self.fee_each.currency)


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str  # the strategy or plan that was simulated
    plan: PaymentPlan
    horizon: Horizon
    currency: str
    total_paid: Money
    interest_paid: Money
    penalty_paid: Money
    fees_paid: Money
    principal_paid: Money
    unapplied: Money
    overdue_account_months: int
    debt_free_on: date | None
    clean_on: date | None
    loans: tuple[LoanOutcome, ...]

    @property
    def serious_account_months(self) -> int:
        return sum(1 for loan in self.loans for month in loan.months if month.serious)


__all__ = ["LoanMonth", "LoanOutcome", "Outcome", "PaymentPlan", "PlannedMonth"]
