"""What can happen to a loan after it is signed. Each event is a frozen record with a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum


class PaymentSource(Enum):
    """Who paid: decides the closing status code (C settled, D guarantor, Z assets)."""

    BORROWER = "borrower"
    GUARANTOR = "guarantor"
    ASSETS = "assets"

    # Singletons: identity hashing is exact and runs in C (a state looks one up per payment).
    __hash__ = object.__hash__


class DeductionFailure(Enum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    PLATFORM_ERROR = "platform_error"
    BANK_ERROR = "bank_error"
    CARD_EXPIRED = "card_expired"
    ACCOUNT_FROZEN = "account_frozen"
    OTHER = "other"


class WaivedComponent(Enum):
    PENALTY = "penalty"
    INTEREST = "interest"
    FEES = "fees"
    ALL = "all"


class RestructureKind(Enum):
    EXTENSION = "extension"  # 展期: the remaining term is lengthened by N months
    REINSTALMENT = "reinstalment"  # 个性化分期: everything owed is spread over N new months


@dataclass(frozen=True, slots=True)
class Payment:
    on: date
    amount: Decimal
    source: PaymentSource = PaymentSource.BORROWER
    channel: str = "manual"


@dataclass(frozen=True, slots=True)
class DeductionSucceeded:
    """An auto-debit that went through: a payment made by the platform on the borrower's card."""

    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DeductionFailed:
    """An auto-debit that did not go through; the bank balance tells whose fault it was."""

    on: date
    reason: DeductionFailure
    bank_balance: Decimal | None = None


@dataclass(frozen=True, slots=True)
class FeeCharged:
    on: date
    amount: Decimal
    name: str = "fee"


@dataclass(frozen=True, slots=True)
class Waiver:
    on: date
    component: WaivedComponent
    amount: Decimal | None = None  # None: all of it


@dataclass(frozen=True, slots=True)
class Restructure:
    on: date
    kind: RestructureKind
    months: int
    waive_interest: bool = False
    waive_penalty: bool = False


@dataclass(frozen=True, slots=True)
class EarlySettlement:
    """Pay off everything owed on the day: interest to date, penalty, fees and all principal."""

    on: date
    amount: Decimal | None = None  # None: exactly the payoff amount


@dataclass(frozen=True, slots=True)
class ChargeOff:
    """The lender writes the loan off as bad debt (status B); accrual stops, the debt remains."""

    on: date


@dataclass(frozen=True, slots=True)
class Purchase:
    """A draw on a revolving account (a purchase, a transfer): principal, interest-free until
    the due day of the statement that bills it."""

    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InstalmentConversion:
    """账单分期: the latest statement's billed principal (or `amount` of it) converted into
    `months` monthly instalments billed on the next statements, each with a fee of `fee_rate`
    (per period, on the converted amount; None: the contract's rate)."""

    on: date
    months: int
    fee_rate: Decimal | None = None
    amount: Decimal | None = None  # None: all the statement's principal


LoanEvent = (
    Payment
    | DeductionSucceeded
    | DeductionFailed
    | FeeCharged
    | Waiver
    | Restructure
    | EarlySettlement
    | ChargeOff
    | Purchase
    | InstalmentConversion
)

EVENT_TYPES: dict[str, type] = {
    "payment": Payment,
    "deduction_succeeded": DeductionSucceeded,
    "deduction_failed": DeductionFailed,
    "fee_charge": FeeCharged,
    "waiver": Waiver,
    "restructure": Restructure,
    "early_settlement": EarlySettlement,
    "charge_off": ChargeOff,
    "purchase": Purchase,
    "instalment_conversion": InstalmentConversion,
    "fee": FeeCharged,  # the same event as fee_charge, as revolving statements name it
}


def event_type_name(event: LoanEvent) -> str:
    return next(name for name, kind in EVENT_TYPES.items() if isinstance(event, kind))
