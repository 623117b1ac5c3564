"""The ledger's working records: instalments as the fold sees them, payments, credit, debits.

Mutable on purpose and private to the ledger: the fold updates them in place for speed, and
`view.loan_state` publishes them as frozen records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from creditmend.domain.loan.events import PaymentSource
from creditmend.domain.loan.schedule import Period
from creditmend.domain.money import ZERO
from creditmend.domain.rules.profile import Component

_NO_PARTS = dict.fromkeys(Component, ZERO)


@dataclass(slots=True)
class Due:
    """One instalment inside the ledger; mutable here, published as `InstallmentState`."""

    number: int
    period: Period
    due_on: date
    principal: Decimal
    fee: Decimal
    scheduled_interest: Decimal = ZERO  # the schedule's estimate until the due date posts it
    carried_interest: Decimal = ZERO
    carried_penalty: Decimal = ZERO
    carried_fee: Decimal = ZERO
    posted: bool = False
    interest: Decimal = ZERO  # interest posted on the due date
    principal_out: Decimal = ZERO
    interest_out: Decimal = ZERO
    fee_out: Decimal = ZERO
    penalty_out: Decimal = ZERO
    paid_off_on: date | None = None
    late_fee_charged: bool = False
    restructured: bool = False

    def outstanding(self) -> Decimal:
        return self.principal_out + self.interest_out + self.fee_out + self.penalty_out


@dataclass(slots=True)
class PaymentRecord:
    on: date
    amount: Decimal
    source: PaymentSource
    parts: dict[Component, Decimal] = field(default_factory=_NO_PARTS.copy)
    excess: Decimal = ZERO


@dataclass(slots=True)
class Credit:
    """Part of a payment held for the next due date (the allocation order had no step for it)."""

    payment: int
    amount: Decimal


@dataclass(slots=True)
class Attempt:
    on: date
    succeeded: bool
    reason: str | None
    bank_balance: Decimal | None
    amount_due: Decimal
