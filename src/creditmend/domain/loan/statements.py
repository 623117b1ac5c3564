"""A revolving account's statements (账单) and the records the revolving ledger keeps.

Mutable on purpose and private to the ledger, as `records.py` is for instalment loans; the view
publishes statements as `state.StatementState`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from creditmend.domain.calendar import add_months
from creditmend.domain.loan.contract import RevolvingTerms
from creditmend.domain.loan.records import Due
from creditmend.domain.money import ONE, ZERO


@dataclass(slots=True)
class Statement:
    """One monthly statement (账单) as it was cut, and what was paid towards it by its due day."""

    statement_on: date
    due_on: date
    balance: Decimal  # everything owed on the statement day except unbilled and converted
    own_balance: Decimal  # what this statement bills (paying it by due_on costs no interest)
    minimum: Decimal  # this statement's own minimum
    arrears: Decimal  # past due on the statement day (earlier minimums, fees, penalty)
    principal: Decimal  # billed principal (new purchases and principal carried over)
    new_principal: Decimal  # purchases first billed here
    posting_days: Decimal  # sum of new purchase x days from its posting to due_on
    rate_base: Decimal  # principal the minimum takes a share of
    fixed: Decimal  # the part of the minimum asked in full (interest, fees, instalments)
    due: Due | None  # the minimum as a due (None when nothing is owed)
    paid: Decimal = ZERO  # paid towards what it bills, statement day to due day
    principal_paid: Decimal = ZERO
    posted: bool = False  # its due day has passed the posting
    settled: bool | None = None  # paid in full by the due day; None until the day after

    @property
    def minimum_due(self) -> Decimal:
        """What keeps the account current on the due day: this minimum plus the arrears."""
        return self.minimum + self.arrears


@dataclass(slots=True)
class Conversion:
    """An instalment conversion (账单分期) in progress."""

    on: date
    amount: Decimal
    each: Decimal  # principal a statement (the last one takes the rest)
    fee_each: Decimal
    left: Decimal  # principal not yet billed
    months_left: int
    months: int = 0  # as converted (the term chosen)


@dataclass(slots=True)
class Charged:
    """Totals charged since opening, for checks that money is conserved."""

    purchases: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO
    penalty: Decimal = ZERO


@dataclass(slots=True)
class Unbilled:
    on: date
    amount: Decimal


@dataclass(slots=True)
class Pools:
    unbilled: list[Unbilled] = field(default_factory=list)
    billed: Decimal = ZERO
    revolving: Decimal = ZERO
    converted: Decimal = ZERO


def statement_dates(terms: RevolvingTerms, due_day: int, after: date) -> tuple[date, date]:
    """The first statement day after `after`, and its due day (the first `due_day` after it)."""
    candidate = add_months(after.replace(day=1), 0, terms.statement_day)
    if candidate <= after:
        candidate = add_months(after.replace(day=1), 1, terms.statement_day)
    return candidate, due_date(candidate, due_day)


def due_date(statement_on: date, due_day: int) -> date:
    due = add_months(statement_on.replace(day=1), 0, due_day)
    if due <= statement_on:
        due = add_months(statement_on.replace(day=1), 1, due_day)
    return due


PROJECTED_STATEMENTS = 120  # ten years: a 10 % minimum leaves under 0.1 % of a balance by then


class Projected(NamedTuple):
    """A statement to come, if only the minimum is paid and nothing more is bought."""

    statement_on: date
    due_on: date
    principal: Decimal  # the minimum's principal share (the last one takes what is left)
    interest: Decimal
    fee: Decimal


def project_minimums(
    terms: RevolvingTerms,
    due_day: int,
    first: date,
    principal: Decimal,
    conversions: Sequence[Conversion],
    daily_rate: Decimal,
    round_money: Callable[[Decimal], Decimal],
) -> list[Projected]:
    """The minimums of the statements from `first` on, while only the minimum is paid: the
    revolving principal shrinks by the minimum rate a month and bears the daily rate over each
    cycle; conversions bill their shares and fees. What the planners read as falling due."""
    rows: list[Projected] = []
    plans = [(c.each, c.fee_each, c.left, c.months_left) for c in conversions if c.left > ZERO]
    statement_on = first
    while (principal > ZERO or plans) and len(rows) < PROJECTED_STATEMENTS:
        following = add_months(statement_on.replace(day=1), 1, terms.statement_day)
        interest = round_money(principal * daily_rate * (following - statement_on).days)
        share = round_money(principal * terms.minimum_rate)
        if len(rows) == PROJECTED_STATEMENTS - 1 or share < ONE:
            share = principal  # a minimum under 1.00 asks for the rest (typical floor)
        fee = ZERO
        instalments = ZERO
        kept = []
        for each, fee_each, left, months in plans:
            part = left if months == 1 else min(each, left)
            instalments += part
            fee += fee_each
            if left - part > ZERO and months > 1:
                kept.append((each, fee_each, left - part, months - 1))
        plans = kept
        principal -= share
        rows.append(
            Projected(
                statement_on,
                due_date(statement_on, due_day),
                share + instalments,
                interest,
                fee,
            )
        )
        statement_on = following
    return rows
