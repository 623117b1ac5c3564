"""What changes an instalment loan's terms or writes it down: waivers, restructures (extension
or re-instalment, with what was owed carried into the new instalments) and charge-off.
Functions over the ledger's state, kept apart so that `ledger.py` holds the everyday fold
(accrual, posting, payments); `revolving_changes.py` is the same split for revolving accounts.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from creditmend.domain.loan.contract import FeeTiming
from creditmend.domain.loan.events import (
    PaymentSource,
    Restructure,
    RestructureKind,
    WaivedComponent,
)
from creditmend.domain.loan.records import Due
from creditmend.domain.loan.schedule import amortize, contract_fees, periods_for
from creditmend.domain.money import ZERO, minor_unit
from creditmend.domain.rules.profile import AllocationRule, Component, DueState

if TYPE_CHECKING:  # ledger.py imports these functions
    from creditmend.domain.loan.ledger import Ledger


def waive(ledger: Ledger, day: date, component: WaivedComponent, amount: Decimal | None) -> None:
    ledger._post_penalty()
    limit = amount
    steps = {
        WaivedComponent.PENALTY: (Component.PENALTY,),
        WaivedComponent.INTEREST: (Component.INTEREST,),
        WaivedComponent.FEES: (Component.FEE,),
        WaivedComponent.ALL: (Component.PENALTY, Component.FEE, Component.INTEREST),
    }[component]
    for step in steps:
        available = ledger._owed(step) if limit is None else min(limit, ledger._owed(step))
        waived = ZERO
        by_state = zip((DueState.PAST_DUE, DueState.DUE), ledger._open_by_state(day), strict=True)
        for due_state, dues in by_state:
            rule = AllocationRule(due_state, step)
            waived += ledger._pay_step(day, rule, available - waived, dues)
        ledger.waived += waived
        if limit is not None:
            limit -= waived
    ledger._close_if_repaid(day, PaymentSource.BORROWER)


def restructure(ledger: Ledger, day: date, event: Restructure) -> None:
    ledger._post_penalty()
    # What is owed now, plus what an earlier restructure carried into instalments not yet due.
    later = ledger.dues[ledger.next_due :]
    interest = (
        ledger._owed(Component.INTEREST)
        + max(ledger.current_interest(), ZERO)
        + sum((d.carried_interest for d in later), ZERO)
    )
    penalty = ledger._owed(Component.PENALTY) + sum((d.carried_penalty for d in later), ZERO)
    fees = ledger._owed(Component.FEE) + sum((d.carried_fee for d in later), ZERO)
    principal = ledger.performing + ledger._owed(Component.PRINCIPAL)
    if event.waive_interest:
        ledger.waived += interest
        interest = ZERO
    if event.waive_penalty:
        ledger.waived += penalty
        penalty = ZERO
    for due in ledger.dues[ledger.first_open : ledger.next_due]:
        if due.paid_off_on is None:
            due.principal_out = due.interest_out = due.fee_out = due.penalty_out = ZERO
            due.paid_off_on = day
            due.restructured = True
    remaining_months = len(ledger.dues) - ledger.next_due
    months = event.months + (remaining_months if event.kind is RestructureKind.EXTENSION else 0)
    del ledger.dues[ledger.next_due :]
    ledger.first_open = ledger.next_due = len(ledger.dues)
    ledger.penalty_out = ledger.compound_out = ledger.fees_out = ZERO
    ledger.interest_basis = ledger.interest_prepaid = ZERO
    ledger.cursor = day
    _add_dues(ledger, day, principal, months, interest, penalty, fees)
    ledger.restructured_on.append(day)


def _add_dues(
    ledger: Ledger,
    day: date,
    principal: Decimal,
    months: int,
    interest: Decimal,
    penalty: Decimal,
    fees: Decimal,
) -> None:
    contract = ledger.contract
    periods = periods_for(contract, day, months, ledger.calendar, ledger.days_in_year)
    each_fee = contract_fees(contract, FeeTiming.EACH_INSTALLMENT, ledger.rounding)
    rows = amortize(
        principal,
        periods,
        contract.method,
        contract.rate.per_month(ledger.days_in_year),
        each_fee,
        ledger.currency,
        ledger.rounding,
    )
    shares = [_split(ledger, total, len(rows)) for total in (interest, penalty, fees)]
    number = len(ledger.dues)
    for k, row in enumerate(rows):
        ledger.dues.append(
            Due(
                number + k + 1,
                row.period,
                row.due_on,
                row.principal,
                row.fees,
                row.interest,
                carried_interest=shares[0][k],
                carried_penalty=shares[1][k],
                carried_fee=shares[2][k],
            )
        )
    ledger.performing = principal
    ledger._plan_boundaries()


def _split(ledger: Ledger, total: Decimal, parts: int) -> list[Decimal]:
    share = (total / parts).quantize(minor_unit(ledger.currency), rounding=ROUND_DOWN)
    return [share] * (parts - 1) + [total - share * (parts - 1)]


def charge_off(ledger: Ledger, day: date) -> None:
    ledger._post_penalty()
    for due in ledger.dues[ledger.next_due :]:
        ledger._post(due, day)
    ledger.charged_off_on = day
