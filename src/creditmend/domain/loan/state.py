"""What the ledger reports about a loan on a date. Read-only records, money to the fen.

The many small rows (instalments, payments, months) are named tuples, as beancount's records
are: immutable and several times cheaper to build than frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from creditmend.domain.money import Money


class Allocation(NamedTuple):
    """Where one payment went; the five parts always add up to the amount."""

    on: date
    amount: Money
    fees: Money
    penalty: Money
    interest: Money
    principal: Money
    unapplied: Money  # held as credit for the next due date, or paid beyond the whole debt
    source: str


class DeductionAttempt(NamedTuple):
    on: date
    succeeded: bool
    reason: str | None
    bank_balance: Money | None
    amount_due: Money

    @property
    def balance_was_sufficient(self) -> bool | None:
        """True when the debit failed although the card held enough: a record worth objecting to."""
        if self.succeeded or self.bank_balance is None:
            return None
        return self.bank_balance.amount >= self.amount_due.amount


class InstallmentState(NamedTuple):
    number: int
    due_on: date
    principal: Money
    interest: Money
    penalty: Money  # penalty a restructure carried into this instalment
    fees: Money
    outstanding: Money  # what is left to pay of it (all of it, before it falls due)
    paid_off_on: date | None
    restructured: bool


class MonthStatus(NamedTuple):
    month: str  # YYYY-MM
    code: str


class StatementState(NamedTuple):
    """A revolving account's statement: what it billed and what kept the account current."""

    statement_on: date
    due_on: date
    balance: Money  # all owed on the statement day, but unbilled purchases and conversions
    minimum_due: Money  # the minimum payment plus any arrears, due on `due_on`
    paid_in_full: bool | None  # by the due day (None: the due day has not passed)


class CashFlow(NamedTuple):
    """Money from the borrower's side: positive received, negative paid."""

    on: date
    amount: Money


@dataclass(frozen=True, slots=True)
class LoanState:
    loan_id: str
    as_of: date
    currency: str
    outstanding_principal: Money
    overdue_principal: Money
    overdue_interest: Money
    interest_accrued: Money  # the current period's interest so far, not yet due
    penalty_accrued: Money  # penalty plus compound interest, unpaid
    compound_interest_accrued: Money  # the compound part of penalty_accrued
    fees_due: Money
    due_today: Money
    payoff_amount: Money  # what settles the loan today
    deferred_amount: Money  # interest, penalty and fees a restructure moved to later instalments
    days_past_due: int
    status_code: str
    total_paid: Money
    total_waived: Money
    credit_balance: Money
    allocations: tuple[Allocation, ...]
    monthly_status: tuple[MonthStatus, ...]
    installments: tuple[InstallmentState, ...]
    deduction_attempts: tuple[DeductionAttempt, ...]
    cash_flows: tuple[CashFlow, ...]
    closed_on: date | None
    charged_off_on: date | None
    restructured_on: tuple[date, ...]
    statements: tuple[StatementState, ...] = ()  # revolving accounts only
    credit_limit: Money | None = None  # revolving accounts only
    # Revolving only: the statements to come if only the minimum is paid (what planners read).
    projected_minimums: tuple[InstallmentState, ...] = ()
