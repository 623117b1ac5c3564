"""Publishing a ledger as a `LoanState`: the only place amounts turn into `Money`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from creditmend.domain.loan.contract import FeeTiming
from creditmend.domain.loan.delinquency import days_past_due, monthly_codes
from creditmend.domain.loan.ledger import Ledger
from creditmend.domain.loan.records import Due
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.loan.schedule import contract_fees
from creditmend.domain.loan.state import (
    Allocation,
    CashFlow,
    DeductionAttempt,
    InstallmentState,
    LoanState,
    MonthStatus,
    StatementState,
)
from creditmend.domain.money import ZERO, Money, shared_money
from creditmend.domain.rules.profile import Component


def loan_state(ledger: Ledger, as_of: date) -> LoanState:
    """The state on `as_of`; the ledger must have been advanced to `as_of`."""
    if ledger.cursor != as_of:
        raise ValueError(f"as_of: the ledger stands at {ledger.cursor}, not {as_of}")
    currency = ledger.currency
    money = shared_money(currency)

    open_dues = [d for d in ledger.dues if d.posted and d.paid_off_on is None]
    overdue = [d for d in open_dues if d.due_on < as_of]
    due_today = [d for d in open_dues if d.due_on == as_of]
    penalty, compound = ledger.pending_penalty()
    penalty_total = (
        ledger.penalty_out
        + ledger.compound_out
        + penalty
        + compound
        + sum((d.penalty_out for d in open_dues), ZERO)
    )
    codes_of = ledger.profile.grid_codes
    closed = (ledger.closed_on, ledger.close_code or codes_of.settled) if ledger.closed_on else None
    codes = monthly_codes(
        ledger.dues,
        ledger.contract.disbursed_on,
        as_of,
        ledger.contract.grace_days,
        ledger.profile,
        closed,
        ledger.charged_off_on,
    )
    allocations = tuple(
        Allocation(
            on=p.on,
            amount=money(p.amount),
            fees=money(p.parts[Component.FEE]),
            penalty=money(p.parts[Component.PENALTY]),
            interest=money(p.parts[Component.INTEREST]),
            principal=money(p.parts[Component.PRINCIPAL]),
            unapplied=money(p.amount - sum(p.parts.values(), ZERO)),
            source=p.source.value,
        )
        for p in ledger.payments
    )
    payoff = ledger.payoff()
    return LoanState(
        loan_id=ledger.contract.id,
        as_of=as_of,
        currency=currency,
        outstanding_principal=money(
            ledger.performing + sum((d.principal_out for d in open_dues), ZERO)
        ),
        overdue_principal=money(sum((d.principal_out for d in overdue), ZERO)),
        overdue_interest=money(sum((d.interest_out for d in overdue), ZERO)),
        interest_accrued=money(max(ledger.current_interest(), ZERO)),
        penalty_accrued=money(penalty_total),
        compound_interest_accrued=money(ledger.compound_out + compound),
        fees_due=money(ledger.fees_out + sum((d.fee_out for d in open_dues), ZERO)),
        due_today=money(sum((d.outstanding() for d in due_today), ZERO)),
        payoff_amount=money(payoff),
        days_past_due=days_past_due(ledger.dues, as_of),
        status_code=codes[-1][1] if codes else codes_of.not_opened,
        total_paid=money(sum((p.amount for p in ledger.payments), ZERO)),
        total_waived=money(ledger.waived),
        credit_balance=money(sum((c.amount for c in ledger.credit), ZERO)),
        allocations=allocations,
        monthly_status=tuple(MonthStatus(month, code) for month, code in codes),
        installments=tuple(_installment(d, money) for d in _shown(ledger)),
        deferred_amount=money(ledger.carried()),
        deduction_attempts=tuple(
            DeductionAttempt(
                a.on,
                a.succeeded,
                a.reason,
                None if a.bank_balance is None else money(a.bank_balance),
                money(a.amount_due),
            )
            for a in ledger.attempts
        ),
        cash_flows=_cash_flows(ledger, as_of, payoff),
        closed_on=ledger.closed_on,
        charged_off_on=ledger.charged_off_on,
        restructured_on=tuple(ledger.restructured_on),
        statements=_statements(ledger, money),
        credit_limit=ledger.contract.principal if ledger.contract.is_revolving else None,
        projected_minimums=tuple(
            _installment(d, money) for d in ledger.dues[ledger.projected_from :]
        )
        if isinstance(ledger, RevolvingLedger)
        else (),
    )


def _shown(ledger: Ledger) -> list[Due]:
    """The dues a borrower is shown: a revolving account's projected minimums are for planning."""
    if isinstance(ledger, RevolvingLedger):
        return ledger.dues[: ledger.projected_from]
    return ledger.dues


def _statements(ledger: Ledger, money: Callable[[Decimal], Money]) -> tuple[StatementState, ...]:
    if not isinstance(ledger, RevolvingLedger):
        return ()
    return tuple(
        StatementState(s.statement_on, s.due_on, money(s.balance), money(s.minimum_due), s.settled)
        for s in ledger.statements
    )


def _installment(due: Due, money: Callable[[Decimal], Money]) -> InstallmentState:
    """An instalment as the borrower sees it: once posted, what fell due; before, the schedule's
    estimate plus what a restructure carried into it."""
    if due.posted:
        interest, penalty, fees, outstanding = (
            due.interest,
            due.carried_penalty,
            due.fee + due.carried_fee,
            due.outstanding(),
        )
    else:
        interest = due.scheduled_interest + due.carried_interest
        penalty = due.carried_penalty
        fees = due.fee + due.carried_fee
        outstanding = due.principal + interest + penalty + fees
    return InstallmentState(
        due.number,
        due.due_on,
        money(due.principal),
        money(interest),
        money(penalty),
        money(fees),
        money(outstanding),
        due.paid_off_on,
        due.restructured,
    )


def _cash_flows(ledger: Ledger, as_of: date, payoff: Decimal) -> tuple[CashFlow, ...]:
    """The borrower's flows: net proceeds in, payments out (less any refundable excess),
    and the payoff on `as_of` while the loan is open."""
    currency = ledger.currency
    contract = ledger.contract
    if isinstance(ledger, RevolvingLedger):  # money comes in as purchases, not a disbursement
        flows = [CashFlow(on, Money(amount, currency)) for on, amount in ledger.purchases]
        flows += [
            CashFlow(p.on, Money(-(p.amount - p.excess), currency))
            for p in ledger.payments
            if p.amount - p.excess > ZERO
        ]
        if payoff > ZERO:
            flows.append(CashFlow(as_of, Money(-payoff, currency)))
        return tuple(sorted(flows, key=lambda flow: flow.on))
    flows = [
        CashFlow(
            contract.disbursed_on,
            Money(contract.principal.amount - contract_fees(contract, FeeTiming.UPFRONT), currency),
        )
    ]
    flows += [
        CashFlow(p.on, Money(-(p.amount - p.excess), currency))
        for p in ledger.payments
        if p.amount - p.excess > ZERO
    ]
    if payoff > ZERO:
        flows.append(CashFlow(as_of, Money(-payoff, currency)))
    return tuple(flows)
