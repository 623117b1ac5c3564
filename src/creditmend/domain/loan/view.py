"""Publishing a ledger as a `LoanState`: the only place amounts turn into `Money`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditmend.domain.loan.contract import FeeTiming
from creditmend.domain.loan.delinquency import days_past_due, monthly_codes
from creditmend.domain.loan.events import PaymentSource
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
    StatementState,
)
from creditmend.domain.money import ZERO, Money
from creditmend.domain.rules.profile import Component

_SOURCE_NAMES = {source: source.value for source in PaymentSource}


class _MoneyOf(dict[Decimal, Money]):
    """Money in one currency, each distinct amount made once: `money[value]`. A loan's state
    repeats few amounts (0.00, the instalment), Money is immutable, and a hit is a plain dict
    lookup (no Python call), which matters at several hundred amounts a state."""

    __slots__ = ("currency",)

    def __init__(self, currency: str) -> None:
        super().__init__()
        self.currency = currency

    def __missing__(self, value: Decimal) -> Money:
        made = self[value] = Money(value, self.currency)
        return made


def loan_state(ledger: Ledger, as_of: date) -> LoanState:
    """The state on `as_of`; the ledger must have been advanced to `as_of`."""
    if ledger.cursor != as_of:
        raise ValueError(f"as_of: the ledger stands at {ledger.cursor}, not {as_of}")
    currency = ledger.currency
    money = _MoneyOf(currency)

    # One pass over the instalments for the rows shown and every sum the state shows.
    principal_open = penalty_open = fees_open = ZERO
    overdue_principal = overdue_interest = due_today = ZERO
    shown = _shown(ledger)
    installments = []
    for d in shown:
        installments.append(_installment(d, money))
        if not d.posted or d.paid_off_on is not None:
            continue
        principal_open += d.principal_out
        penalty_open += d.penalty_out
        fees_open += d.fee_out
        if d.due_on < as_of:
            overdue_principal += d.principal_out
            overdue_interest += d.interest_out
        elif d.due_on == as_of:
            due_today += d.principal_out + d.interest_out + d.fee_out + d.penalty_out
    penalty, compound = ledger.pending_penalty()
    penalty_total = ledger.penalty_out + ledger.compound_out + penalty + compound + penalty_open
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
    fee, pen, interest, principal = (
        Component.FEE,
        Component.PENALTY,
        Component.INTEREST,
        Component.PRINCIPAL,
    )
    allocations = []
    total_paid = ZERO
    for p in ledger.payments:
        parts = p.parts
        amount = p.amount
        total_paid += amount
        allocations.append(
            Allocation(
                p.on,
                money[amount],
                money[parts[fee]],
                money[parts[pen]],
                money[parts[interest]],
                money[parts[principal]],
                money[amount - parts[fee] - parts[pen] - parts[interest] - parts[principal]],
                _SOURCE_NAMES[p.source],
            )
        )
    payoff = ledger.payoff()
    return LoanState(
        loan_id=ledger.contract.id,
        as_of=as_of,
        currency=currency,
        outstanding_principal=money[ledger.performing + principal_open],
        overdue_principal=money[overdue_principal],
        overdue_interest=money[overdue_interest],
        interest_accrued=money[max(ledger.current_interest(), ZERO)],
        penalty_accrued=money[penalty_total],
        compound_interest_accrued=money[ledger.compound_out + compound],
        fees_due=money[ledger.fees_out + fees_open],
        due_today=money[due_today],
        payoff_amount=money[payoff],
        days_past_due=days_past_due(ledger.dues, as_of),
        status_code=codes[-1].code if codes else codes_of.not_opened,
        total_paid=money[total_paid],
        total_waived=money[ledger.waived],
        credit_balance=money[sum((c.amount for c in ledger.credit), ZERO)],
        allocations=tuple(allocations),
        monthly_status=tuple(codes),
        installments=tuple(installments),
        deferred_amount=money[ledger.carried()],
        deduction_attempts=tuple(
            DeductionAttempt(
                a.on,
                a.succeeded,
                a.reason,
                None if a.bank_balance is None else money[a.bank_balance],
                money[a.amount_due],
            )
            for a in ledger.attempts
        ),
        cash_flows=_cash_flows(ledger, as_of, payoff, money),
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


def _statements(ledger: Ledger, money: _MoneyOf) -> tuple[StatementState, ...]:
    if not isinstance(ledger, RevolvingLedger):
        return ()
    return tuple(
        StatementState(s.statement_on, s.due_on, money[s.balance], money[s.minimum_due], s.settled)
        for s in ledger.statements
    )


def _installment(due: Due, money: _MoneyOf) -> InstallmentState:
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
        money[due.principal],
        money[interest],
        money[penalty],
        money[fees],
        money[outstanding],
        due.paid_off_on,
        due.restructured,
    )


def _cash_flows(
    ledger: Ledger, as_of: date, payoff: Decimal, money: _MoneyOf
) -> tuple[CashFlow, ...]:
    """The borrower's flows: net proceeds in, payments out (less any refundable excess),
    and the payoff on `as_of` while the loan is open."""
    contract = ledger.contract
    revolving = isinstance(ledger, RevolvingLedger)
    if isinstance(ledger, RevolvingLedger):  # money comes in as purchases, not a disbursement
        flows = [CashFlow(on, money[amount]) for on, amount in ledger.purchases]
    else:
        proceeds = contract.principal.amount - contract_fees(contract, FeeTiming.UPFRONT)
        flows = [CashFlow(contract.disbursed_on, money[proceeds])]
    for p in ledger.payments:
        kept = p.amount - p.excess
        if kept > ZERO:
            flows.append(CashFlow(p.on, money[-kept]))
    if payoff > ZERO:
        flows.append(CashFlow(as_of, money[-payoff]))
    if revolving:
        flows.sort(key=lambda flow: flow.on)
    return tuple(flows)
