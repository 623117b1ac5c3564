"""What changes a revolving account's terms or writes it down: waivers, negotiated
re-instalment (个性化分期) and charge-off. Functions over the ledger's pools, kept apart so that
`revolving.py` holds the everyday cycle (purchases, statements, payments, conversions).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from creditmend.domain.loan.events import PaymentSource, Restructure, WaivedComponent
from creditmend.domain.loan.ledger import LedgerError
from creditmend.domain.loan.records import Due
from creditmend.domain.loan.schedule import Period
from creditmend.domain.loan.statements import Conversion
from creditmend.domain.money import ZERO, minor_unit

if TYPE_CHECKING:  # revolving.py imports these functions
    from creditmend.domain.loan.revolving import RevolvingLedger


def waive(
    ledger: RevolvingLedger, day: date, component: WaivedComponent, amount: Decimal | None
) -> None:
    ledger._post_penalty()
    ledger._crystallise()
    limit = amount

    def cut(owed: Decimal) -> Decimal:
        nonlocal limit
        taken = owed if limit is None else min(owed, limit)
        if limit is not None:
            limit -= taken
        ledger.waived += taken
        return owed - taken

    kinds = {
        WaivedComponent.PENALTY: ("penalty",),
        WaivedComponent.FEES: ("fees",),
        WaivedComponent.INTEREST: ("interest",),
        WaivedComponent.ALL: ("penalty", "fees", "interest"),
    }[component]
    if "penalty" in kinds:
        ledger.penalty_out = cut(ledger.penalty_out)
    if "fees" in kinds:
        ledger.fees_out = cut(ledger.fees_out)
        for due in ledger._open_dues():
            due.fee_out = cut(due.fee_out)
        ledger.billed_fees = cut(ledger.billed_fees)
    if "interest" in kinds:
        for due in ledger._open_dues():
            due.interest_out = cut(due.interest_out)
        ledger.billed_interest = cut(ledger.billed_interest)
        ledger.accrued_interest = cut(ledger.accrued_interest)
    for due in ledger._open_dues():
        ledger._mark_paid(due, day)
    ledger._close_if_repaid(day, PaymentSource.BORROWER)


def restructure(ledger: RevolvingLedger, day: date, event: Restructure) -> None:
    """个性化分期 negotiated on a revolving account: everything owed (less what is waived)
    is billed in `months` equal shares without interest or fee."""
    ledger._post_penalty()
    ledger._crystallise()
    interest = ledger.billed_interest + ledger.accrued_interest
    penalty = ledger.penalty_out
    fees = ledger.fees_out + ledger.billed_fees
    pools = ledger.pools
    principal = pools.billed + pools.revolving
    for due in ledger._open_dues():
        interest += due.interest_out
        fees += due.fee_out
        principal += due.principal_out
        due.principal_out = due.interest_out = due.fee_out = ZERO
        due.paid_off_on = day
        due.restructured = True
    if event.waive_interest:
        ledger.waived += interest
        interest = ZERO
    if event.waive_penalty:
        ledger.waived += penalty
        penalty = ZERO
    del ledger.dues[ledger.next_due :]
    for statement in ledger.statements:
        statement.posted = True
        statement.settled = True if statement.settled is None else statement.settled
    ledger.first_open = ledger.next_due = len(ledger.dues)
    total = principal + interest + penalty + fees
    ledger.billed_interest = ledger.accrued_interest = ledger.billed_fees = ZERO
    ledger.penalty_out = ledger.fees_out = ZERO
    pools.billed = pools.revolving = ZERO
    unit = minor_unit(ledger.currency)
    each = (total / event.months).quantize(unit, rounding=ROUND_DOWN)
    ledger.conversions.append(Conversion(day, total, each, ZERO, total, event.months))
    pools.converted += total
    ledger.performing = pools.converted + sum((u.amount for u in pools.unbilled), ZERO)
    ledger.restructured_on.append(day)
    ledger.projected_from = len(ledger.dues)
    ledger._project(ledger.next_statement_on)


def charge_off(ledger: RevolvingLedger, day: date) -> None:
    """Written off: every pool falls due today as one due (status B); accrual stops."""
    if ledger.charged_off_on is not None:
        raise LedgerError("on", f"the account was already charged off on {ledger.charged_off_on}")
    ledger._post_penalty()
    ledger._crystallise()
    del ledger.dues[ledger.next_due :]
    pools = ledger.pools
    principal = ledger.performing
    interest = ledger.billed_interest + ledger.accrued_interest
    period = Period(day, day, ZERO, 1)
    due = Due(len(ledger.dues) + 1, period, day, principal, ledger.billed_fees, interest)
    due.interest, due.posted = interest, True
    due.principal_out, due.interest_out, due.fee_out = principal, interest, ledger.billed_fees
    ledger.dues.append(due)
    ledger.next_due = ledger.projected_from = len(ledger.dues)
    ledger.billed_interest = ledger.accrued_interest = ledger.billed_fees = ZERO
    pools.unbilled, pools.billed, pools.revolving, pools.converted = [], ZERO, ZERO, ZERO
    for conversion in ledger.conversions:
        conversion.left = ZERO
    ledger.performing = ZERO
    for statement in ledger.statements:
        statement.posted = True
        statement.settled = True if statement.settled is None else statement.settled
    ledger._mark_paid(due, day)
    ledger.charged_off_on = day
